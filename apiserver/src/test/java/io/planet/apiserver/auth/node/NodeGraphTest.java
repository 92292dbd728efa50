package io.planet.apiserver.auth.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.auth.node.NodeGraph.Kind;
import org.junit.jupiter.api.Test;

class NodeGraphTest {
  private final NodeGraph graph = new NodeGraph();

  static ObjectNode json(String text) {
    return (ObjectNode) Json.parse(text);
  }

  /** A pod in ns "dev" bound to {@code node} ("" = unbound) with the given spec fields. */
  static ObjectNode pod(String name, String node, String specFields) {
    return json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"dev\",\"uid\":\"uid-" + name + "\"},\"spec\":{\"nodeName\":\"" + node + "\""
        + (specFields.isEmpty() ? "" : "," + specFields) + ",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
  }

  static String secretVolume(String secret) {
    return "\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"" + secret + "\"}}]";
  }

  @Test
  void podGrantsItsNodeWhatItReferences() {
    graph.putPod(json("""
        {"metadata":{"name":"web","namespace":"dev"},
         "spec":{"nodeName":"n1","serviceAccountName":"builder","imagePullSecrets":[{"name":"pull"}],
          "containers":[{"name":"c","envFrom":[{"configMapRef":{"name":"env-cm"},"secretRef":{"name":"env-s"}}],
            "env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"key-s","key":"k"}}},
                   {"name":"B","valueFrom":{"configMapKeyRef":{"name":"key-cm","key":"k"}}}]}],
          "initContainers":[{"name":"i","env":[{"name":"C","valueFrom":{"secretKeyRef":{"name":"init-s","key":"k"}}}]}],
          "volumes":[{"name":"s","secret":{"secretName":"vol-s"}},{"name":"cm","configMap":{"name":"vol-cm"}},
            {"name":"p","projected":{"sources":[{"secret":{"name":"proj-s"}},{"configMap":{"name":"proj-cm"}}]}},
            {"name":"d","persistentVolumeClaim":{"claimName":"data"}},{"name":"e","ephemeral":{}},
            {"name":"csi","csi":{"driver":"x","nodePublishSecretRef":{"name":"csi-s"}}}],
          "resourceClaims":[{"name":"gpu","resourceClaimName":"gpu-claim"}]}}"""));
    for (String s : new String[] {"pull", "env-s", "key-s", "init-s", "vol-s", "proj-s", "csi-s"}) {
      assertThat(graph.hasPath("n1", Kind.SECRET, "dev", s)).as(s).isTrue();
      assertThat(graph.hasPath("n2", Kind.SECRET, "dev", s)).as(s).isFalse();
      assertThat(graph.hasPath("n1", Kind.SECRET, "prod", s)).as(s).isFalse();
    }
    for (String c : new String[] {"env-cm", "key-cm", "vol-cm", "proj-cm"}) {
      assertThat(graph.hasPath("n1", Kind.CONFIG_MAP, "dev", c)).as(c).isTrue();
    }
    assertThat(graph.hasPath("n1", Kind.PVC, "dev", "data")).isTrue();
    assertThat(graph.hasPath("n1", Kind.PVC, "dev", "web-e")).isTrue();
    assertThat(graph.hasPath("n1", Kind.SERVICE_ACCOUNT, "dev", "builder")).isTrue();
    assertThat(graph.hasPath("n1", Kind.RESOURCE_CLAIM, "dev", "gpu-claim")).isTrue();
    assertThat(graph.hasPath("n1", Kind.POD, "dev", "web")).isTrue();
    assertThat(graph.hasPath("n2", Kind.POD, "dev", "web")).isFalse();
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "unused")).isFalse();
  }

  @Test
  void secretIsReachableOnlyWhilePodsOnTheNodeUseIt() {
    graph.putPod(pod("a", "n1", secretVolume("shared")));
    graph.putPod(pod("b", "n1", secretVolume("shared")));
    graph.putPod(pod("c", "n2", secretVolume("other")));
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "shared")).isTrue();
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "other")).isFalse();
    assertThat(graph.hasPath("n2", Kind.SECRET, "dev", "other")).isTrue();
    graph.removePod("dev", "a");
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "shared")).isTrue();
    graph.removePod("dev", "b");
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "shared")).isFalse();
    assertThat(graph.hasPath("n1", Kind.POD, "dev", "b")).isFalse();
    assertThat(graph.podCount()).isEqualTo(1);
  }

  @Test
  void unboundPodGrantsNothingUntilBound() {
    graph.putPod(pod("a", "", secretVolume("s")));
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "s")).isFalse();
    assertThat(graph.podCount()).isZero();
    graph.putPod(pod("a", "n1", secretVolume("s")));
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "s")).isTrue();
    // the same pod delivered again (a status update) changes nothing
    graph.putPod(pod("a", "n1", secretVolume("s")));
    graph.removePod("dev", "a");
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "s")).isFalse();
  }

  @Test
  void replacedPodMovesItsReferences() {
    graph.putPod(pod("a", "n1", secretVolume("old")));
    graph.putPod(pod("a", "n2", secretVolume("new")));
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "old")).isFalse();
    assertThat(graph.hasPath("n1", Kind.POD, "dev", "a")).isFalse();
    assertThat(graph.hasPath("n2", Kind.SECRET, "dev", "new")).isTrue();
  }

  @Test
  void mirrorPodGrantsNothingButItself() {
    ObjectNode mirror = pod("static", "n1", secretVolume("s"));
    ((ObjectNode) mirror.get("metadata")).putObject("annotations").put(PodReferences.MIRROR_ANNOTATION, "x");
    graph.putPod(mirror);
    assertThat(graph.hasPath("n1", Kind.POD, "dev", "static")).isTrue();
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "s")).isFalse();
  }

  @Test
  void aLocalPathVolumeRelatesToItsNodeUntilDeleted() {
    graph.putPersistentVolume(json("""
        {"metadata":{"name":"pvc-1","annotations":{"planet.io/local-path-node":"n1"}},
         "spec":{"claimRef":{"namespace":"dev","name":"data"},"hostPath":{"path":"/var/lib/planet/storage/pvc-1"}}}"""));
    // no pod uses the claim: only its own node may read it (to remove its directory once it is gone)
    assertThat(graph.hasPath("n1", Kind.PV, "", "pvc-1")).isTrue();
    assertThat(graph.hasPath("n2", Kind.PV, "", "pvc-1")).isFalse();
    graph.removePersistentVolume("pvc-1");
    assertThat(graph.hasPath("n1", Kind.PV, "", "pvc-1")).isFalse();
  }

  @Test
  void persistentVolumeAndItsSecretFollowTheClaim() {
    graph.putPersistentVolume(json("""
        {"metadata":{"name":"pv1"},"spec":{"claimRef":{"namespace":"dev","name":"data"},
          "csi":{"driver":"x","nodeStageSecretRef":{"name":"stage","namespace":"storage"},
                 "controllerPublishSecretRef":{"name":"ctrl","namespace":"storage"}},
          "cephfs":{"monitors":["m"],"secretRef":{"name":"ceph"}}}}"""));
    assertThat(graph.hasPath("n1", Kind.PV, "", "pv1")).isFalse();
    graph.putPod(pod("a", "n1", "\"volumes\":[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"data\"}}]"));
    assertThat(graph.hasPath("n1", Kind.PV, "", "pv1")).isTrue();
    assertThat(graph.hasPath("n2", Kind.PV, "", "pv1")).isFalse();
    assertThat(graph.hasPath("n1", Kind.SECRET, "storage", "stage")).isTrue();
    assertThat(graph.hasPath("n1", Kind.SECRET, "dev", "ceph")).isTrue();
    // secrets only the controller reads are not the kubelet's
    assertThat(graph.hasPath("n1", Kind.SECRET, "storage", "ctrl")).isFalse();
    graph.removePersistentVolume("pv1");
    assertThat(graph.hasPath("n1", Kind.SECRET, "storage", "stage")).isFalse();
    assertThat(graph.hasPath("n1", Kind.PVC, "dev", "data")).isTrue();
  }

  @Test
  void volumeAttachmentBelongsToItsNode() {
    graph.putVolumeAttachment(json("{\"metadata\":{\"name\":\"va1\"},\"spec\":{\"nodeName\":\"n1\"}}"));
    assertThat(graph.hasPath("n1", Kind.VOLUME_ATTACHMENT, "", "va1")).isTrue();
    assertThat(graph.hasPath("n2", Kind.VOLUME_ATTACHMENT, "", "va1")).isFalse();
    graph.removeVolumeAttachment("va1");
    assertThat(graph.hasPath("n1", Kind.VOLUME_ATTACHMENT, "", "va1")).isFalse();
  }

  @Test
  void thousandsOfPodsAreIndexedAndDecidedQuickly() {
    int pods = 20_000;
    int nodes = 200;
    long start = System.nanoTime();
    for (int i = 0; i < pods; i++) {
      graph.putPod(pod("p" + i, "n" + (i % nodes), secretVolume("s" + i)
          .replace("]", ",{\"name\":\"cm\",\"configMap\":{\"name\":\"shared\"}}]")));
    }
    long added = System.nanoTime() - start;
    assertThat(graph.podCount()).isEqualTo(pods);
    start = System.nanoTime();
    int allowed = 0;
    for (int i = 0; i < pods; i++) {
      if (graph.hasPath("n" + (i % nodes), Kind.SECRET, "dev", "s" + i)) allowed++;
      if (graph.hasPath("n" + ((i + 1) % nodes), Kind.SECRET, "dev", "s" + i)) allowed--;
      if (graph.hasPath("n" + (i % nodes), Kind.CONFIG_MAP, "dev", "shared")) allowed++;
    }
    long decided = System.nanoTime() - start;
    assertThat(allowed).isEqualTo(2 * pods);
    // generous bounds for a shared 2-core machine; a scan per decision would take minutes here
    assertThat(added / 1_000_000).as("ms to add %d pods", pods).isLessThan(10_000);
    assertThat(decided / 1_000_000).as("ms for %d decisions", 3 * pods).isLessThan(3_000);
    for (int i = 0; i < pods; i++) graph.removePod("dev", "p" + i);
    assertThat(graph.podCount()).isZero();
    assertThat(graph.hasPath("n0", Kind.CONFIG_MAP, "dev", "shared")).isFalse();
  }
}
