package io.planet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) with the apply-side semantics of
 * k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch, server options: parallel lists merged, unmatched
 * nulls ignored).
 *
 * <ul>
 *   <li>Maps merge recursively; a null value deletes the key.</li>
 *   <li>Lists whose schema says patchStrategy "merge" merge by patchMergeKey (lists of maps) or by value (lists of
 *       primitives); other lists, and fields the schema does not know, are replaced atomically.</li>
 *   <li>Directives: {@code $patch: replace|delete} on maps and list elements, {@code $retainKeys},
 *       {@code $setElementOrder/<list>}, {@code $deleteFromPrimitiveList/<list>}. They never reach the result.</li>
 * </ul>
 *
 * <p>Errors follow apiserver's interpretStrategicMergePatchError: malformed directive formats are 400 BadRequest,
 * lists of lists 422 Invalid, and everything else is passed through as a plain error (500, empty reason) with
 * upstream's text.
 */
public final class StrategicMergePatch {
  static final String DIRECTIVE = "$patch";
  static final String RETAIN_KEYS = "$retainKeys";
  static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
  static final String SET_ELEMENT_ORDER = "$setElementOrder";

  private static final String REPLACE = "replace";
  private static final String DELETE = "delete";
  private static final String MERGE = "merge";
  private static final String RETAIN_KEYS_STRATEGY = "retainKeys";

  private StrategicMergePatch() {}

  /**
   * Applies {@code patch} to a copy of {@code doc}; {@code doc} is never modified. {@code schema} is the object's
   * top-level schema, or null to patch without schema information (maps merge, lists are replaced).
   */
  public static JsonNode apply(JsonNode doc, JsonNode patch, Schema schema) {
    ObjectNode original;
    if (doc == null || doc.isNull() || doc.isMissingNode()) {
      original = Json.object();
    } else if (doc instanceof ObjectNode o) {
      original = o.deepCopy();
    } else {
      throw new IllegalArgumentException("strategic merge patch applies to objects, not " + GoValues.jsonKind(doc));
    }
    // Decoding null into a Go map leaves it empty: a null patch is a no-op.
    if (patch == null || patch.isNull() || patch.isMissingNode()) return original;
    if (!patch.isObject()) {
      throw PatchErrors.badRequest("json: cannot unmarshal " + GoValues.jsonKind(patch)
          + " into Go value of type map[string]interface {}");
    }
    return mergeMap(original, ((ObjectNode) patch).deepCopy(), schema);
  }

