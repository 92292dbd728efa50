package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes the fields and list items of a set from an object, as upstream's {@code TypedValue.RemoveItems}. A map or
 * list left with nothing in it disappears from its parent, as it does upstream (it becomes null, which the typed
 * object drops).
 */
final class ItemRemover {
  private ItemRemover() {}

  /** A copy of {@code obj} without the members of {@code toRemove}. */
  static ObjectNode remove(ObjectNode obj, FieldSet toRemove, Schema schema) {
    JsonNode out = remove(obj, toRemove, schema, new FieldPath(List.of()));
    return out instanceof ObjectNode o ? o : Json.object();
  }

  private static JsonNode remove(JsonNode v, FieldSet toRemove, Schema schema, FieldPath path) {
    Shape shape = Shape.of(schema, v);
    if (v == null || v.isNull() || shape.kind == Shape.Kind.SCALAR || shape.kind == Shape.Kind.ATOMIC || v.isEmpty()) {
      return v;
    }
    if (shape.kind == Shape.Kind.MAP) {
      ObjectNode out = Json.object();
      Iterator<Map.Entry<String, JsonNode>> it = v.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        PathElement pe = PathElement.field(e.getKey());
        if (toRemove.members().contains(pe)) continue;
        JsonNode val = e.getValue();
        FieldSet sub = toRemove.withPrefix(pe);
        if (!sub.isEmpty()) {
          val = remove(val, sub, shape.field(e.getKey()), path.child(pe));
          if (val == null) continue;
        }
        out.set(e.getKey(), val);
      }
      return out.isEmpty() ? null : out;
    }
    ArrayNode out = Json.array();
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      PathElement pe = shape.element(item, i, false, path);
      if (toRemove.members().contains(pe)) continue;
      FieldSet sub = toRemove.withPrefix(pe);
      if (!sub.isEmpty()) {
        item = remove(item, sub, shape.items(), path.child(pe));
        if (item == null) item = Json.object();
      }
      out.add(item);
    }
    return out.isEmpty() ? null : out;
  }

  /**
   * Adds every declared struct field that has paths below it as a member too, as upstream's
   * {@code Set.EnsureNamedFieldsAreMembers}, so that removing it removes the whole struct.
   */
  static FieldSet ensureNamedFieldsAreMembers(FieldSet set, Schema schema) {
    FieldSet out = new FieldSet();
    ensure(set, schema, new FieldPath(List.of()), out);
    return out;
  }

  private static void ensure(FieldSet set, Schema schema, FieldPath prefix, FieldSet out) {
    Shape shape = Shape.of(schema, null);
    for (PathElement pe : set.members()) out.insert(prefix.child(pe));
    set.children().forEach((pe, child) -> {
      Schema childSchema;
      if (pe.kind() == PathElement.Kind.FIELD) {
        if (shape.kind == Shape.Kind.MAP && shape.declared(pe.fieldName())) out.insert(prefix.child(pe));
        childSchema = shape.field(pe.fieldName());
      } else {
        childSchema = shape.items();
      }
      ensure(child, childSchema, prefix.child(pe), out);
    });
  }
}
