package io.planet.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.Image;
import io.planet.node.image.ImageStore;
import io.planet.node.image.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  void stdinStaysOpenUntilClosedForGoodAndLeavesNoHolder() throws Exception {
    PodSandbox pod = pod("reader");
    RuncRuntime.Container c = run(pod, "cat", sh("cat", "cat; echo stdin closed").withStdin(true));
    c.stdin().write("first\n".getBytes(StandardCharsets.UTF_8));
    c.stdin().flush();
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(c.logPath()).contains("stdout F first"));
    long holder = Long.parseLong(Files.readString(tmp.resolve("state/containers").resolve(c.id())
        .resolve(ContainerShim.STDIN_HOLDER)).trim());
    assertThat(ProcessHandle.of(holder)).isPresent();

    c.stdin().write("second".getBytes(StandardCharsets.UTF_8));
    c.stdin().flush();
    c.closeStdin();
    assertThat(c.awaitExit(Duration.ofSeconds(10))).isZero();
    assertThat(Files.readString(c.logPath())).contains("second").contains("stdin closed");
    assertThat(ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void theShimEndsTheStdinHolderWhenTheContainerExits() throws Exception {
    PodSandbox pod = pod("early");
    RuncRuntime.Container c = run(pod, "quit", sh("quit", "exit 0").withStdin(true));
    Path holderFile = tmp.resolve("state/containers").resolve(c.id()).resolve(ContainerShim.STDIN_HOLDER);
    assertThat(c.awaitExit(Duration.ofSeconds(10))).isZero();
    long holder = Long.parseLong(Files.readString(holderFile).trim());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(holder).map(h -> !h.isAlive()).orElse(true));
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
  void aContainerWithATtyRunsOnAControllingTerminalOfItsOwnWhoseSizeFollowsResizes() throws Exception {
    PodSandbox pod = pod("terminal");
    RuncRuntime.Container c = run(pod, "tty", sh("tty", "printf 'ready> '; read go; [ -t 0 ] && [ -t 1 ] && [ -t 2 ]"
        + " && echo on a tty; (: </dev/tty) && echo controlling; tty; echo TERM=$TERM; read again; stty size;"
        + " echo oops >&2; exit 3").withStdin(true).withTty(true));
    // a prompt has no newline: it reaches the log (where attach reads it) as a partial line at once
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(c.logPath()).contains(" stdout P ready> \n"));
    write(c, "go\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> terminalOutput(c).contains("TERM="));
    assertThat(c.terminal()).isPresent();
    stty(c, 100, 30);
    write(c, "again\n");
    assertThat(c.awaitExit(Duration.ofSeconds(10))).isEqualTo(3);
    // a terminal ends its lines with CR LF, and echoes input
    assertThat(terminalOutput(c)).contains("ready> go\r\non a tty\r\ncontrolling\r\n/dev/pts/0\r\nTERM=xterm\r\n")
        .contains("again\r\n30 100\r\noops\r\n");
    // one stream, as a terminal's
    assertThat(Files.readString(c.logPath())).doesNotContain(" stderr ");
    assertThat(c.terminal()).isEmpty();
  }

  @Test
  void aTtyContainerWithoutStdinSeesNoEndOfInputAndStops() throws Exception {
    PodSandbox pod = pod("no-input");
    // pid 1 ignores SIGTERM: the SIGKILL after the grace period ends it, and runc under script reports it
    RuncRuntime.Container c = run(pod, "tty", sh("tty", "tty; read line; echo read $? $line").withTty(true));
    await().atMost(Duration.ofSeconds(10)).until(() -> terminalOutput(c).contains("/dev/pts/"));
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(c::running);
    runtime.stop(c.id(), Duration.ofSeconds(1));
    assertThat(c.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
    assertThat(Files.readString(c.logPath())).doesNotContain("read ");
  }

  /** The container's output as its CRI log records it: partial lines joined, full ones ended with a newline. */
  private static String terminalOutput(RuncRuntime.Container c) throws IOException {
    StringBuilder out = new StringBuilder();
    // split at LF only: the lines of a terminal's output end with CR
    for (String line : Files.readString(c.logPath()).split("\n")) {
      String[] parts = line.split(" ", 4);
      out.append(parts.length == 4 ? parts[3] : "").append(parts[2].equals("F") ? "\n" : "");
    }
    return out.toString();
  }

  private static void write(RuncRuntime.Container c, String text) throws IOException {
    c.stdin().write(text.getBytes(StandardCharsets.UTF_8));
    c.stdin().flush();
  }

  /** Sets the window size of the container's terminal, as an attach with a tty does. */
  private static void stty(RuncRuntime.Container c, int cols, int rows) throws Exception {
    Process p = new ProcessBuilder("stty", "-F", c.terminal().orElseThrow().toString(), "cols", Integer.toString(cols),
        "rows", Integer.toString(rows)).redirectErrorStream(true).start();
    assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
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

  @Test
  void aContainerOutOfMemoryIsReportedOomKilled() throws Exception {
    PodSandbox pod = pod("hungry");
    ContainerSpec base = sh("hungry", "head -c 64m /dev/zero | tail");
    ContainerSpec limited = new ContainerSpec("hungry", base.args(), base.env(), "/", 0, 0, List.of(), false, false,
        List.of(), List.of(), new ContainerSpec.Resources(null, null, null, 16L << 20), List.of());
    RuncRuntime.Container c = run(pod, "hungry", limited);
    RuncRuntime.ExitStatus exit = c.exit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(exit.code()).isEqualTo(137);
    assertThat(exit.oomKilled()).isTrue();
    // a container that ends on its own is not
    RuncRuntime.Container fine = run(pod, "fine", sh("fine", "exit 0"));
    assertThat(fine.exit().get(30, java.util.concurrent.TimeUnit.SECONDS).oomKilled()).isFalse();
  }

  /** A runtime on directories of its own, as a second agent process would find them. */
  private static RuncRuntime agent(String name) throws IOException {
    return new RuncRuntime(images, tmp.resolve(name).resolve("state"), tmp.resolve(name).resolve("run"), Path.of("/run/netns"));
  }

  private static int ticks(Path log) throws IOException {
    return (int) Files.readAllLines(log).stream().filter(l -> l.contains(" stdout F tick ")).count();
  }

  @Test
  void aNewRuntimeAdoptsARunningContainerWithItsOutput() throws Exception {
    RuncRuntime first = agent("adopt-running");
    PodSandbox pod = first.sandbox(UUID.randomUUID().toString());
    pod.create("adopted");
    String id = pod.id().substring(0, 8) + "-ticker";
    Path log = tmp.resolve("logs").resolve(id + ".log");
    RuncRuntime second = null;
    try {
      first.start(pod, id, busybox, sh("ticker", "i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.05; done"), log,
          Map.of("io.kubernetes.container.name", "ticker"));
      await().atMost(Duration.ofSeconds(10)).until(() -> ticks(log) >= 5);
      String pid = first.runc().state(id).orElseThrow().path("pid").asText();
      first.close();
      // no agent: the container runs on, its output waiting in its pipe
      int detachedAt = ticks(log);
      await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> first.runc().state(id).orElseThrow().path("status").asText().equals("running"));
      assertThat(ticks(log)).isEqualTo(detachedAt);

      second = agent("adopt-running");
      List<RuncRuntime.Container> adopted = second.recoverContainers();
      second.removeOrphans();
      assertThat(adopted).singleElement().satisfies(c -> {
        assertThat(c.id()).isEqualTo(id);
        assertThat(c.running()).isTrue();
        assertThat(c.logPath()).isEqualTo(log);
        assertThat(c.labels()).containsEntry("io.kubernetes.container.name", "ticker");
      });
      assertThat(second.runc().state(id).orElseThrow().path("pid").asText()).isEqualTo(pid);
      // what it wrote meanwhile reaches the log, and what it writes next
      await().atMost(Duration.ofSeconds(10)).until(() -> ticks(log) >= detachedAt + 30);
      List<String> lines = Files.readAllLines(log);
      for (int i = 0; i < detachedAt + 30; i++) {
        String tick = " stdout F tick " + i;
        assertThat(lines).as("tick %d of %s (detached at %d)", i, lines, detachedAt).filteredOn(l -> l.endsWith(tick)).hasSize(1);
      }
      second.stop(id, Duration.ofSeconds(1));
      assertThat(adopted.get(0).awaitExit(Duration.ofSeconds(10))).isIn(137, 143);
      second.remove(id);
      second.removeSandbox(pod);
      assertThat(second.runc().list()).doesNotContain(id);
      assertThat(Mounts.under(tmp.resolve("adopt-running"))).isEmpty();
      assertThat(Cgroups.anyExists(RuncRuntime.podCgroup(pod.id()))).isFalse();
      assertThat(Files.exists(pod.netns())).isFalse();
    } finally {
      removeQuietly(second != null ? second : first, pod, id);
    }
  }

  @Test
  void aNewRuntimeAdoptsATtyContainerAndResizesItsTerminal() throws Exception {
    RuncRuntime first = agent("adopt-tty");
    PodSandbox pod = first.sandbox(UUID.randomUUID().toString());
    pod.create("adopted-tty");
    String id = pod.id().substring(0, 8) + "-shell";
    Path log = tmp.resolve("logs").resolve(id + ".log");
    RuncRuntime second = null;
    try {
      first.start(pod, id, busybox, sh("shell", "while read line; do [ \"$line\" = quit ] && exit 5; stty size; done")
          .withStdin(true).withTty(true), log);
      first.close();

      second = agent("adopt-tty");
      RuncRuntime.Container c = second.recoverContainers().get(0);
      assertThat(c.running()).isTrue();
      stty(c, 120, 40);
      write(c, "size\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> terminalOutput(c).contains("size\r\n40 120\r\n"));
      write(c, "quit\n");
      assertThat(c.awaitExit(Duration.ofSeconds(10))).isEqualTo(5);
      second.remove(id);
      second.removeSandbox(pod);
      assertThat(second.runc().list()).doesNotContain(id);
      assertThat(Mounts.under(tmp.resolve("adopt-tty"))).isEmpty();
    } finally {
      removeQuietly(second != null ? second : first, pod, id);
    }
  }

  @Test
  void aContainerThatExitsWhileNoAgentFollowsItKeepsItsExitCodeAndLastOutput() throws Exception {
    RuncRuntime first = agent("adopt-exited");
    PodSandbox pod = first.sandbox(UUID.randomUUID().toString());
    pod.create("exiting");
    String id = pod.id().substring(0, 8) + "-waiter";
    Path log = tmp.resolve("logs").resolve(id + ".log");
    Path state = tmp.resolve("adopt-exited/state/containers").resolve(id);
    RuncRuntime second = null;
    try {
      first.start(pod, id, busybox, sh("waiter", "echo waiting; while [ ! -e /go ]; do sleep 0.05; done; echo bye; exit 7"), log);
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("stdout F waiting"));
      first.close();
      Files.createFile(state.resolve("rootfs/go"));
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(state.resolve("exit")));
      assertThat(Files.readString(log)).doesNotContain("bye");

      second = agent("adopt-exited");
      RuncRuntime.Container c = second.recoverContainers().get(0);
      assertThat(c.awaitExit(Duration.ofSeconds(10))).isEqualTo(7);
      assertThat(c.exit().get().oomKilled()).isFalse();
      assertThat(Files.readString(log)).contains("stdout F bye");
      // and a third agent finds it exited, with the same status
      second.close();
      RuncRuntime third = agent("adopt-exited");
      second = third;
      RuncRuntime.Container again = third.recoverContainers().get(0);
      assertThat(again.running()).isFalse();
      assertThat(again.exit().get().code()).isEqualTo(7);
      third.remove(id);
      third.removeSandbox(pod);
      assertThat(third.runc().list()).doesNotContain(id);
      assertThat(Mounts.under(tmp.resolve("adopt-exited"))).isEmpty();
    } finally {
      removeQuietly(second != null ? second : first, pod, id);
    }
  }

  @Test
  void stateLeftWithoutProcessesIsRemoved() throws Exception {
    // what a reboot leaves: checkpoints whose shims and namespaces are gone
    RuncRuntime first = agent("stale");
    PodSandbox pod = first.sandbox(UUID.randomUUID().toString());
    first.recordSandbox(pod, Map.of("io.kubernetes.pod.uid", pod.id()), "10.0.0.9");
    pod.create("stale");
    String id = pod.id().substring(0, 8) + "-gone";
    first.start(pod, id, busybox, ContainerSpec.of("gone", List.of("/bin/sleep", "1000"), List.of()),
        tmp.resolve("logs").resolve(id + ".log"));
    first.close();
    // a reboot ends the shim, the container and the namespaces
    long shimPid = OciSpec.JSON.readTree(tmp.resolve("stale/state/containers").resolve(id).resolve("container.json").toFile())
        .path("shimPid").asLong();
    ProcessHandle shim = ProcessHandle.of(shimPid).orElseThrow();
    shim.destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> !shim.isAlive());
    first.runc().delete(id);
    pod.destroy();
    for (Path m : Mounts.under(tmp.resolve("stale"))) Commands.run("umount", m.toString());

    RuncRuntime second = agent("stale");
    try {
      assertThat(second.recordedSandboxes()).singleElement().satisfies(r -> {
        assertThat(r.ready()).isFalse();
        assertThat(r.podIp()).isEqualTo("10.0.0.9");
      });
      RuncRuntime.Container c = second.recoverContainers().get(0);
      assertThat(c.running()).isFalse();
      assertThat(c.exit().get().code()).isEqualTo(255);
      second.remove(id);
      second.removeSandbox(pod);
      second.removeOrphans();
      assertThat(second.recordedSandboxes()).isEmpty();
      assertThat(Files.list(tmp.resolve("stale/state/containers")).toList()).isEmpty();
      assertThat(Cgroups.anyExists(RuncRuntime.podCgroup(pod.id()))).isFalse();
    } finally {
      removeQuietly(second, pod, id);
    }
  }

  private static void removeQuietly(RuncRuntime runtime, PodSandbox pod, String id) {
    try {
      runtime.recoverContainers();
      runtime.stop(id, Duration.ZERO);
      runtime.remove(id);
      runtime.removeSandbox(pod);
      runtime.close();
    } catch (Exception e) {
      // best effort after a failure
    }
  }
}