  private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, Schema schema) {
    if (patch.has(DIRECTIVE)) {
      JsonNode directive = patch.get(DIRECTIVE);
      if (isText(directive, REPLACE)) {
        patch.remove(DIRECTIVE);
        return (ObjectNode) sanitize(patch);
      }
      if (isText(directive, DELETE)) return Json.object();
      throw PatchErrors.unknown(badPatchType(directive, patch));
    }
    applyRetainKeys(original, patch);
    mergeSetElementOrder(original, patch, schema);

    for (String key : fieldNames(patch)) {
      JsonNode patchV = patch.get(key);
      String k = key;
      boolean isDeleteList = false;
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
        isDeleteList = true;
      }
      if (patchV.isNull()) {
        original.remove(k);
        continue;
      }
      JsonNode origV = original.get(k);
      if (origV == null || GoValues.kind(origV) != GoValues.kind(patchV)) {
        if (!isDeleteList) original.set(k, sanitize(patchV));
        continue;
      }
      Schema field = fieldSchema(schema, k);
      if (origV.isObject()) {
        String strategy = strategy(field);
        original.set(k, REPLACE.equals(strategy)
            ? sanitize(patchV)
            : mergeMap((ObjectNode) origV, (ObjectNode) patchV, field));
      } else if (origV.isArray()) {
        original.set(k, mergeSliceHandler(elements(origV), elements(patchV), field, isDeleteList));
      } else {
        original.set(k, patchV);
      }
    }
    return original;
  }

  /** $retainKeys: keys of the map not listed are cleared; every key the patch sets must be listed. */
  private static void applyRetainKeys(ObjectNode original, ObjectNode patch) {
    if (!patch.has(RETAIN_KEYS)) return;
    JsonNode list = patch.remove(RETAIN_KEYS);
    if (!list.isArray()) throw PatchErrors.badRequest("invalid patch format of retainKeys");
    Set<String> retained = new HashSet<>();
    for (JsonNode v : list) {
      if (v.isTextual()) retained.add(v.asText());
    }
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (e.getValue().isNull() || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
      if (!retained.contains(k)) throw PatchErrors.badRequest("invalid patch format of retainKeys");
    }
    List<String> cleared = new ArrayList<>();
    original.fieldNames().forEachRemaining(k -> {
      if (!retained.contains(k)) cleared.add(k);
    });
    original.remove(cleared);
  }

  /**
   * $setElementOrder/<list>: merges the list with its patch (if any) and orders the result with precedence
   * $setElementOrder, then order in the patch, then order in the live list. Consumes both keys from the patch.
   */
  private static void mergeSetElementOrder(ObjectNode original, ObjectNode patch, Schema schema) {
    for (String key : fieldNames(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      JsonNode orderNode = patch.remove(key);
      if (!orderNode.isArray()) throw PatchErrors.unknown(badArgType("[]interface {}", orderNode));
      List<JsonNode> order = elements(orderNode);
      String listKey = extractKey(key, SET_ELEMENT_ORDER);

      JsonNode originalList = original.get(listKey);
      JsonNode patchList = patch.get(listKey);
      if (originalList != null && !originalList.isArray()) {
        throw PatchErrors.unknown(badArgType("[]interface {}", originalList));
      }
      if (patchList != null && !patchList.isArray()) {
        throw PatchErrors.unknown(badArgType("[]interface {}", patchList));
      }
      List<JsonNode> originalValues = originalList == null ? List.of() : elements(originalList);
      List<JsonNode> patchValues = patchList == null ? List.of() : elements(patchList);
      Schema field = fieldSchema(schema, listKey);
      String mergeKey = mergeKey(field);
      strategy(field); // rejects a malformed strategy even when the list is only reordered, as upstream does
      validateAgainstOrder(patchValues, order, mergeKey);

      List<JsonNode> merged;
      if (originalList != null && patchList == null) {
        merged = originalValues;
      } else if (originalList == null && patchList != null) {
        merged = patchValues;
      } else if (originalList != null) {
        merged = elements(mergeSliceHandler(originalValues, patchValues, field, false));
      } else {
        continue;
      }

      Partition p = mergeKey.isEmpty() ? partitionPrimitives(merged, order) : partitionMaps(merged, order, mergeKey);
      GoValues.Kind kind = sliceElementType(List.of(originalValues, patchValues));
      JsonNode ordered = toArray(normalizeElementOrder(p.inList, p.rest, order, originalValues, mergeKey, kind));
      original.set(listKey, originalList == null ? sanitize(ordered) : ordered);
      patch.remove(listKey);
    }
  }

  /** The relative order of the patch list's items must agree with $setElementOrder, and they must all be in it. */
  private static void validateAgainstOrder(List<JsonNode> patchList, List<JsonNode> order, String mergeKey) {
    if (order.isEmpty() || patchList.isEmpty()) return;
    List<JsonNode> nonDelete = mergeKey.isEmpty() ? patchList : splitDeletes(patchList).keep;
    int p = 0;
    int s = 0;
    while (p < nonDelete.size() && s < order.size()) {
      JsonNode item = nonDelete.get(p);
      if (item.isObject() && item.has(DIRECTIVE)) {
        p++;
        continue;
      }
      if (mergeKeyValueEqual(item, order.get(s), mergeKey)) p++;
      s++;
    }
    if (p < nonDelete.size() && s >= order.size()) {
      throw PatchErrors.unknown("The order in patch list:\n" + GoValues.format(toArray(patchList))
          + "\n doesn't match " + SET_ELEMENT_ORDER + " list:\n" + GoValues.format(toArray(order)) + "\n");
    }
  }

  private static ArrayNode mergeSliceHandler(List<JsonNode> original, List<JsonNode> patch, Schema field,
      boolean isDeleteList) {
    // $deleteFromPrimitiveList deletes whatever the field's strategy (kubernetes#110472).
    if (MERGE.equals(strategy(field)) || isDeleteList) {
      return mergeSlice(original, patch, field == null ? null : field.items(), mergeKey(field), isDeleteList);
    }
    return (ArrayNode) sanitize(toArray(patch));
  }

  private static ArrayNode mergeSlice(List<JsonNode> original, List<JsonNode> patch, Schema itemSchema,
      String mergeKey, boolean isDeleteList) {
    if (original.isEmpty() && patch.isEmpty()) return toArray(original);
    GoValues.Kind kind = sliceElementType(List.of(original, patch));
    List<JsonNode> merged;
    if (kind != GoValues.Kind.OBJECT) {
      if (isDeleteList) return toArray(deleteFromSlice(original, patch));
      merged = dedupe(original, patch);
    } else {
      if (mergeKey.isEmpty()) {
        throw PatchErrors.unknown("cannot merge lists without merge key for "
            + (itemSchema != null && itemSchema.name() != null ? itemSchema.name() : "struct"));
      }
      Special special = mergeSpecialElements(original, patch, mergeKey);
      original = special.original;
      patch = special.patch;
      merged = mergeElements(original, patch, mergeKey, itemSchema);
    }
    Partition p = mergeKey.isEmpty() ? partitionPrimitives(merged, patch) : partitionMaps(merged, patch, mergeKey);
    return toArray(normalizeElementOrder(p.inList, p.rest, patch, original, mergeKey, kind));
  }

  private record Special(List<JsonNode> original, List<JsonNode> patch) {}

  /** Applies {@code $patch: delete} elements to the original and notes {@code $patch: replace}. */
  private static Special mergeSpecialElements(List<JsonNode> original, List<JsonNode> patch, String mergeKey) {
    List<JsonNode> plain = new ArrayList<>();
    List<JsonNode> remaining = original;
    boolean replace = false;
    for (JsonNode v : patch) {
      ObjectNode m = (ObjectNode) v;
      if (!m.has(DIRECTIVE)) {
        plain.add(v);
        continue;
      }
      JsonNode directive = m.get(DIRECTIVE);
      if (isText(directive, DELETE)) {
        if (!m.has(mergeKey)) throw PatchErrors.unknown(noMergeKey(m, mergeKey));
        remaining = deleteMatching(remaining, mergeKey, m.get(mergeKey));
      } else if (isText(directive, REPLACE)) {
        replace = true;
      } else if (isText(directive, MERGE)) {
        throw PatchErrors.unknown("merging lists cannot yet be specified in the patch");
      } else {
        throw PatchErrors.unknown(badPatchType(directive, m));
      }
    }
    if (replace) {
      List<JsonNode> replacement = new ArrayList<>();
      for (JsonNode v : plain) replacement.add(sanitize(v));
      return new Special(replacement, List.of());
    }
    return new Special(remaining, plain);
  }

  /** Merges each patch element into the original element with the same merge key value, or appends it. */
  private static List<JsonNode> mergeElements(List<JsonNode> original, List<JsonNode> patch, String mergeKey,
      Schema itemSchema) {
    List<JsonNode> merged = new ArrayList<>(original);
    for (JsonNode v : patch) {
      ObjectNode m = (ObjectNode) v;
      if (!m.has(mergeKey)) throw PatchErrors.unknown(noMergeKey(m, mergeKey));
      int idx = findByKey(merged, mergeKey, m.get(mergeKey));
      if (idx >= 0) {
        merged.set(idx, mergeMap((ObjectNode) merged.get(idx), m, itemSchema));
      } else {
        merged.add(sanitize(m));
      }
    }
    return merged;
  }

  private static List<JsonNode> deleteMatching(List<JsonNode> list, String mergeKey, JsonNode value) {
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode v : list) {
      if (!(v.isObject() && v.has(mergeKey) && valueEquals(v.get(mergeKey), value))) kept.add(v);
    }
    return kept;
  }

  private static List<JsonNode> deleteFromSlice(List<JsonNode> current, List<JsonNode> toDelete) {
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode v : current) {
      if (indexOf(toDelete, v) < 0) kept.add(v);
    }
    return kept;
  }

  private static List<JsonNode> dedupe(List<JsonNode> original, List<JsonNode> patch) {
    List<JsonNode> out = new ArrayList<>();
    for (List<JsonNode> l : List.of(original, patch)) {
      for (JsonNode v : l) {
        if (indexOf(out, v) < 0) out.add(v);
      }
    }
    return out;
  }

  private record Partition(List<JsonNode> inList, List<JsonNode> rest) {}

  private static Partition partitionPrimitives(List<JsonNode> items, List<JsonNode> by) {
    Partition p = new Partition(new ArrayList<>(), new ArrayList<>());
    for (JsonNode v : items) (indexOf(by, v) >= 0 ? p.inList : p.rest).add(v);
    return p;
  }

  private static Partition partitionMaps(List<JsonNode> items, List<JsonNode> by, String mergeKey) {
    Partition p = new Partition(new ArrayList<>(), new ArrayList<>());
    for (JsonNode v : items) {
      if (!v.isObject()) throw PatchErrors.unknown(badArgType("map[string]interface {}", v));
      if (!v.has(mergeKey)) throw PatchErrors.unknown(noMergeKey((ObjectNode) v, mergeKey));
      (findByKey(by, mergeKey, v.get(mergeKey)) >= 0 ? p.inList : p.rest).add(v);
    }
    return p;
  }

  /**
   * Sorts patch items by the patch order and server-only items by the live order, then interleaves them: a server-only
   * item goes first only when both are in the live list and it was there before the patch item.
   */
  private static List<JsonNode> normalizeElementOrder(List<JsonNode> patchItems, List<JsonNode> serverOnly,
      List<JsonNode> patchOrder, List<JsonNode> serverOrder, String mergeKey, GoValues.Kind kind) {
    List<JsonNode> right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
    List<JsonNode> left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
    List<JsonNode> out = new ArrayList<>(left.size() + right.size());
    int i = 0;
    int j = 0;
    while (i < left.size() || j < right.size()) {
      if (i >= left.size()) {
        out.add(right.get(j++));
      } else if (j >= right.size()) {
        out.add(left.get(i++));
      } else {
        int li = index(serverOrder, left.get(i), mergeKey, kind);
        int ri = index(serverOrder, right.get(j), mergeKey, kind);
        if (li >= 0 && ri >= 0 && li < ri) out.add(left.get(i++));
        else out.add(right.get(j++));
      }
    }
    return out;
  }

  private static List<JsonNode> normalizeSliceOrder(List<JsonNode> toSort, List<JsonNode> order, String mergeKey,
      GoValues.Kind kind) {
    List<JsonNode> sorted = new ArrayList<>(toSort);
    List<JsonNode> deletes = List.of();
    if (kind == GoValues.Kind.OBJECT) {
      validateMergeKey(mergeKey, sorted);
      validateMergeKey(mergeKey, order);
      Deletes d = splitDeletes(sorted);
      sorted = d.keep;
      deletes = d.delete;
    }
    // Go's sort.SliceStable with upstream's comparator (items missing from the order compare as "less").
    for (int a = 1; a < sorted.size(); a++) {
      for (int b = a; b > 0; b--) {
        int ib = index(order, sorted.get(b), mergeKey, kind);
        int ia = index(order, sorted.get(b - 1), mergeKey, kind);
        boolean less = ib < 0 || ia < 0 || ib < ia;
        if (!less) break;
        JsonNode tmp = sorted.get(b);
        sorted.set(b, sorted.get(b - 1));
        sorted.set(b - 1, tmp);
      }
    }
    sorted.addAll(deletes);
    return sorted;
  }

  private record Deletes(List<JsonNode> keep, List<JsonNode> delete) {}

  private static Deletes splitDeletes(List<JsonNode> list) {
    Deletes d = new Deletes(new ArrayList<>(), new ArrayList<>());
    for (JsonNode v : list) {
      if (!v.isObject()) throw PatchErrors.unknown(badArgType("map[string]interface {}", v));
      (isText(v.get(DIRECTIVE), DELETE) ? d.delete : d.keep).add(v);
    }
    return d;
  }

  private static void validateMergeKey(String mergeKey, List<JsonNode> list) {
    for (JsonNode v : list) {
      if (!v.isObject()) throw PatchErrors.unknown(badArgType("map[string]interface {}", v));
      if (!v.has(mergeKey)) throw PatchErrors.unknown(noMergeKey((ObjectNode) v, mergeKey));
    }
  }

  /** Position of an item in a list: by merge key value for maps, by value otherwise. */
  private static int index(List<JsonNode> list, JsonNode item, String mergeKey, GoValues.Kind kind) {
    if (kind != GoValues.Kind.OBJECT) return indexOf(list, item);
    JsonNode key = item.isObject() ? item.get(mergeKey) : null;
    for (int i = 0; i < list.size(); i++) {
      JsonNode v = list.get(i);
      if (valueEquals(key, v.isObject() ? v.get(mergeKey) : null)) return i;
    }
    return -1;
  }

  private static int indexOf(List<JsonNode> list, JsonNode item) {
    for (int i = 0; i < list.size(); i++) {
      if (valueEquals(list.get(i), item)) return i;
    }
    return -1;
  }

  private static int findByKey(List<JsonNode> list, String mergeKey, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      JsonNode v = list.get(i);
      if (!v.isObject()) throw PatchErrors.unknown("value for key " + i + " is not a map.");
      if (v.has(mergeKey) && valueEquals(v.get(mergeKey), value)) return i;
    }
    return -1;
  }

  private static boolean mergeKeyValueEqual(JsonNode left, JsonNode right, String mergeKey) {
    if (mergeKey.isEmpty()) return valueEquals(left, right);
    if (!left.isObject()) throw PatchErrors.unknown(badArgType("map[string]interface {}", left));
    if (!right.isObject()) throw PatchErrors.unknown(badArgType("map[string]interface {}", right));
    if (!left.has(mergeKey)) throw PatchErrors.unknown(noMergeKey((ObjectNode) left, mergeKey));
    if (!right.has(mergeKey)) throw PatchErrors.unknown(noMergeKey((ObjectNode) right, mergeKey));
    return valueEquals(left.get(mergeKey), right.get(mergeKey));
  }

  /**
   * Go's == on decoded JSON values: integers and floats never compare equal (int64 vs float64), other numbers by
   * value, everything else structurally.
   */
  static boolean valueEquals(JsonNode a, JsonNode b) {
    boolean aNil = a == null || a.isNull();
    boolean bNil = b == null || b.isNull();
    if (aNil || bNil) return aNil && bNil;
    if (a.isNumber() && b.isNumber()) {
      if (a.isIntegralNumber() != b.isIntegralNumber()) return false;
      if (a.isIntegralNumber()) return a.bigIntegerValue().equals(b.bigIntegerValue());
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  /** All elements must have one Go type, and lists of lists are not supported. */
  private static GoValues.Kind sliceElementType(List<List<JsonNode>> lists) {
    GoValues.Kind prev = null;
    for (List<JsonNode> l : lists) {
      for (JsonNode v : l) {
        GoValues.Kind k = GoValues.kind(v);
        if (prev == null) {
          prev = k;
          if (k == GoValues.Kind.ARRAY) throw PatchErrors.unprocessable("lists of lists are not supported");
        } else if (prev != k) {
          throw PatchErrors.unknown("list element types are not identical: " + GoValues.format(lists));
        }
      }
    }
    if (prev == null) throw PatchErrors.unknown("no elements in any of the given slices");
    return prev;
  }

  /** The schema of a map value: a property of an object, or the value schema of a map; null when unknown. */
  private static Schema fieldSchema(Schema parent, String key) {
    if (parent == null) return null;
    return switch (parent.type()) {
      case OBJECT -> {
        Schema s = parent.property(key);
        yield s != null ? s : parent.additionalProperties();
      }
      case MAP -> parent.additionalProperties();
      default -> null;
    };
  }

  /** The field's patch strategy without "retainKeys" (only meaningful when diffing); "" when none. */
  private static String strategy(Schema field) {
    if (field == null || field.patchStrategy() == null || field.patchStrategy().isEmpty()) return "";
    String[] parts = field.patchStrategy().split(",");
    List<String> others = new ArrayList<>();
    for (String p : parts) {
      if (!p.trim().equals(RETAIN_KEYS_STRATEGY)) others.add(p.trim());
    }
    if (parts.length > 2 || others.size() > 1) {
      throw PatchErrors.unknown("unexpected patch strategy: [" + String.join(" ", parts) + "]");
    }
    return others.isEmpty() ? "" : others.get(0);
  }

  private static String mergeKey(Schema field) {
    return field == null || field.patchMergeKey() == null ? "" : field.patchMergeKey();
  }

  /** "$setElementOrder/containers" → "containers"; a malformed directive key is 400 BadRequest. */
  private static String extractKey(String key, String prefix) {
    int slash = key.indexOf('/');
    if (slash < 0 || !key.substring(0, slash).equals(prefix)) {
      throw PatchErrors.badRequest(prefix.equals(DELETE_FROM_PRIMITIVE_LIST)
          ? "invalid patch format of primitive list"
          : "invalid patch format of setElementOrder list");
    }
    return key.substring(slash + 1);
  }

  /**
   * A value taken over from the patch: directive keys and null members are dropped, which is what upstream's
   * conversion of the patched map back into a typed object does to them.
   */
  private static JsonNode sanitize(JsonNode v) {
    if (v instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull() || isDirectiveKey(e.getKey())) drop.add(e.getKey());
        else sanitize(e.getValue());
      }
      o.remove(drop);
    } else if (v instanceof ArrayNode a) {
      for (JsonNode e : a) sanitize(e);
    }
    return v;
  }

  static boolean isDirectiveKey(String k) {
    return k.equals(DIRECTIVE) || k.equals(RETAIN_KEYS) || k.startsWith(SET_ELEMENT_ORDER + "/")
        || k.startsWith(DELETE_FROM_PRIMITIVE_LIST + "/");
  }

  private static boolean isText(JsonNode n, String text) {
    return n != null && n.isTextual() && n.asText().equals(text);
  }

  private static List<String> fieldNames(ObjectNode o) {
    List<String> names = new ArrayList<>(o.size());
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<JsonNode> elements(JsonNode array) {
    List<JsonNode> l = new ArrayList<>(array.size());
    array.forEach(l::add);
    return l;
  }

  private static ArrayNode toArray(List<JsonNode> list) {
    ArrayNode a = Json.array();
    a.addAll(list);
    return a;
  }

  private static String badPatchType(JsonNode directive, ObjectNode m) {
    return "unknown patch type: " + GoValues.formatS(directive) + " in map: " + GoValues.format(m);
  }

  private static String noMergeKey(ObjectNode m, String key) {
    return "map: " + GoValues.format(m) + " does not contain declared merge key: " + key;
  }

  private static String badArgType(String expected, JsonNode actual) {
    String name = GoValues.typeName(actual);
    return "expected a " + expected + ", but received a " + (name == null ? "%!s(<nil>)" : name);
  }
}
