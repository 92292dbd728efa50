package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed between two versions of an object, as upstream's {@code TypedValue.Compare}: leaves added, modified
 * or removed, plus map fields and list items that appeared or disappeared as a whole.
 */
public record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {

  /**
   * Compares {@code oldObj} (null on create) with {@code newObj}. On create, struct-typed and required fields
   * reachable from the root through struct fields count as pre-existing (they are not added as a whole), because
   * upstream compares against the zero value of the Go type.
   */
  public static Comparison of(JsonNode oldObj, JsonNode newObj, Schema schema) {
    Walker w = new Walker();
    boolean creating = oldObj == null;
    w.compare(creating ? Json.object() : oldObj, newObj, schema, new FieldPath(List.of()), creating);
    return new Comparison(w.added, w.modified, w.removed);
  }

  public boolean isSame() {
    return added.isEmpty() && modified.isEmpty() && removed.isEmpty();
  }

  /** Drops {@code ignored} paths and everything below them (upstream's ExcludeFields with reset fields). */
  public Comparison excluding(FieldSet ignored) {
    if (ignored == null || ignored.isEmpty()) return this;
    return new Comparison(added.recursiveDifference(ignored), modified.recursiveDifference(ignored),
        removed.recursiveDifference(ignored));
  }

  private static final class Walker {
    final FieldSet added = new FieldSet();
    final FieldSet modified = new FieldSet();
    final FieldSet removed = new FieldSet();

    /** {@code l}/{@code r} null = absent; {@code zeroStruct}: this node exists in the Go zero value on create. */
    void compare(JsonNode l, JsonNode r, Schema schema, FieldPath path, boolean zeroStruct) {
      Shape sl = l == null ? null : Shape.of(schema, l);
      Shape sr = r == null ? null : Shape.of(schema, r);
      Shape shape = sr == null ? sl : sl == null ? sr : sl.kind == sr.kind ? sr : null;
      if (shape == null || shape.kind == Shape.Kind.SCALAR || shape.kind == Shape.Kind.ATOMIC) {
        leaf(l, r, path);
        return;
      }
      if (isEmpty(l) && isEmpty(r)) {
        // Empty or null on both sides: a leaf, which keeps the empty/null distinction.
        if (!(l == null && zeroStruct)) leaf(l, r, path);
        return;
      }
      if (shape.kind == Shape.Kind.MAP) {
        Set<String> keys = new LinkedHashSet<>();
        if (l != null && l.isObject()) l.fieldNames().forEachRemaining(keys::add);
        if (r != null && r.isObject()) r.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
          Schema fs = shape.field(k);
          JsonNode lv = l == null ? null : l.get(k);
          JsonNode rv = r == null ? null : r.get(k);
          boolean childZero = zeroStruct && inZeroValue(shape, k, fs);
          compare(lv, rv, fs, path.child(PathElement.field(k)), childZero);
        }
      } else {
        Map<PathElement, JsonNode> li = index(shape, l, path);
        Map<PathElement, JsonNode> ri = index(shape, r, path);
        Set<PathElement> all = new LinkedHashSet<>(li.keySet());
        all.addAll(ri.keySet());
        for (PathElement pe : all) compare(li.get(pe), ri.get(pe), shape.items(), path.child(pe), false);
      }
      if (l == null && !zeroStruct) {
        added.insert(path);
      } else if (r == null) {
        removed.insert(path);
      }
    }

    /**
     * Whether a field exists in the Go zero value of its (struct) parent: non-pointer structs do, and so do fields
     * serialized without omitempty, which the schema marks required (e.g. PodSpec.containers, as null).
     */
    private static boolean inZeroValue(Shape parent, String field, Schema fs) {
      if (parent.schema == null || parent.schema.type() != Schema.Type.OBJECT) return false;
      if (fs != null && fs.type() == Schema.Type.OBJECT && !"atomic".equals(fs.mapType())) return true;
      return parent.schema.required().contains(field);
    }

    private void leaf(JsonNode l, JsonNode r, FieldPath path) {
      if (l == null) {
        added.insert(path);
      } else if (r == null) {
        removed.insert(path);
      } else if (!JsonValues.equal(l, r)) {
        modified.insert(path);
      }
    }

    private static boolean isEmpty(JsonNode v) {
      return v == null || v.isNull() || ((v.isObject() || v.isArray()) && v.isEmpty());
    }
  }

  /** List items by path element; repeated elements keep their first occurrence. */
  static Map<PathElement, JsonNode> index(Shape shape, JsonNode list, FieldPath path) {
    Map<PathElement, JsonNode> out = new LinkedHashMap<>();
    if (list == null || !list.isArray()) return out;
    for (int i = 0; i < list.size(); i++) {
      out.putIfAbsent(shape.element(list.get(i), i, false, path), list.get(i));
    }
    return out;
  }
}
