package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.schema.Schema;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The field set of an object, as upstream's {@code TypedValue.ToFieldSet}: every leaf (scalar, atomic list or map,
 * null, empty map), every list item, and map entries that are not declared struct fields.
 */
final class ObjectFields {
  private final boolean strict;
  private final FieldSet out = new FieldSet();

  private ObjectFields(boolean strict) {
    this.strict = strict;
  }

  /** {@code strict} rejects list items without key fields and duplicate keys (applied configurations). */
  static FieldSet of(JsonNode obj, Schema schema, boolean strict) {
    ObjectFields w = new ObjectFields(strict);
    if (obj != null) w.walk(obj, schema, new FieldPath(List.of()));
    return w.out;
  }

  private void walk(JsonNode v, Schema schema, FieldPath path) {
    if (v == null || v.isNull()) return;
    Shape shape = Shape.of(schema, v);
    switch (shape.kind) {
      case SCALAR:
      case ATOMIC:
        out.insert(path);
        return;
      case MAP: {
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          FieldPath child = path.child(PathElement.field(e.getKey()));
          JsonNode val = e.getValue();
          walk(val, shape.field(e.getKey()), child);
          if (val.isNull() || (val.isObject() && val.isEmpty()) || !shape.declared(e.getKey())) out.insert(child);
        }
        return;
      }
      default: {
        Set<PathElement> seen = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
          JsonNode item = v.get(i);
          PathElement pe = shape.element(item, i, strict, path);
          if (!seen.add(pe) && strict) {
            throw new Shape.TypedError(path + ": duplicate entries for key " + pe);
          }
          FieldPath child = path.child(pe);
          walk(item, shape.items(), child);
          out.insert(child);
        }
      }
    }
  }
}
