package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Small accessors for objects held as JSON trees, with Go's zero-value semantics (absent = "" / 0 / false). */
final class Trees {
  private Trees() {}

  /** The child object, or null when absent or not an object. */
  static ObjectNode obj(JsonNode node, String field) {
    if (node == null) return null;
    JsonNode v = node.get(field);
    return v instanceof ObjectNode o ? o : null;
  }

  /** The child object, created when absent. */
  static ObjectNode with(ObjectNode node, String field) {
    JsonNode v = node.get(field);
    if (v instanceof ObjectNode o) return o;
    return node.putObject(field);
  }

  /** Object elements of a child array; empty when absent. */
  static List<ObjectNode> items(JsonNode node, String field) {
    List<ObjectNode> out = new ArrayList<>();
    if (node == null) return out;
    JsonNode v = node.get(field);
    if (v != null && v.isArray()) for (JsonNode e : v) if (e instanceof ObjectNode o) out.add(o);
    return out;
  }

  static ArrayNode array(JsonNode node, String field) {
    if (node == null) return null;
    JsonNode v = node.get(field);
    return v instanceof ArrayNode a ? a : null;
  }

  static String str(JsonNode node, String field) {
    if (node == null) return "";
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  static boolean has(JsonNode node, String field) {
    return node != null && node.hasNonNull(field);
  }

  static long num(JsonNode node, String field, long dflt) {
    if (node == null) return dflt;
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) return dflt;
    if (v.isNumber()) return v.asLong();
    try {
      return Long.parseLong(v.asText());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  static boolean bool(JsonNode node, String field) {
    return node != null && node.path(field).asBoolean(false);
  }

  static void putIfAbsent(ObjectNode node, String field, String value) {
    if (!node.hasNonNull(field) || (node.get(field).isTextual() && node.get(field).asText().isEmpty())) {
      node.put(field, value);
    }
  }

  static void putIfAbsent(ObjectNode node, String field, long value) {
    if (!node.hasNonNull(field)) node.put(field, value);
  }

  static void putIfAbsent(ObjectNode node, String field, boolean value) {
    if (!node.hasNonNull(field)) node.put(field, value);
  }

  static void objectIfAbsent(ObjectNode node, String field) {
    if (!node.hasNonNull(field)) node.putObject(field);
  }

  /** Whether a child is absent, null, or an empty object/array/string. */
  static boolean isEmpty(JsonNode node, String field) {
    if (node == null) return true;
    JsonNode v = node.get(field);
    return v == null || v.isNull() || (v.isContainerNode() && v.isEmpty()) || (v.isTextual() && v.asText().isEmpty());
  }

  /**
   * Equality as upstream's semantic DeepEqual sees it on JSON: nulls and empty lists are the same as absent
   * fields (Go's nil vs empty slices and maps).
   */
  static boolean semanticEquals(JsonNode a, JsonNode b) {
    return normalize(a).equals(normalize(b));
  }

  static JsonNode normalize(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return io.planet.api.Json.NODES.nullNode();
    if (n.isObject()) {
      ObjectNode out = io.planet.api.Json.object();
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (v == null || v.isNull() || (v.isArray() && v.isEmpty())) continue;
        out.set(e.getKey(), normalize(v));
      }
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = io.planet.api.Json.array();
      for (JsonNode e : n) out.add(normalize(e));
      return out;
    }
    if (n.isNumber()) return io.planet.api.Json.NODES.numberNode(n.decimalValue().stripTrailingZeros());
    return n;
  }

  static JsonNode copyOrNull(JsonNode n) {
    return n == null ? null : n.deepCopy();
  }
}
