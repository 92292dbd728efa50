package io.planet.node.network;

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
 * The results of successful ADDs, one file per attachment (network, container, interface), as libcni keeps them:
 * CHECK and DEL hand the ADD result to the plugins as prevResult, and DEL needs the ADD's capability arguments
 * (the port mappings to remove) even when the caller no longer has them.
 */
final class CniResultCache {
  /** One cached attachment. */
  record Entry(ObjectNode result, Map<String, Object> capabilityArgs) {}

  private final Path dir;

  CniResultCache(Path dir) {
    this.dir = dir;
  }

  void put(String network, CniRuntimeConf rt, ObjectNode result) throws IOException {
    Files.createDirectories(dir);
    ObjectNode entry = CniExec.JSON.createObjectNode();
    entry.put("networkName", network);
    entry.put("containerId", rt.containerId());
    entry.put("ifName", rt.ifName());
    entry.put("netns", rt.netns() == null ? "" : rt.netns().toString());
    entry.put("cniArgs", rt.cniArgs());
    entry.set("capabilityArgs", CniExec.JSON.valueToTree(rt.capabilityArgs()));
    entry.set("result", result);
    Path file = file(network, rt);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    Files.write(tmp, CniExec.JSON.writeValueAsBytes(entry));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  Optional<Entry> get(String network, CniRuntimeConf rt) throws IOException {
    Path file = file(network, rt);
    if (!Files.exists(file)) return Optional.empty();
    JsonNode entry = CniExec.JSON.readTree(file.toFile());
    Map<String, Object> capabilityArgs = new LinkedHashMap<>();
    entry.path("capabilityArgs").fields().forEachRemaining(
        f -> capabilityArgs.put(f.getKey(), CniExec.JSON.convertValue(f.getValue(), Object.class)));
    JsonNode result = entry.path("result");
    return Optional.of(new Entry(result.isObject() ? (ObjectNode) result : null, capabilityArgs));
  }

  void remove(String network, CniRuntimeConf rt) throws IOException {
    Files.deleteIfExists(file(network, rt));
  }

  Path file(String network, CniRuntimeConf rt) {
    return dir.resolve(network + "-" + rt.containerId() + "-" + rt.ifName());
  }
}
