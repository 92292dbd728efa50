package io.planet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's pruning of custom resources (apiextensions-apiserver schema/pruning and objectmeta coercion): fields a
 * structural schema does not specify are dropped unless {@code x-kubernetes-preserve-unknown-fields} is set;
 * {@code apiVersion}, {@code kind} and {@code metadata} of the root and of {@code x-kubernetes-embedded-resource}
 * objects are kept, their metadata cut down to ObjectMeta's fields. Nulls of non-nullable fields without a default
 * are dropped too. What was dropped is returned as the paths field validation reports ({@code spec.foo},
 * {@code spec.items[0].bar}, {@code metadata.bogus}).
 */
public final class Pruning {
  private Pruning() {}

  private static final Set<String> META_FIELDS = Set.of("apiVersion", "kind", "metadata");

  /** Prunes a whole custom resource in place; {@code schema} null prunes nothing but metadata. */
  public static List<String> prune(ObjectNode obj, StructuralSchema schema) {
    List<String> out = new ArrayList<>();
    pruneObjectMeta(obj, "", out);
    if (schema == null) return out;
    prune(obj, schema, true, "", out);
    pruneNonNullableNulls(obj, schema);
    return out;
  }

  /** Prunes a value (e.g. a schema's default) by its own schema; an embedded resource keeps its type and metadata. */
  static void pruneValue(JsonNode value, StructuralSchema s) {
    prune(value, s, s.embeddedResource, "", new ArrayList<>());
  }

  private static void prune(JsonNode x, StructuralSchema s, boolean embedded, String path, List<String> out) {
    if (s != null && s.preserveUnknownFields) {
      skipPrune(x, s, embedded, path, out);
      return;
    }
    if (x instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        String p = join(path, k);
        if (s != null && embedded && META_FIELDS.contains(k)) {
          if (k.equals("metadata") && !path.isEmpty()) pruneObjectMeta(o, path, out);
          continue;
        }
        StructuralSchema prop = s == null ? null : s.properties.get(k);
        if (prop != null) {
          prune(e.getValue(), prop, prop.embeddedResource, p, out);
        } else if (s != null && s.hasAdditionalProperties) {
          StructuralSchema ap = s.additionalProperties;
          prune(e.getValue(), ap, ap != null && ap.embeddedResource, p, out);
        } else {
          out.add(p);
          it.remove();
        }
      }
    } else if (x instanceof ArrayNode a) {
      StructuralSchema items = s == null ? null : s.items;
      for (int i = 0; i < a.size(); i++) {
        prune(a.get(i), items, items != null && items.embeddedResource, path + "[" + i + "]", out);
      }
    }
  }

  /** Below x-kubernetes-preserve-unknown-fields: unknown fields stay, specified ones are still pruned inside. */
  private static void skipPrune(JsonNode x, StructuralSchema s, boolean embedded, String path, List<String> out) {
    if (x instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        if (embedded && META_FIELDS.contains(k)) {
          if (k.equals("metadata") && !path.isEmpty()) pruneObjectMeta(o, path, out);
          continue;
        }
        StructuralSchema prop = s.properties.get(k);
        if (prop != null) {
          prune(e.getValue(), prop, prop.embeddedResource, join(path, k), out);
        } else if (s.additionalProperties != null) {
          prune(e.getValue(), s.additionalProperties, s.additionalProperties.embeddedResource, join(path, k), out);
        }
      }
    } else if (x instanceof ArrayNode a && s.items != null) {
      for (int i = 0; i < a.size(); i++) {
        skipPrune(a.get(i), s.items, s.items.embeddedResource, path + "[" + i + "]", out);
      }
    }
  }

  /** The metadata of a resource (root or embedded) keeps only ObjectMeta's fields, recursively. */
  private static void pruneObjectMeta(ObjectNode resource, String path, List<String> out) {
    JsonNode meta = resource.get("metadata");
    if (meta instanceof ObjectNode) pruneKnown(Schemas.objectMeta(), meta, join(path, "metadata"), out);
  }

  private static void pruneKnown(Schema s, JsonNode n, String path, List<String> out) {
    if (s == null || n == null) return;
    switch (s.type()) {
      case OBJECT -> {
        if (!(n instanceof ObjectNode o)) return;
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          Schema child = s.property(e.getKey());
          if (child != null) {
            pruneKnown(child, e.getValue(), join(path, e.getKey()), out);
          } else if (!s.preserveUnknownFields()) {
            out.add(join(path, e.getKey()));
            it.remove();
          }
        }
      }
      case ARRAY -> {
        if (!(n instanceof ArrayNode a)) return;
        for (int i = 0; i < a.size(); i++) pruneKnown(s.items(), a.get(i), path + "[" + i + "]", out);
      }
      case MAP -> {
        if (!(n instanceof ObjectNode o)) return;
        o.fields().forEachRemaining(e -> pruneKnown(s.additionalProperties(), e.getValue(), join(path, e.getKey()), out));
      }
      default -> { }
    }
  }

  /**
   * Drops nulls of fields that are neither nullable nor defaulted (upstream's PruneNonNullableNullsWithoutDefaults);
   * non-nullable nulls with a default are left for defaulting to replace.
   */
  static void pruneNonNullableNulls(JsonNode x, StructuralSchema s) {
    if (x instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        StructuralSchema f = s == null ? null : s.field(e.getKey());
        if (e.getValue().isNull() && f != null && !f.nullable && f.defaultValue == null) it.remove();
        else pruneNonNullableNulls(e.getValue(), f);
      }
    } else if (x instanceof ArrayNode a) {
      for (JsonNode v : a) pruneNonNullableNulls(v, s == null ? null : s.items);
    }
  }

  private static String join(String path, String k) {
    return path.isEmpty() ? k : path + "." + k;
  }
}
