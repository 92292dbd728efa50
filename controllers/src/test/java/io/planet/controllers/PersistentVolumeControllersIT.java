package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The binder, the protection controllers and the local-path provisioner against a real API server. */
class PersistentVolumeControllersIT {
  static final Duration WAIT = Duration.ofSeconds(20);
  static TestCluster cluster;
  static KubernetesClient c;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("persistentvolume-binder", "pvc-protection", "pv-protection", "local-path-provisioner");
    c = cluster.client;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static PersistentVolume pv(String name, String size, String cls, String policy, Map<String, String> labels) {
    return c.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(name)
        .withLabels(labels).endMetadata()
        .withNewSpec().addToCapacity("storage", new Quantity(size)).withAccessModes("ReadWriteOnce")
        .withStorageClassName(cls).withPersistentVolumeReclaimPolicy(policy).withNewHostPath("/tmp/" + name, "")
        .endSpec().build()).create();
  }

  static PersistentVolumeClaim pvc(String ns, String name, String size, String cls) {
    return c.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
        .withName(name).withNamespace(ns).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
        .withStorageClassName(cls).withNewResources().addToRequests("storage", new Quantity(size)).endResources()
        .endSpec().build()).create();
  }

  static PersistentVolumeClaim claim(String ns, String name) {
    return c.persistentVolumeClaims().inNamespace(ns).withName(name).get();
  }

  static PersistentVolume volume(String name) {
    return c.persistentVolumes().withName(name).get();
  }

  static String phase(PersistentVolumeClaim x) {
    return x == null || x.getStatus() == null ? null : x.getStatus().getPhase();
  }

  static String phase(PersistentVolume x) {
    return x == null || x.getStatus() == null ? null : x.getStatus().getPhase();
  }

  @Test
  void bindsTheSmallestMatchingVolumeBothWaysAndRetainReleasesIt() {
    String ns = cluster.namespace("bind");
    pv("bind-big", "10Gi", "manual", "Retain", Map.of());
    pv("bind-small", "1Gi", "manual", "Retain", Map.of());
    pv("bind-other-class", "1Gi", "other", "Retain", Map.of());
    await().atMost(WAIT).until(() -> "Available".equals(phase(volume("bind-small"))));
    assertThat(volume("bind-small").getMetadata().getFinalizers()).contains("kubernetes.io/pv-protection");
    pvc(ns, "data", "500Mi", "manual");

    await().atMost(WAIT).until(() -> "Bound".equals(phase(claim(ns, "data"))) && "Bound".equals(phase(volume("bind-small"))));
    PersistentVolumeClaim claim = claim(ns, "data");
    PersistentVolume v = volume("bind-small");
    assertThat(claim.getSpec().getVolumeName()).isEqualTo("bind-small");
    assertThat(claim.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bind-completed", "yes")
        .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
    assertThat(claim.getMetadata().getFinalizers()).contains("kubernetes.io/pvc-protection");
    assertThat(claim.getStatus().getCapacity().get("storage")).isEqualTo(new Quantity("1Gi"));
    assertThat(claim.getStatus().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(v.getSpec().getClaimRef().getUid()).isEqualTo(claim.getMetadata().getUid());
    assertThat(v.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
    assertThat(phase(volume("bind-big"))).isEqualTo("Available");

    // a bound volume is protected: deleting it waits for its claim to go
    c.persistentVolumes().withName("bind-small").delete();
    await().atMost(WAIT).until(() -> volume("bind-small").getMetadata().getDeletionTimestamp() != null);
    assertThat(phase(volume("bind-small"))).isEqualTo("Bound");
    c.persistentVolumeClaims().inNamespace(ns).withName("data").delete();
    await().atMost(WAIT).until(() -> claim(ns, "data") == null);
    // Retain: Released (and, being deleted, no longer protected)
    await().atMost(WAIT).until(() -> volume("bind-small") == null);
    assertThat(phase(volume("bind-big"))).isEqualTo("Available");
  }

  @Test
  void retainLeavesAReleasedVolumeAndDeleteWithoutAProvisionerFails() {
    String ns = cluster.namespace("reclaim");
    pv("reclaim-retain", "1Gi", "retain", "Retain", Map.of());
    pv("reclaim-delete", "1Gi", "delete", "Delete", Map.of());
    pvc(ns, "a", "1Gi", "retain");
    pvc(ns, "b", "1Gi", "delete");
    await().atMost(WAIT).until(() -> "Bound".equals(phase(claim(ns, "a"))) && "Bound".equals(phase(claim(ns, "b"))));
    c.persistentVolumeClaims().inNamespace(ns).withName("a").delete();
    c.persistentVolumeClaims().inNamespace(ns).withName("b").delete();
    await().atMost(WAIT).until(() -> "Released".equals(phase(volume("reclaim-retain"))));
    await().atMost(WAIT).until(() -> "Failed".equals(phase(volume("reclaim-delete"))));
    assertThat(volume("reclaim-delete").getStatus().getMessage())
        .isEqualTo("error getting deleter volume plugin for volume \"reclaim-delete\": no deletable volume plugin matched");
    // a Released volume keeps its claimRef: a new claim of the same name does not get it
    pvc(ns, "a", "1Gi", "retain");
    await().atMost(WAIT).untilAsserted(() -> assertThat(Fixtures.described(Fixtures.events(c, ns, "PersistentVolumeClaim", "a")))
        .anyMatch(e -> e.startsWith("ProvisioningFailed: storageclass.storage.k8s.io \"retain\" not found")));
    assertThat(phase(claim(ns, "a"))).isEqualTo("Pending");
    c.persistentVolumes().withName("reclaim-retain").delete();
    c.persistentVolumes().withName("reclaim-delete").delete();
  }

  @Test
  void preBoundClaimsAndVolumesAndSelectors() {
    String ns = cluster.namespace("prebound");
    pv("prebound-labelled", "1Gi", "", "Retain", Map.of("tier", "gold"));
    pv("prebound-plain", "1Gi", "", "Retain", Map.of());
    // the claim names its volume
    c.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
        .withName("named").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("")
        .withVolumeName("prebound-plain").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
        .endSpec().build()).create();
    // the claim selects by label
    c.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
        .withName("gold").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("")
        .withNewSelector().addToMatchLabels("tier", "gold").endSelector()
        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
    // nothing left for this one: Pending with upstream's event
    pvc(ns, "none", "1Gi", "");
    await().atMost(WAIT).until(() -> "Bound".equals(phase(claim(ns, "named"))) && "Bound".equals(phase(claim(ns, "gold"))));
    assertThat(claim(ns, "gold").getSpec().getVolumeName()).isEqualTo("prebound-labelled");
    // a claim that named its volume is not "bound by controller"
    assertThat(claim(ns, "named").getMetadata().getAnnotations()).doesNotContainKey("pv.kubernetes.io/bound-by-controller");
    await().atMost(WAIT).untilAsserted(() -> assertThat(Fixtures.described(Fixtures.events(c, ns, "PersistentVolumeClaim", "none")))
        .anyMatch(e -> e.startsWith("FailedBinding: no persistent volumes available for this claim and no storage class is set")));
    assertThat(phase(claim(ns, "none"))).isEqualTo("Pending");
    c.persistentVolumeClaims().inNamespace(ns).delete();
    await().atMost(WAIT).until(() -> "Released".equals(phase(volume("prebound-plain"))));
    c.persistentVolumes().withName("prebound-plain").delete();
    c.persistentVolumes().withName("prebound-labelled").delete();
  }

  @Test
  void aClaimInUseByAPodStaysUntilThePodIsGone() {
    String ns = cluster.namespace("inuse");
    pvc(ns, "used", "1Gi", "");
    c.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("user").endMetadata().withNewSpec()
        .addNewContainer().withName("c").withImage("busybox").endContainer()
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("used").endPersistentVolumeClaim()
        .endVolume().endSpec().build()).create();
    c.persistentVolumeClaims().inNamespace(ns).withName("used").delete();
    await().atMost(WAIT).until(() -> claim(ns, "used").getMetadata().getDeletionTimestamp() != null);
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> claim(ns, "used") != null);
    c.pods().inNamespace(ns).withName("user").withGracePeriod(0).delete();
    await().atMost(WAIT).until(() -> claim(ns, "used") == null);
  }

  @Test
  void localPathProvisionsOnTheSelectedNodeAndDeletesTheReleasedVolume() {
    String ns = cluster.namespace("localpath");
    c.nodes().resource(new NodeBuilder().withNewMetadata().withName("lp-node")
        .addToLabels("kubernetes.io/hostname", "lp-host")
        .addToAnnotations("planet.io/local-path-dir", "/srv/lp-node/storage").endMetadata().build()).create();
    c.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("lp-wait")
        .endMetadata().withProvisioner("planet.io/local-path").withReclaimPolicy("Delete")
        .withVolumeBindingMode("WaitForFirstConsumer").build()).create();
    pvc(ns, "data", "2Gi", "lp-wait");
    await().atMost(WAIT).untilAsserted(() -> assertThat(Fixtures.described(Fixtures.events(c, ns, "PersistentVolumeClaim", "data")))
        .anyMatch(e -> e.startsWith("WaitForFirstConsumer: waiting for first consumer to be created before binding")));
    assertThat(phase(claim(ns, "data"))).isEqualTo("Pending");
    assertThat(c.persistentVolumes().list().getItems()).noneMatch(v -> v.getSpec().getStorageClassName().equals("lp-wait"));

    // what the scheduler does once a consumer is scheduled
    Fixtures.retryOnConflict(() -> c.persistentVolumeClaims().inNamespace(ns).withName("data")
        .edit(x -> new PersistentVolumeClaimBuilder(x).editMetadata()
            .addToAnnotations("volume.kubernetes.io/selected-node", "lp-node").endMetadata().build()));
    await().atMost(WAIT).until(() -> "Bound".equals(phase(claim(ns, "data"))));
    PersistentVolumeClaim claim = claim(ns, "data");
    String pvName = "pvc-" + claim.getMetadata().getUid();
    assertThat(claim.getSpec().getVolumeName()).isEqualTo(pvName);
    assertThat(claim.getMetadata().getAnnotations()).containsEntry("volume.kubernetes.io/storage-provisioner",
        "planet.io/local-path");
    PersistentVolume v = volume(pvName);
    assertThat(v.getSpec().getHostPath().getPath()).isEqualTo("/srv/lp-node/storage/" + pvName);
    assertThat(v.getSpec().getHostPath().getType()).isEqualTo("DirectoryOrCreate");
    assertThat(v.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0).getMatchExpressions().get(0)
        .getValues()).containsExactly("lp-host");
    assertThat(v.getSpec().getCapacity().get("storage")).isEqualTo(new Quantity("2Gi"));
    assertThat(v.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
    assertThat(v.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/provisioned-by", "planet.io/local-path");
    assertThat(Fixtures.described(Fixtures.events(c, ns, "PersistentVolumeClaim", "data")))
        .anyMatch(e -> e.startsWith("ProvisioningSucceeded: Successfully provisioned volume " + pvName));

    // reclaim Delete: the claim goes, the volume goes
    c.persistentVolumeClaims().inNamespace(ns).withName("data").delete();
    await().atMost(WAIT).until(() -> volume(pvName) == null);
    c.storage().v1().storageClasses().withName("lp-wait").delete();
    c.nodes().withName("lp-node").delete();
  }

  @Test
  void localPathImmediateClassPicksAReadyNode() {
    String ns = cluster.namespace("immediate");
    c.nodes().resource(new NodeBuilder().withNewMetadata().withName("im-node").endMetadata().build()).create();
    var node = c.nodes().withName("im-node").get();
    node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().withConditions(new NodeConditionBuilder()
        .withType("Ready").withStatus("True").build()).build());
    c.nodes().resource(node).updateStatus();
    c.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("lp-now")
        .endMetadata().withProvisioner("planet.io/local-path").withReclaimPolicy("Retain").build()).create();
    pvc(ns, "now", "1Gi", "lp-now");
    await().atMost(WAIT).until(() -> "Bound".equals(phase(claim(ns, "now"))));
    PersistentVolume v = volume(claim(ns, "now").getSpec().getVolumeName());
    assertThat(v.getMetadata().getAnnotations()).containsEntry("planet.io/local-path-node", "im-node");
    assertThat(v.getSpec().getHostPath().getPath()).startsWith("/var/lib/planet/storage/pvc-");
    assertThat(Fixtures.described(Fixtures.events(c, ns, "PersistentVolumeClaim", "now")))
        .anyMatch(e -> e.startsWith("ExternalProvisioning: Waiting for a volume to be created either by the external "
            + "provisioner 'planet.io/local-path'"));
    // Retain: Released and kept
    c.persistentVolumeClaims().inNamespace(ns).withName("now").delete();
    await().atMost(WAIT).until(() -> "Released".equals(phase(volume(v.getMetadata().getName()))));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> volume(v.getMetadata().getName()) != null);
    c.persistentVolumes().withName(v.getMetadata().getName()).delete();
    c.storage().v1().storageClasses().withName("lp-now").delete();
    c.nodes().withName("im-node").delete();
  }
}
