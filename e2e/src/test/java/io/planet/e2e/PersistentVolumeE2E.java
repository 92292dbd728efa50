package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PersistentVolumeClaims as on kind or k3s, with kubectl: a claim of the default StorageClass (Planet's local-path
 * provisioner, WaitForFirstConsumer) waits for its pod, is provisioned on the pod's node and bound; what the pod
 * writes a recreated pod reads back; deleting the claim deletes the volume and its directory on the node.
 * API server, scheduler, controller-manager (all controllers) and a real kubelet (root only).
 */
@Timeout(300)
class PersistentVolumeE2E {
  static TestApiServer server;
  static KubernetesClient client;
  static SchedulerServer scheduler;
  static ControllerManager controllers;
  static Kubelet kubelet;
  static Kubectl kubectl;
  static Path work;
  static String bridge;
  static String image;

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the node agent needs root");
    work = Files.createTempDirectory("planet-pv-e2e-");
    Path archive = work.resolve("busybox.oci.tar");
    Process build = new ProcessBuilder(Path.of("../scripts/build-busybox-image").toAbsolutePath().normalize().toString(),
        archive.toString()).inheritIO().start();
    assertThat(build.waitFor()).isZero();

    server = new TestApiServer(c -> c.withGarbageCollector(true));
    client = Fabric8.client(server);
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
        io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(server.url()).build();
    scheduler = SchedulerServer.start(config, SchedulerOptions.defaults().withLeaderElection(false,
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)).withServing("127.0.0.1", 0));
    controllers = new ControllerManager(Fabric8.client(server), KnownControllers.select(List.of("*")),
        LeaderElection.defaults("e2e").withEnabled(false), "127.0.0.1", 0).start();
    Kubelet.Paths paths = new Kubelet.Paths(work.resolve("data"), work.resolve("run"), work.resolve("logs"), Path.of("/run/netns"));
    bridge = "pp" + Long.toHexString(System.nanoTime() & 0xffffffL);
    kubelet = new Kubelet(Fabric8.client(server), NodeStatusManager.Options.defaults("pv-node", paths.dataDir()), paths,
        Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(10),
        PodNetworking.cni(client, "pv-node", null, work.resolve("cni"), bridge), 0);
    image = new ArchiveImporter(kubelet.images()).importArchive(archive, null).get(0).names().get(0);
    kubelet.start();
    kubectl = new Kubectl(installed.get(0), server.writeKubeconfig(work), work);
  }

  @AfterAll
  static void stop() throws Exception {
    if (kubectl != null) kubectl.run("delete", "pods,pvc", "--all", "--wait=true", "--timeout=60s");
    if (kubelet != null) kubelet.close();
    if (controllers != null) controllers.close();
    if (scheduler != null) scheduler.close();
    if (client != null) client.close();
    if (server != null) server.close();
    if (bridge != null) new ProcessBuilder("ip", "link", "del", bridge).start().waitFor();
    if (work != null) {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  private static String pod(String name, String script) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: [sh, -c, '%s']
            volumeMounts: [{name: data, mountPath: /data}]
          volumes:
          - name: data
            persistentVolumeClaim: {claimName: data}
        """.formatted(name, image, script);
  }

  @Test
  void aClaimOfTheDefaultClassIsProvisionedForItsPodKeepsDataAndGoesWithTheClaim() throws Exception {
    // what `planet start` creates (SingleNodeCluster), here by hand: the server under test is a bare API server
    kubectl.runWithInput("""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          name: standard
          annotations: {storageclass.kubernetes.io/is-default-class: "true"}
        provisioner: planet.io/local-path
        reclaimPolicy: Delete
        volumeBindingMode: WaitForFirstConsumer
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        """, "apply", "-f", "-").assertSuccess();
    // no consumer yet: Pending, waiting for one
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(kubectl.run("describe", "pvc", "data")
        .assertSuccess().stdout()).containsPattern("StorageClass: +standard").containsPattern("Status: +Pending")
        .containsPattern("Normal +WaitForFirstConsumer .* persistentvolume-controller +waiting for first consumer to "
            + "be created before binding"));

    kubectl.runWithInput(pod("writer", "echo persisted > /data/file; exec sleep 1000"), "apply", "-f", "-").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/writer", "--timeout=90s").assertSuccess();
    kubectl.run("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "--timeout=30s").assertSuccess();
    var pvc = kubectl.getJson("pvc", "data");
    String pv = pvc.at("/spec/volumeName").asText();
    assertThat(pv).isEqualTo("pvc-" + pvc.at("/metadata/uid").asText());
    assertThat(pvc.at("/metadata/annotations").path("volume.kubernetes.io/selected-node").asText()).isEqualTo("pv-node");
    assertThat(kubectl.run("get", "pv", pv).assertSuccess().stdout())
        .containsPattern(pv + " +1Gi +RWO +Delete +Bound +default/data +standard");
    assertThat(kubectl.run("exec", "writer", "--", "cat", "/data/file").assertSuccess().stdout()).isEqualTo("persisted\n");
    // the scheduler bound the pod only once its claim was bound: the kubelet never had to wait for it
    assertThat(kubectl.run("describe", "pod", "writer").assertSuccess().stdout()).doesNotContain("FailedMount");
    Path dir = work.resolve("data/storage").resolve(pv);
    assertThat(Files.readString(dir.resolve("file"))).isEqualTo("persisted\n");

    // the pod goes, the data stays for the next one
    kubectl.run("delete", "pod", "writer", "--wait=true", "--timeout=60s").assertSuccess();
    kubectl.runWithInput(pod("reader", "exec sleep 1000"), "apply", "-f", "-").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/reader", "--timeout=90s").assertSuccess();
    assertThat(kubectl.run("exec", "reader", "--", "cat", "/data/file").assertSuccess().stdout()).isEqualTo("persisted\n");

    // a claim in use is protected: deleting it waits for its pod
    kubectl.run("delete", "pvc", "data", "--wait=false").assertSuccess();
    assertThat(kubectl.run("get", "pvc", "data").assertSuccess().stdout()).containsPattern("data +Terminating");
    kubectl.run("delete", "pod", "reader", "--wait=true", "--timeout=60s").assertSuccess();
    kubectl.run("wait", "--for=delete", "pvc/data", "--timeout=30s").assertSuccess();
    // reclaim Delete: the volume goes, and the node removes its directory
    kubectl.run("wait", "--for=delete", "pv/" + pv, "--timeout=30s").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(dir));
  }

  @Test
  void aStatefulSetsClaimTemplateKeepsItsDataWhenThePodIsReplaced() throws Exception {
    kubectl.runWithInput("""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          name: standard
          annotations: {storageclass.kubernetes.io/is-default-class: "true"}
        provisioner: planet.io/local-path
        reclaimPolicy: Delete
        volumeBindingMode: WaitForFirstConsumer
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          replicas: 1
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: %s
                command: [sh, -c, 'date +%%s%%N >> /var/lib/db/starts; exec sleep 1000']
                volumeMounts: [{name: state, mountPath: /var/lib/db}]
          volumeClaimTemplates:
          - metadata: {name: state}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        """.formatted(image), "apply", "-f", "-").assertSuccess();
    kubectl.run("rollout", "status", "statefulset/db", "--timeout=120s").assertSuccess();
    assertThat(kubectl.run("get", "pvc", "state-db-0").assertSuccess().stdout())
        .containsPattern("state-db-0 +Bound +pvc-\\S+ +1Gi +RWO +standard");
    String firstUid = kubectl.getJson("pod", "db-0").at("/metadata/uid").asText();
    kubectl.run("delete", "pod", "db-0", "--wait=true", "--timeout=60s").assertSuccess();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      var pod = kubectl.getJson("pod", "db-0");
      assertThat(pod.at("/metadata/uid").asText()).isNotEqualTo(firstUid);
      assertThat(kubectl.run("exec", "db-0", "--", "cat", "/var/lib/db/starts").assertSuccess().stdout().lines())
          .hasSize(2);
    });
    kubectl.run("delete", "statefulset", "db", "--wait=true", "--timeout=60s").assertSuccess();
    kubectl.run("delete", "pvc", "state-db-0", "--wait=true", "--timeout=60s").assertSuccess();
  }
}
