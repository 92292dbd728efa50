package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node agent as a real process, killed with SIGKILL and started again on the same directories: running pods are
 * not restarted (same container, start time and restart count), their logs go on, and a pod whose container exited
 * while no agent ran reports its real exit code (root only).
 */
@Timeout(300)
class KubeletKillE2E {
  private static final Path PLANET = Path.of("../bin/planet").toAbsolutePath().normalize();
  private static final String NODE = "kill-node";

  static TestApiServer server;
  static KubernetesClient client;
  static Path work;
  static Path kubeconfig;
  static Process kubelet;
  static boolean bridgeExisted;
  static String image;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the node agent needs root");
    Assumptions.assumeTrue(Files.exists(Path.of("../cli/target/planet.jar")), "cli/target/planet.jar is not built");
    // the agent's command line uses the default bridge and /run/planet: leave a machine that has them alone
    bridgeExisted = Files.exists(Path.of("/sys/class/net/planet0"));
    Assumptions.assumeFalse(bridgeExisted, "planet0 exists (another node agent runs here)");
    work = Files.createTempDirectory("planet-kill-e2e-");
    Path archive = work.resolve("busybox.oci.tar");
    assertThat(new ProcessBuilder(Path.of("../scripts/build-busybox-image").toAbsolutePath().normalize().toString(),
        archive.toString()).inheritIO().start().waitFor()).isZero();
    // the store the agent will open (<data-dir>/images), filled as `planet image import` does
    image = new ArchiveImporter(new ImageStore(work.resolve("data/images"))).importArchive(archive, null).get(0).names().get(0);
    server = new TestApiServer();
    client = Fabric8.client(server);
    kubeconfig = server.writeKubeconfig(work);
    kubelet = startKubelet("first");
  }

  static Process startKubelet(String name) throws IOException {
    return new ProcessBuilder(PLANET.toString(), "kubelet", "--kubeconfig", kubeconfig.toString(), "--node-name", NODE,
        "--data-dir", work.resolve("data").toString(), "--pod-logs-dir", work.resolve("logs").toString(),
        "--pod-cidr", "10.247.7.0/24", "--port", "0")
        .redirectErrorStream(true).redirectOutput(work.resolve("kubelet-" + name + ".log").toFile()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inAnyNamespace().delete();
      await().atMost(Duration.ofSeconds(60)).until(() -> client.pods().inAnyNamespace().list().getItems().isEmpty());
    }
    if (kubelet != null) {
      kubelet.destroy();
      kubelet.waitFor();
    }
    if (client != null) client.close();
    if (server != null) server.close();
    if (!bridgeExisted) new ProcessBuilder("ip", "link", "del", "planet0").start().waitFor();
    if (work != null) {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  private static Pod pod(String name, String restartPolicy, String script) {
    return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", script).endContainer()
        .endSpec().build()).create();
  }

  private static ContainerStatus main(String pod) {
    Pod p = client.pods().inNamespace("default").withName(pod).get();
    List<ContainerStatus> s = p == null || p.getStatus() == null ? List.of() : p.getStatus().getContainerStatuses();
    return s == null || s.isEmpty() ? null : s.get(0);
  }

  private static boolean running(String pod) {
    ContainerStatus c = main(pod);
    return c != null && c.getState().getRunning() != null && Boolean.TRUE.equals(c.getReady());
  }

  @Test
  void killedAgentComesBackToItsRunningPods() throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> client.nodes().withName(NODE).get() != null);
    pod("ticker", "Always", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done");
    pod("quitter", "Never", "echo started; sleep 6; exit 3");
    await().atMost(Duration.ofSeconds(90)).until(() -> running("ticker") && running("quitter"));
    ContainerStatus before = main("ticker");

    kubelet.destroyForcibly(); // SIGKILL: no chance to clean up
    kubelet.waitFor();
    // the quitter exits while no agent runs; its shim keeps the exit code
    Path containers = work.resolve("data/containers");
    String quitterId = main("quitter").getContainerID().substring("runc://".length());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(containers.resolve(quitterId).resolve("exit")));

    kubelet = startKubelet("second");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      ContainerStatus q = main("quitter");
      assertThat(q.getState().getTerminated()).isNotNull();
      assertThat(q.getState().getTerminated().getExitCode()).isEqualTo(3);
      assertThat(client.pods().inNamespace("default").withName("quitter").get().getStatus().getPhase()).isEqualTo("Failed");
    });
    ContainerStatus after = main("ticker");
    assertThat(after.getContainerID()).isEqualTo(before.getContainerID());
    assertThat(after.getRestartCount()).isEqualTo(before.getRestartCount());
    assertThat(after.getState().getRunning().getStartedAt()).isEqualTo(before.getState().getRunning().getStartedAt());
    assertThat(running("ticker")).isTrue();

    // its output flows on into the same log, no tick missing across the agent's absence
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<Integer> ticks = new ArrayList<>();
      for (String line : client.pods().inNamespace("default").withName("ticker").getLog().split("\n")) {
        if (line.startsWith("tick ")) ticks.add(Integer.parseInt(line.substring(5).trim()));
      }
      assertThat(ticks.size()).isGreaterThan(15);
      for (int i = 0; i < ticks.size(); i++) assertThat(ticks.get(i)).isEqualTo(i + 1);
    });
  }
}
