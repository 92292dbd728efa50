package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node joins a cluster ({@code planet join}, {@code planet start --role=node}): the master's API server and the
 * token discovery settings. Saved without the token as {@code <run-dir>/join.json}, which {@code planet status} reads.
 */
record JoinOptions(String server, String token, List<String> caCertHashes, boolean unsafeSkipCaVerification) {
  JoinOptions {
    caCertHashes = caCertHashes == null ? List.of() : List.copyOf(caCertHashes);
  }

  static Path file(Path runDir) {
    return runDir.resolve("join.json");
  }

  void save(Path runDir) throws IOException {
    ObjectNode o = ClusterConfig.JSON.createObjectNode();
    o.put("server", server);
    caCertHashes.forEach(o.putArray("caCertHashes")::add);
    ClusterConfig.JSON.writerWithDefaultPrettyPrinter().writeValue(file(runDir).toFile(), o);
  }

  static JoinOptions load(Path runDir) throws IOException {
    if (!Files.exists(file(runDir))) return null;
    JsonNode o = ClusterConfig.JSON.readTree(file(runDir).toFile());
    List<String> hashes = new ArrayList<>();
    o.path("caCertHashes").forEach(h -> hashes.add(h.asText()));
    return new JoinOptions(o.path("server").asText(), null, hashes, false);
  }
}
