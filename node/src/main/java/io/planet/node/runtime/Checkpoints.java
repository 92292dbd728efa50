package io.planet.node.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent writes next to each container and sandbox so that a new agent process can adopt them: small JSON
 * files, replaced atomically (a crash leaves the old file or the new one, never half of one).
 */
final class Checkpoints {
  private Checkpoints() {}

  /** A container: its pod, log, shim process (pid and start time, so a reused pid is not mistaken for it), labels. */
  record ContainerCheckpoint(String id, String podId, Path log, boolean stdin, long shimPid, long shimStartMillis,
      Map<String, String> labels) {
    ContainerCheckpoint {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * A sandbox: the pod it belongs to (labels), its IP once the network is set up, and which of the node's namespaces
   * it shares (a checkpoint without them predates host namespaces: none).
   */
  record SandboxCheckpoint(String id, Map<String, String> labels, String podIp, PodSandbox.HostNamespaces host,
      boolean sharedPid) {
    SandboxCheckpoint {
      labels = Map.copyOf(labels);
      host = host == null ? PodSandbox.HostNamespaces.NONE : host;
    }

    SandboxCheckpoint(String id, Map<String, String> labels, String podIp, PodSandbox.HostNamespaces host) {
      this(id, labels, podIp, host, false);
    }
  }

  static void write(Path file, ContainerCheckpoint c) throws IOException {
    ObjectNode o = OciSpec.JSON.createObjectNode();
    o.put("id", c.id());
    o.put("podId", c.podId());
    o.put("log", c.log().toString());
    o.put("stdin", c.stdin());
    o.put("shimPid", c.shimPid());
    o.put("shimStartMillis", c.shimStartMillis());
    o.set("labels", OciSpec.JSON.valueToTree(new java.util.TreeMap<>(c.labels())));
    replace(file, o);
  }

  static Optional<ContainerCheckpoint> readContainer(Path file) {
    return read(file).map(o -> new ContainerCheckpoint(o.path("id").asText(), o.path("podId").asText(),
        Path.of(o.path("log").asText()), o.path("stdin").asBoolean(), o.path("shimPid").asLong(),
        o.path("shimStartMillis").asLong(), labels(o)));
  }

  static void write(Path file, SandboxCheckpoint s) throws IOException {
    ObjectNode o = OciSpec.JSON.createObjectNode();
    o.put("id", s.id());
    o.set("labels", OciSpec.JSON.valueToTree(new java.util.TreeMap<>(s.labels())));
    if (s.podIp() != null) o.put("podIp", s.podIp());
    if (s.host().any()) {
      ObjectNode host = o.putObject("hostNamespaces");
      host.put("network", s.host().network());
      host.put("pid", s.host().pid());
      host.put("ipc", s.host().ipc());
    }
    // shareProcessNamespace: its containers join the pause process recorded in the sandbox's directory
    if (s.sharedPid()) o.put("sharedPidNamespace", true);
    replace(file, o);
  }

  static Optional<SandboxCheckpoint> readSandbox(Path file) {
    return read(file).map(o -> new SandboxCheckpoint(o.path("id").asText(), labels(o),
        o.hasNonNull("podIp") ? o.path("podIp").asText() : null,
        new PodSandbox.HostNamespaces(o.path("hostNamespaces").path("network").asBoolean(false),
            o.path("hostNamespaces").path("pid").asBoolean(false), o.path("hostNamespaces").path("ipc").asBoolean(false)),
        o.path("sharedPidNamespace").asBoolean(false)));
  }

  private static Map<String, String> labels(JsonNode o) {
    Map<String, String> out = new LinkedHashMap<>();
    o.path("labels").fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
    return out;
  }

  private static Optional<JsonNode> read(Path file) {
    try {
      JsonNode o = OciSpec.JSON.readTree(file.toFile());
      return o != null && o.hasNonNull("id") ? Optional.of(o) : Optional.empty();
    } catch (IOException e) {
      // missing or unreadable: nothing to adopt, the leftovers are removed
      return Optional.empty();
    }
  }

  private static void replace(Path file, ObjectNode o) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, OciSpec.JSON.writeValueAsBytes(o));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
