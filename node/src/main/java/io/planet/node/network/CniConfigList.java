package io.planet.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A network configuration list (a ".conflist"): the network's name and CNI version, and the plugins that are
 * chained for every attachment, in order. Each plugin object carries its {@code type} (the binary) and its own
 * fields; name, cniVersion, prevResult and runtimeConfig are added per invocation.
 */
public record CniConfigList(String name, String cniVersion, List<ObjectNode> plugins) {

  public CniConfigList {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("network name is required");
    if (plugins == null || plugins.isEmpty()) throw new IllegalArgumentException("a network needs plugins");
    for (ObjectNode p : plugins) {
      if (!p.path("type").isTextual()) throw new IllegalArgumentException("plugin without type: " + p);
    }
    plugins = List.copyOf(plugins);
  }

  public static CniConfigList parse(JsonNode json) {
    List<ObjectNode> plugins = new ArrayList<>();
    for (JsonNode p : json.path("plugins")) plugins.add((ObjectNode) p.deepCopy());
    return new CniConfigList(json.path("name").asText(""), json.path("cniVersion").asText(""), plugins);
  }

  /** The conflist file form. */
  public ObjectNode toJson() {
    ObjectNode o = CniExec.JSON.createObjectNode();
    o.put("cniVersion", cniVersion);
    o.put("name", name);
    ArrayNode list = o.putArray("plugins");
    for (ObjectNode p : plugins) list.add(p.deepCopy());
    return o;
  }
}
