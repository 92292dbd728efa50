package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One step of a field path, as structured-merge-diff's {@code fieldpath.PathElement}: a map field ({@code f:}), an
 * associative-list element by its key fields ({@code k:}), a set element by value ({@code v:}) or a list position
 * ({@code i:}). Elements order as upstream's: fields, then keys, then values, then indexes.
 */
public final class PathElement implements Comparable<PathElement> {
  /** Declaration order is the comparison order between kinds. */
  public enum Kind { FIELD, KEY, VALUE, INDEX }

  private final Kind kind;
  private final String field;
  /** Key fields sorted by name, as upstream's value.FieldList after Sort(). */
  private final Map<String, JsonNode> key;
  private final JsonNode value;
  private final int index;

  private PathElement(Kind kind, String field, Map<String, JsonNode> key, JsonNode value, int index) {
    this.kind = kind;
    this.field = field;
    this.key = key;
    this.value = value;
    this.index = index;
  }

  public static PathElement field(String name) {
    return new PathElement(Kind.FIELD, Objects.requireNonNull(name), null, null, 0);
  }

  public static PathElement key(Map<String, JsonNode> fields) {
    return new PathElement(Kind.KEY, null, Collections.unmodifiableMap(new TreeMap<>(fields)), null, 0);
  }

  public static PathElement value(JsonNode value) {
    return new PathElement(Kind.VALUE, null, null, value.deepCopy(), 0);
  }

  public static PathElement index(int index) {
    return new PathElement(Kind.INDEX, null, null, null, index);
  }

  public Kind kind() { return kind; }
  /** The field name of a FIELD element, else null. */
  public String fieldName() { return field; }
  /** The key fields of a KEY element (sorted by name), else null. */
  public Map<String, JsonNode> keyFields() { return key; }
  public JsonNode value() { return value; }
  public int index() { return index; }

  /** The FieldsV1 key: {@code f:name}, {@code k:{"name":"c1"}}, {@code v:"x"}, {@code i:0}. */
  public String toFieldsV1() {
    switch (kind) {
      case FIELD:
        return "f:" + field;
      case KEY: {
        ObjectNode o = Json.object();
        key.forEach(o::set);
        return "k:" + o;
      }
      case VALUE:
        return "v:" + value;
      default:
        return "i:" + index;
    }
  }

  /** Parses one FieldsV1 key; null for a prefix this version does not know (upstream ignores those). */
  public static PathElement parseFieldsV1(String s) {
    if (s.length() < 2 || s.charAt(1) != ':') {
      throw new IllegalArgumentException("unable to parse path element: " + s);
    }
    String rest = s.substring(2);
    switch (s.charAt(0)) {
      case 'f':
        return field(rest);
      case 'k': {
        JsonNode n = Json.parse(rest);
        if (!n.isObject()) throw new IllegalArgumentException("expected a key object in " + s);
        Map<String, JsonNode> fields = new TreeMap<>();
        n.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        return key(fields);
      }
      case 'v':
        return value(Json.parse(rest));
      case 'i':
        try {
          return index(Integer.parseInt(rest));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid index in " + s);
        }
      default:
        return null;
    }
  }

  /** Path notation used in conflict messages: {@code .name}, {@code [name="c1"]}, {@code [=value]}, {@code [0]}. */
  @Override
  public String toString() {
    switch (kind) {
      case FIELD:
        return "." + field;
      case KEY: {
        StringBuilder b = new StringBuilder("[");
        int i = 0;
        for (Map.Entry<String, JsonNode> e : key.entrySet()) {
          if (i++ > 0) b.append(',');
          b.append(e.getKey()).append('=').append(JsonValues.render(e.getValue()));
        }
        return b.append(']').toString();
      }
      case VALUE:
        return "[=" + JsonValues.render(value) + "]";
      default:
        return "[" + index + "]";
    }
  }

  @Override
  public int compareTo(PathElement o) {
    if (kind != o.kind) return kind.compareTo(o.kind);
    switch (kind) {
      case FIELD:
        return field.compareTo(o.field);
      case KEY: {
        var a = key.entrySet().iterator();
        var b = o.key.entrySet().iterator();
        while (a.hasNext() && b.hasNext()) {
          var ea = a.next();
          var eb = b.next();
          int c = ea.getKey().compareTo(eb.getKey());
          if (c != 0) return c;
          c = JsonValues.compare(ea.getValue(), eb.getValue());
          if (c != 0) return c;
        }
        return Boolean.compare(a.hasNext(), b.hasNext());
      }
      case VALUE:
        return JsonValues.compare(value, o.value);
      default:
        return Integer.compare(index, o.index);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathElement p && compareTo(p) == 0;
  }

  @Override
  public int hashCode() {
    return kind == Kind.FIELD ? field.hashCode() : kind == Kind.INDEX ? index : toFieldsV1().hashCode();
  }
}
