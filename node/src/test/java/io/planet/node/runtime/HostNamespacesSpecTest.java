package io.planet.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hostNetwork/hostPID/hostIPC in a container's OCI spec and in the sandbox checkpoint a new agent adopts from. */
class HostNamespacesSpecTest {
  static final ContainerSpec CONTAINER = new ContainerSpec("main", List.of("sleep", "1"), List.of(), "/", 0, 0, List.of(),
      false, false, List.of(), List.of(), ContainerSpec.Resources.NONE, List.of());

  @TempDir
  Path tmp;

  @Test
  void aPodWithItsOwnNamespacesJoinsThemByPath() {
    PodSandbox sandbox = PodSandbox.of("uid-1", tmp.resolve("run"), tmp.resolve("netns"));
    ObjectNode spec = OciSpec.build(CONTAINER, sandbox, tmp.resolve("rootfs"), "/planet/poduid-1/c");
    assertThat(namespaces(spec)).containsExactly("pid", "mount", "network=" + tmp.resolve("netns/planet-uid-1"),
        "ipc=" + tmp.resolve("run/pods/uid-1/ipc"), "uts=" + tmp.resolve("run/pods/uid-1/uts"));
    assertThat(shm(spec).path("type").asText()).isEqualTo("tmpfs");
  }

  @Test
  void hostNamespacesAreLeftOutSoTheContainerStaysInTheNodes() {
    PodSandbox sandbox = PodSandbox.of("uid-2", tmp.resolve("run"), tmp.resolve("netns"))
        .withHostNamespaces(new PodSandbox.HostNamespaces(true, true, true));
    assertThat(sandbox.netns()).isNull();
    assertThat(sandbox.uts()).isNull();
    assertThat(sandbox.ipc()).isNull();
    ObjectNode spec = OciSpec.build(CONTAINER, sandbox, tmp.resolve("rootfs"), "/planet/poduid-2/c");
    assertThat(namespaces(spec)).containsExactly("mount");
    assertThat(shm(spec).path("source").asText()).isEqualTo("/dev/shm");
    assertThat(shm(spec).path("type").asText()).isEqualTo("bind");

    // hostNetwork alone: the node's network and hostname, the pod's own PID and IPC namespaces
    PodSandbox net = PodSandbox.of("uid-3", tmp.resolve("run"), tmp.resolve("netns"))
        .withHostNamespaces(new PodSandbox.HostNamespaces(true, false, false));
    assertThat(namespaces(OciSpec.build(CONTAINER, net, tmp.resolve("rootfs"), "/c")))
        .containsExactly("pid", "mount", "ipc=" + tmp.resolve("run/pods/uid-3/ipc"));
  }

  @Test
  void aSandboxWithNoNamespaceOfItsOwnExistsWhileItsRunDirectoryDoes() throws Exception {
    PodSandbox sandbox = PodSandbox.of("uid-4", tmp.resolve("run"), tmp.resolve("netns"))
        .withHostNamespaces(new PodSandbox.HostNamespaces(true, false, true));
    assertThat(sandbox.exists()).isFalse();
    sandbox.create("ignored");
    assertThat(sandbox.exists()).isTrue();
    assertThat(tmp.resolve("netns")).doesNotExist();
    sandbox.destroy();
    assertThat(sandbox.exists()).isFalse();
    assertThat(tmp.resolve("run/pods/uid-4")).doesNotExist();
  }

  @Test
  void checkpointsRememberTheHostNamespaces() throws Exception {
    Path file = tmp.resolve("s.json");
    PodSandbox.HostNamespaces host = new PodSandbox.HostNamespaces(true, false, true);
    Checkpoints.write(file, new Checkpoints.SandboxCheckpoint("uid-5", Map.of("a", "b"), "10.0.0.5", host));
    assertThat(Checkpoints.readSandbox(file)).hasValueSatisfying(cp -> assertThat(cp.host()).isEqualTo(host));
    // one written before host namespaces existed: the pod had all its own
    Files.writeString(file, "{\"id\":\"uid-6\",\"labels\":{},\"podIp\":\"10.0.0.6\"}");
    assertThat(Checkpoints.readSandbox(file)).hasValueSatisfying(cp -> assertThat(cp.host()).isEqualTo(PodSandbox.HostNamespaces.NONE));
  }

  @Test
  void checkpointsRememberASharedPidNamespaceAndHostPidWins() throws Exception {
    Path file = tmp.resolve("s.json");
    Checkpoints.write(file, new Checkpoints.SandboxCheckpoint("uid-7", Map.of(), null, PodSandbox.HostNamespaces.NONE, true));
    assertThat(Checkpoints.readSandbox(file)).hasValueSatisfying(cp -> assertThat(cp.sharedPid()).isTrue());
    Files.writeString(file, "{\"id\":\"uid-8\",\"labels\":{}}");
    assertThat(Checkpoints.readSandbox(file)).hasValueSatisfying(cp -> assertThat(cp.sharedPid()).isFalse());
    // shareProcessNamespace with hostPID: the node's PID namespace, as upstream (NamespaceMode NODE)
    PodSandbox both = PodSandbox.of("uid-9", tmp.resolve("run"), tmp.resolve("netns"))
        .withHostNamespaces(new PodSandbox.HostNamespaces(false, true, false)).withSharedPid(true);
    assertThat(both.sharedPid()).isFalse();
    assertThat(namespaces(OciSpec.build(CONTAINER, both, tmp.resolve("rootfs"), "/c"))).doesNotContain("pid");
  }

  private static List<String> namespaces(ObjectNode spec) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : spec.path("linux").path("namespaces")) {
      out.add(n.path("type").asText() + (n.has("path") ? "=" + n.path("path").asText() : ""));
    }
    return out;
  }

  private static JsonNode shm(ObjectNode spec) {
    for (JsonNode m : spec.path("mounts")) if (m.path("destination").asText().equals("/dev/shm")) return m;
    throw new AssertionError("no /dev/shm mount");
  }
}
