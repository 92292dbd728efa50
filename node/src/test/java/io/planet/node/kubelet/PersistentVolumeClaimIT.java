package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * persistentVolumeClaim volumes on a real kubelet: a pod whose claim is unbound waits in ContainerCreating with
 * upstream's FailedMount message; once the claim is bound to a local-path style volume (hostPath DirectoryOrCreate
 * under the node's storage directory) the kubelet makes the directory and mounts it; what one pod writes the next
 * pod reads (read-only, and through a subPath); the directory goes when the PersistentVolume goes. No controllers
 * run here: the test binds the claim as the persistentvolume-binder would.
 */
class PersistentVolumeClaimIT {
  static final String NODE = "pvc-it";
  static KubeletHarness h;
  static final Duration WAIT = Duration.ofSeconds(40);
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;

  @BeforeAll
  static void start() throws Exception {
    h = KubeletHarness.start(NODE, "pv", k -> k);
    apiServer = h.apiServer; client = h.client; kubelet = h.kubelet(); tmp = h.tmp; image = h.image; bridge = h.bridge;
  }

  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  @Test
  void aClaimBoundToALocalPathVolumeKeepsItsDataAcrossPodsAndGoesWithTheVolume() throws Exception {
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace("default").resource(
        new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").endMetadata().withNewSpec()
            .withAccessModes("ReadWriteOnce").withStorageClassName("standard").withNewResources()
            .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
    client.pods().inNamespace("default").resource(pod("writer", "data", false, false,
        "mkdir -p /data/nested && echo kept > /data/nested/file && sleep 1000", "Always")).create();

    // unbound: ContainerCreating with upstream's FailedMount
    await().atMost(WAIT).until(() -> client.v1().events().inNamespace("default").list().getItems().stream()
        .anyMatch(e -> "writer".equals(e.getInvolvedObject().getName()) && "FailedMount".equals(e.getReason())
            && e.getMessage().equals("Unable to attach or mount volumes: unmounted volumes=[data], unattached "
                + "volumes=[data]: error processing PVC default/data: PVC is not bound")));
    // the status may be posted just after the event
    await().atMost(WAIT).untilAsserted(() -> {
      Pod waiting = client.pods().inNamespace("default").withName("writer").get();
      assertThat(waiting.getStatus().getContainerStatuses()).isNotEmpty();
      assertThat(waiting.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
          .isEqualTo("ContainerCreating");
    });

    // bound as the binder and the local-path provisioner would: the directory does not exist yet
    String pvName = "pvc-" + claim.getMetadata().getUid();
    Path dir = tmp.resolve("data/storage").resolve(pvName);
    assertThat(dir).doesNotExist();
    client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(pvName)
        .addToAnnotations("pv.kubernetes.io/provisioned-by", "planet.io/local-path").endMetadata().withNewSpec()
        .addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce").withStorageClassName("standard")
        .withPersistentVolumeReclaimPolicy("Delete").withNewHostPath(dir.toString(), "DirectoryOrCreate")
        .withNewClaimRef().withNamespace("default").withName("data").withUid(claim.getMetadata().getUid()).endClaimRef()
        .endSpec().build()).create();
    PersistentVolumeClaim bound = client.persistentVolumeClaims().inNamespace("default").withName("data")
        .edit(c -> new PersistentVolumeClaimBuilder(c).editSpec().withVolumeName(pvName).endSpec().build());
    bound.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
    client.persistentVolumeClaims().inNamespace("default").resource(bound).updateStatus();

    await().atMost(WAIT).untilAsserted(() -> assertThat(dir.resolve("nested/file")).as(() -> "writer: "
        + client.pods().inNamespace("default").withName("writer").get().getStatus() + " events: "
        + client.v1().events().inNamespace("default").list().getItems().stream().map(e -> e.getReason() + " " + e.getMessage())
            .toList()).exists());
    assertThat(Files.readString(dir.resolve("nested/file"))).isEqualTo("kept\n");
    assertThat(Files.getPosixFilePermissions(dir)).hasSize(9); // 0777: any user in the pod may write
    delete("writer");
    assertThat(Files.readString(dir.resolve("nested/file"))).isEqualTo("kept\n");

    // a new pod reads it back, read-only through the claim, and through a subPath
    client.pods().inNamespace("default").resource(pod("reader", "data", true, true,
        "cat /data/nested/file && cat /sub/file && ! touch /data/other", "Never")).create();
    await().atMost(WAIT).until(() -> "Succeeded".equals(phase("reader")) || "Failed".equals(phase("reader")));
    assertThat(phase("reader")).isEqualTo("Succeeded");
    assertThat(dir.resolve("other")).doesNotExist();
    delete("reader");

    // the volume deleted (the provisioner's reclaim): the node removes its directory
    client.persistentVolumeClaims().inNamespace("default").withName("data")
        .edit(c -> new PersistentVolumeClaimBuilder(c).editMetadata().withFinalizers(List.of()).endMetadata().build());
    client.persistentVolumeClaims().inNamespace("default").withName("data").delete();
    client.persistentVolumes().withName(pvName)
        .edit(v -> new PersistentVolumeBuilder(v).editMetadata().withFinalizers(List.of()).endMetadata().build());
    client.persistentVolumes().withName(pvName).delete();
    await().atMost(WAIT).until(() -> !Files.exists(dir));
    assertThat(client.nodes().withName(NODE).get().getMetadata().getAnnotations())
        .containsEntry("planet.io/local-path-dir", tmp.resolve("data/storage").toAbsolutePath().toString());
  }

  /** {@code subPath}: also mount the volume's nested/ at /sub (it must exist by then). */
  private static Pod pod(String name, String claim, boolean readOnly, boolean subPath, String script, String restart) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeName(NODE)
        .withRestartPolicy(restart).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", script)
        .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
        .endContainer().endSpec();
    if (subPath) {
      b.editSpec().editFirstContainer().addNewVolumeMount().withName("data").withMountPath("/sub").withSubPath("nested")
          .endVolumeMount().endContainer().endSpec();
    }
    return b.editSpec()
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(readOnly)
        .endPersistentVolumeClaim().endVolume().endSpec().build();
  }

  private static String phase(String name) {
    Pod p = client.pods().inNamespace("default").withName(name).get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static void delete(String name) {
    client.pods().inNamespace("default").withName(name).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace("default").withName(name).get() == null);
  }
}
