package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Merges an applied configuration into the live object, as upstream's {@code TypedValue.Merge}: granular maps merged
 * field by field, associative lists merged by key and sets by value (applied order wins for the items it mentions),
 * scalars and atomic values replaced. Fields the configuration sets to null are dropped from the result.
 */
final class Merger {
  private Merger() {}

  static JsonNode merge(JsonNode live, JsonNode config, Schema schema) {
    return merge(live, config, schema, new FieldPath(List.of()));
  }

  private static JsonNode merge(JsonNode l, JsonNode r, Schema schema, FieldPath path) {
    if (r == null) return l == null ? null : l.deepCopy();
    if (l == null || l.isNull() || r.isNull()) return r.deepCopy();
    Shape sl = Shape.of(schema, l);
    Shape sr = Shape.of(schema, r);
    if (sl.kind != sr.kind || sr.kind == Shape.Kind.SCALAR || sr.kind == Shape.Kind.ATOMIC) return r.deepCopy();
    if (l.isEmpty() && r.isEmpty()) return r.deepCopy();
    if (sr.kind == Shape.Kind.MAP) {
      ObjectNode out = ((ObjectNode) l).deepCopy();
      Iterator<Map.Entry<String, JsonNode>> it = r.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode m = merge(l.get(e.getKey()), e.getValue(), sr.field(e.getKey()), path.child(PathElement.field(e.getKey())));
        if (m == null || m.isNull()) {
          out.remove(e.getKey());
        } else {
          out.set(e.getKey(), m);
        }
      }
      return out;
    }
    return mergeList(sr, l, r, path);
  }

  /** Keeps live-only items where they were and orders shared items as the configuration does. */
  private static ArrayNode mergeList(Shape shape, JsonNode l, JsonNode r, FieldPath path) {
    Map<PathElement, JsonNode> lItems = Comparison.index(shape, l, path);
    Map<PathElement, JsonNode> rItems = Comparison.index(shape, r, path);
    List<PathElement> lOrder = new ArrayList<>(lItems.keySet());
    List<PathElement> rOrder = new ArrayList<>(rItems.keySet());
    Deque<PathElement> shared = new ArrayDeque<>();
    for (PathElement pe : rOrder) if (lItems.containsKey(pe)) shared.add(pe);
    PathElement nextShared = shared.poll();
    ArrayNode out = Json.array();
    int li = 0;
    int ri = 0;
    while (li < lOrder.size() || ri < rOrder.size()) {
      if (li < lOrder.size() && ri < rOrder.size()) {
        PathElement pe = lOrder.get(li);
        if (pe.equals(rOrder.get(ri))) {
          out.add(merge(lItems.get(pe), rItems.get(pe), shape.items(), path.child(pe)));
          li++;
          ri++;
          nextShared = shared.poll();
          continue;
        }
        if (rItems.containsKey(pe) && nextShared != null && !nextShared.equals(pe)) {
          // A shared item the configuration places later: it is emitted when reached there.
          li++;
          continue;
        }
      }
      if (li < lOrder.size() && !rItems.containsKey(lOrder.get(li))) {
        out.add(lItems.get(lOrder.get(li)).deepCopy());
        li++;
        continue;
      }
      if (ri < rOrder.size()) {
        PathElement pe = rOrder.get(ri);
        out.add(merge(lItems.get(pe), rItems.get(pe), shape.items(), path.child(pe)));
        ri++;
        if (pe.equals(nextShared)) nextShared = shared.poll();
        continue;
      }
      // Only shared items already emitted remain on the live side.
      li++;
    }
    return out;
  }
}
