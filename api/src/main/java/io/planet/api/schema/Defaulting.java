package io.planet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Upstream's structural defaulting of custom resources (apiextensions-apiserver schema/defaulting): a missing field,
 * or a null one that is not nullable, gets the schema's {@code default} (deep-copied); defaults apply below
 * properties, additionalProperties and items. Runs on writes and on every read from storage.
 */
public final class Defaulting {
  private Defaulting() {}

  /** Applies the defaults of {@code s} to {@code x} in place. */
  public static void apply(JsonNode x, StructuralSchema s) {
    if (s == null || !s.hasDefaults) return;
    if (x instanceof ObjectNode o) {
      for (Map.Entry<String, StructuralSchema> e : s.properties.entrySet()) {
        StructuralSchema prop = e.getValue();
        if (prop.defaultValue == null) continue;
        JsonNode v = o.get(e.getKey());
        if (v == null || v.isNull() && !prop.nullable) o.set(e.getKey(), prop.defaultValue.deepCopy());
      }
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        StructuralSchema prop = s.properties.get(k);
        if (prop != null) {
          apply(o.get(k), prop);
        } else if (s.additionalProperties != null) {
          StructuralSchema ap = s.additionalProperties;
          if (o.get(k).isNull() && !ap.nullable && ap.defaultValue != null) o.set(k, ap.defaultValue.deepCopy());
          apply(o.get(k), ap);
        }
      }
    } else if (x instanceof ArrayNode a) {
      StructuralSchema items = s.items;
      if (items == null) return;
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isNull() && !items.nullable && items.defaultValue != null) a.set(i, items.defaultValue.deepCopy());
        apply(a.get(i), items);
      }
    }
  }

  /** Whether {@link #apply} would change {@code x}: lets reads share the stored object when nothing is missing. */
  public static boolean needed(JsonNode x, StructuralSchema s) {
    if (s == null || !s.hasDefaults) return false;
    if (x instanceof ObjectNode o) {
      for (Map.Entry<String, StructuralSchema> e : s.properties.entrySet()) {
        StructuralSchema prop = e.getValue();
        JsonNode v = o.get(e.getKey());
        if (prop.defaultValue != null && (v == null || v.isNull() && !prop.nullable)) return true;
        if (v != null && needed(v, prop)) return true;
      }
      if (s.additionalProperties != null) {
        StructuralSchema ap = s.additionalProperties;
        var it = o.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          if (s.properties.containsKey(e.getKey())) continue;
          if (e.getValue().isNull() && !ap.nullable && ap.defaultValue != null) return true;
          if (needed(e.getValue(), ap)) return true;
        }
      }
    } else if (x instanceof ArrayNode a && s.items != null) {
      for (JsonNode v : a) {
        if (v.isNull() && !s.items.nullable && s.items.defaultValue != null) return true;
        if (needed(v, s.items)) return true;
      }
    }
    return false;
  }
}
