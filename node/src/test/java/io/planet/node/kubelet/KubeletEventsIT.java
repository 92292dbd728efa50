package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubelet's core/v1 Events, as {@code kubectl describe pod} lists them: upstream's reasons and messages, the
 * container as the pod's fieldPath, source kubelet on this node, repeats counted on one event.
 */
class KubeletEventsIT {
  static final String NODE = "events-it";
  static KubeletHarness h;
  static final Duration WAIT = Duration.ofSeconds(45);
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;

  @BeforeAll
  static void start() throws Exception {
    h = KubeletHarness.start(NODE, "pe", k -> k);
    apiServer = h.apiServer; client = h.client; kubelet = h.kubelet(); tmp = h.tmp; image = h.image;
    bridge = h.bridge;
  }

  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  private static PodBuilder pod(String name, String script) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withImagePullPolicy("IfNotPresent")
        .withCommand("sh", "-c", script).endContainer().endSpec();
  }

  private static Pod create(PodBuilder pod) {
    return client.pods().inNamespace("default").resource(pod.build()).create();
  }

  private static Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  /** The events of one object, in namespace default (pods here, and the node's). */
  private static List<Event> events(String object) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> object.equals(e.getInvolvedObject().getName())).toList();
  }

  private static List<Event> events(String object, String reason) {
    return events(object).stream().filter(e -> reason.equals(e.getReason())).toList();
  }

  @Test
  void aPodRunningTellsPulledCreatedStartedPerContainerAndKillingOnDelete() {
    Pod created = create(pod("ev-web", "exec sleep 1000").editSpec()
        .addNewInitContainer().withName("setup").withImage(image).withImagePullPolicy("IfNotPresent")
        .withCommand("true").endInitContainer().endSpec());
    await().atMost(WAIT).until(() -> "Running".equals(get("ev-web").getStatus().getPhase()));
    String uid = created.getMetadata().getUid();

    await().atMost(WAIT).untilAsserted(() -> {
      List<Event> events = events("ev-web");
      assertThat(events).extracting(e -> e.getType() + " " + e.getReason() + " " + e.getInvolvedObject().getFieldPath()
          + " " + e.getMessage()).contains(
          "Normal Pulled spec.initContainers{setup} Container image \"" + image + "\" already present on machine",
          "Normal Created spec.initContainers{setup} Created container setup",
          "Normal Started spec.initContainers{setup} Started container setup",
          "Normal Pulled spec.containers{main} Container image \"" + image + "\" already present on machine",
          "Normal Created spec.containers{main} Created container main",
          "Normal Started spec.containers{main} Started container main");
      assertThat(events).allSatisfy(e -> {
        assertThat(e.getSource().getComponent()).isEqualTo("kubelet");
        assertThat(e.getSource().getHost()).isEqualTo(NODE);
        assertThat(e.getReportingComponent()).isEqualTo("kubelet");
        assertThat(e.getReportingInstance()).isEqualTo(NODE);
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("v1");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(uid);
        assertThat(e.getCount()).isEqualTo(1);
      });
    });

    client.pods().inNamespace("default").withName("ev-web").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("ev-web", "Killing")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Normal");
      assertThat(e.getMessage()).isEqualTo("Stopping container main");
      assertThat(e.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}");
    }));
  }

  @Test
  void aFailingLivenessProbeTellsUnhealthyThenKilling() {
    create(pod("ev-sick", "exec sleep 1000").editSpec().editFirstContainer()
        .withNewLivenessProbe().withNewExec().withCommand("cat", "/tmp/healthy").endExec().withPeriodSeconds(1)
        .withFailureThreshold(2).endLivenessProbe().endContainer().endSpec());

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(events("ev-sick", "Unhealthy")).singleElement().satisfies(e -> {
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getMessage()).startsWith("Liveness probe failed: ").contains("/tmp/healthy");
        assertThat(e.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}");
        // every failure is told, on one event
        assertThat(e.getCount()).isGreaterThanOrEqualTo(2);
      });
      assertThat(events("ev-sick", "Killing")).singleElement().satisfies(e -> {
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getMessage()).isEqualTo("Container main failed liveness probe, will be restarted");
      });
    });
    client.pods().inNamespace("default").withName("ev-sick").withGracePeriod(0).delete();
  }

  @Test
  void aCrashLoopTellsBackOffAndCountsTheRestarts() {
    Pod created = create(pod("ev-crash", "exit 3"));
    String expected = "Back-off restarting failed container main in pod ev-crash_default(" + created.getMetadata().getUid()
        + ")";

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(events("ev-crash", "BackOff")).singleElement().satisfies(e -> {
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getMessage()).isEqualTo(expected);
        assertThat(e.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}");
      });
      // the repeated starts are one event each, counted
      assertThat(events("ev-crash", "Started")).singleElement()
          .satisfies(e -> assertThat(e.getCount()).isGreaterThanOrEqualTo(2));
    });
    client.pods().inNamespace("default").withName("ev-crash").withGracePeriod(0).delete();
  }

  @Test
  void anImageThatCannotBePulledTellsFailedAndBackOff() {
    // nothing listens on port 1: the pull fails at once
    String missing = "127.0.0.1:1/nope:1";
    create(pod("ev-noimage", "true").editSpec().editFirstContainer().withImage(missing).endContainer().endSpec());

    await().atMost(WAIT).untilAsserted(() -> {
      List<Event> events = events("ev-noimage");
      assertThat(events).allSatisfy(e -> assertThat(e.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}"));
      assertThat(events).extracting(e -> e.getType() + " " + e.getReason() + " " + e.getMessage()).contains(
          "Normal Pulling Pulling image \"" + missing + "\"",
          "Warning Failed Error: ErrImagePull",
          "Normal BackOff Back-off pulling image \"" + missing + "\"",
          "Warning Failed Error: ImagePullBackOff");
      assertThat(events).filteredOn(e -> e.getMessage().startsWith("Failed to pull image \"" + missing + "\": "))
          .singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
      assertThat(get("ev-noimage").getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
          .isIn("ErrImagePull", "ImagePullBackOff");
    });
    client.pods().inNamespace("default").withName("ev-noimage").withGracePeriod(0).delete();
  }

  @Test
  void aMissingConfigMapVolumeTellsFailedMount() {
    create(pod("ev-nomount", "exec sleep 1000").editSpec()
        .addNewVolume().withName("cfg").withNewConfigMap().withName("absent").endConfigMap().endVolume()
        .editFirstContainer().addNewVolumeMount().withName("cfg").withMountPath("/cfg").endVolumeMount().endContainer()
        .endSpec());

    await().atMost(WAIT).untilAsserted(() -> assertThat(events("ev-nomount", "FailedMount")).singleElement()
        .satisfies(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).isEqualTo("MountVolume.SetUp failed for volume \"cfg\" : configmap \"absent\" not found");
          assertThat(e.getInvolvedObject().getFieldPath()).isNull();
          assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        }));
    client.pods().inNamespace("default").withName("ev-nomount").withGracePeriod(0).delete();
  }

  @Test
  void theNodeTellsItsStartAndItsConditions() {
    await().atMost(WAIT).untilAsserted(() -> {
      List<Event> events = events(NODE);
      assertThat(events).extracting(e -> e.getReason() + ": " + e.getMessage()).contains(
          "Starting: Starting kubelet.",
          "NodeHasSufficientPID: Node " + NODE + " status is now: NodeHasSufficientPID",
          "NodeReady: Node " + NODE + " status is now: NodeReady");
      assertThat(events).allSatisfy(e -> {
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(NODE);
        assertThat(e.getSource().getComponent()).isEqualTo("kubelet");
        assertThat(e.getSource().getHost()).isEqualTo(NODE);
      });
    });
  }
}
