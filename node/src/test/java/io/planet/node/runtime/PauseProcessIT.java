package io.planet.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.node.image.ImageStore;
import io.planet.node.image.ImageStoreAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A shareProcessNamespace sandbox's pause process: PID 1 of a PID namespace of its own, without privileges, recorded
 * so that a new agent finds it again, and killed with the sandbox, whether recorded or not (a node reset removes
 * every sandbox through {@link RuncRuntime#removeAll}).
 */
class PauseProcessIT {
  Path tmp;
  RuncRuntime runtime;

  @BeforeEach
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("planet-pause");
    runtime = new RuncRuntime(new ImageStore(tmp.resolve("images")), tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("netns"));
  }

  @AfterEach
  void tearDown() throws Exception {
    runtime.removeAll();
    ImageStoreAccess.deleteTree(tmp);
  }

  /** Host network and IPC, so that nothing but the PID namespace is the pod's own. */
  PodSandbox sharedPidSandbox() {
    return runtime.sandbox(UUID.randomUUID().toString()).withHostNamespaces(new PodSandbox.HostNamespaces(true, false, true))
        .withSharedPid(true);
  }

  @Test
  void thePauseIsPid1OfItsOwnNamespaceUnprivilegedAndRecorded() throws Exception {
    PodSandbox sandbox = sharedPidSandbox();
    runtime.recordSandbox(sandbox, Map.of("k", "v"), null);
    sandbox.create("ignored");
    assertThat(sandbox.exists()).isTrue();
    Path pidns = sandbox.pidns();
    assertThat(pidns).isNotNull();
    long pid = Long.parseLong(pidns.getParent().getParent().getFileName().toString());
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    assertThat(status).containsPattern("NSpid:\\s+" + pid + "\\s+1\\n").containsPattern("Uid:\\s+65535\\s")
        .contains("CapEff:\t0000000000000000");
    assertThat(Files.readSymbolicLink(pidns)).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));

    // a new agent reads it back with its shared PID namespace
    List<RuncRuntime.RecordedSandbox> recorded = runtime.recordedSandboxes();
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).sandbox().sharedPid()).isTrue();
    assertThat(recorded.get(0).ready()).isTrue();
    assertThat(recorded.get(0).sandbox().pidns()).isEqualTo(pidns);

    // the node reset's removal kills it
    runtime.removeAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
    assertThat(tmp.resolve("run/pods/" + sandbox.id())).doesNotExist();
  }

  @Test
  void aPauseWithoutARecordIsRemovedAsAnOrphanAndADeadOneMakesTheSandboxNotReady() throws Exception {
    PodSandbox sandbox = sharedPidSandbox();
    sandbox.create("ignored");
    long pid = Long.parseLong(sandbox.pidns().getParent().getParent().getFileName().toString());
    runtime.removeOrphans();
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
    assertThat(tmp.resolve("run/pods/" + sandbox.id())).doesNotExist();

    PodSandbox other = sharedPidSandbox();
    runtime.recordSandbox(other, Map.of(), null);
    other.create("ignored");
    ProcessHandle.of(Long.parseLong(other.pidns().getParent().getParent().getFileName().toString()))
        .ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(Duration.ofSeconds(10)).until(() -> !runtime.recordedSandboxes().get(0).ready());
    assertThat(other.pidns()).isNull();
  }
}
