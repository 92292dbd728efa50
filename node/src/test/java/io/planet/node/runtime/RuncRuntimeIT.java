package io.planet.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.Image;
import io.planet.node.image.ImageStore;
import io.planet.node.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real containers: runc on overlay root filesystems from the busybox image, in pod sandboxes (root only). */
class RuncRuntimeIT {
  static Path tmp;
  static ImageStore images;
  static Image busybox;
  static RuncRuntime runtime;
  final List<PodSandbox> sandboxes = new ArrayList<>();
  final List<String> containers = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    tmp = Files.createTempDirectory("planet-runtime");
    images = new ImageStore(tmp.resolve("images"));
    busybox = new ArchiveImporter(images).importArchive(TestImages.busybox(), null).get(0);
    runtime = new RuncRuntime(images, tmp.resolve("state"), tmp.resolve("run"), Path.of("/run/netns"));
  }

  @AfterEach
  void removeAll() throws Exception {
    for (String c : containers) {
      runtime.stop(c, Duration.ZERO);
      runtime.remove(c);
    }
    for (PodSandbox s : sandboxes) runtime.removeSandbox(s);
  }

  @AfterAll
  static void cleanUp() throws IOException {
    io.planet.node.image.ImageStoreAccess.deleteTree(tmp);
  }

  private PodSandbox pod(String hostname) throws IOException {
    PodSandbox s = runtime.sandbox(UUID.randomUUID().toString());
    s.create(hostname);
    sandboxes.add(s);
    return s;
  }

  private RuncRuntime.Container run(PodSandbox pod, String name, ContainerSpec spec) throws IOException {
    String id = pod.id().substring(0, 8) + "-" + name;
    containers.add(id);
    return runtime.start(pod, id, busybox, spec, tmp.resolve("logs").resolve(id + ".log"));
  }

  private static ContainerSpec sh(String name, String script) {
    return ContainerSpec.of(name, List.of("sh", "-c", script), List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello"));
  }

  @Test
  void runsAContainerAndKeepsItsOutputAndExitCode() throws Exception {
    PodSandbox pod = pod("web-0");
    RuncRuntime.Container c = run(pod, "main", sh("main", "echo $GREETING from $(hostname); echo oops >&2; exit 3"));
    assertThat(c.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
    List<String> log = Files.readAllLines(c.logPath());
    assertThat(log).anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F hello from web-0"));
    assertThat(log).anyMatch(l -> l.endsWith(" stderr F oops"));
  }

  @Test
  void containersOfAPodShareItsNetwork() throws Exception {
    PodSandbox pod = pod("pair");
    RuncRuntime.Container server = run(pod, "server",
        sh("server", "mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 8080 -h /www"));
    RuncRuntime.Container client = run(pod, "client", sh("client",
        "for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1"));
    assertThat(client.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(Files.readString(client.logPath())).contains("stdout F pong");
    assertThat(server.running()).isTrue();
  }

  @Test
  void securitySettingsApply() throws Exception {
    PodSandbox pod = pod("secure");
    ContainerSpec base = sh("c", "id -u; id -g; touch /probe && echo writable || echo read-only");
    ContainerSpec nobody = new ContainerSpec("c", base.args(), base.env(), "/tmp", 65534, 65534, List.of(), false, true,
        List.of(), List.of(), ContainerSpec.Resources.NONE, List.of());
    RuncRuntime.Container c = run(pod, "nobody", nobody);
    assertThat(c.awaitExit(Duration.ofSeconds(30))).isZero();
    String log = Files.readString(c.logPath());
    assertThat(log).contains("stdout F 65534\n").contains("stdout F read-only");
  }

  @Test
  void stopEscalatesToSigkillAfterTheGracePeriod() throws Exception {
    PodSandbox pod = pod("sleeper");
    // PID 1 without a handler ignores SIGTERM: only the SIGKILL after the grace period ends it
    RuncRuntime.Container c = run(pod, "sleep", ContainerSpec.of("sleep", List.of("/bin/sleep", "1000"), List.of()));
    long start = System.nanoTime();
    runtime.stop(c.id(), Duration.ofSeconds(1));
    assertThat(c.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void removingLeavesNothingBehind() throws Exception {
    PodSandbox pod = runtime.sandbox(UUID.randomUUID().toString());
    pod.create("gone");
    String id = pod.id().substring(0, 8) + "-main";
    RuncRuntime.Container c = runtime.start(pod, id, busybox, ContainerSpec.of("main", List.of("/bin/sleep", "1000"), List.of()),
        tmp.resolve("logs").resolve(id + ".log"));
    assertThat(Mounts.under(tmp.resolve("state"))).isNotEmpty();
    assertThat(Cgroups.anyExists(RuncRuntime.cgroupsPath(pod.id(), id))).isTrue();
    assertThatThrownBy(() -> runtime.remove(id)).hasMessageContaining("is running");

    runtime.stop(id, Duration.ofSeconds(1));
    runtime.remove(id);
    runtime.removeSandbox(pod);
    assertThat(Mounts.under(tmp.resolve("state"))).isEmpty();
    assertThat(runtime.runc().list()).doesNotContain(id);
    assertThat(Files.exists(tmp.resolve("state/containers").resolve(id))).isFalse();
    assertThat(Files.exists(pod.netns())).isFalse();
    assertThat(Mounts.under(tmp.resolve("run"))).isEmpty();
    assertThat(Cgroups.anyExists(RuncRuntime.podCgroup(pod.id()))).isFalse();
  }
}
