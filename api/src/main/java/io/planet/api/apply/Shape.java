package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How structured-merge-diff treats one node: a scalar, a granular map (struct fields or map entries), an atomic
 * map/list (a "big leaf"), an associative list keyed by fields (list-type map) or a set (list-type set).
 * A missing schema or an unknown field is "deduced" from the value as upstream does: maps granular, lists atomic.
 */
final class Shape {
  enum Kind { SCALAR, MAP, ATOMIC, LIST_MAP, LIST_SET }

  /**
   * Defaults of key fields that upstream's OpenAPI declares (e.g. container and service ports' protocol), used when
   * an element omits them. Schema does not carry defaults yet.
   */
  private static final Map<String, String> KEY_DEFAULTS = Map.of("protocol", "TCP");

  final Kind kind;
  final Schema schema;

  private Shape(Kind kind, Schema schema) {
    this.kind = kind;
    this.schema = schema;
  }

  /** The shape of {@code value} (which may be null: shape from the schema alone) under {@code schema}. */
  static Shape of(Schema schema, JsonNode value) {
    Shape s = fromSchema(schema, value);
    if (value == null || value.isNull() || value.isMissingNode()) return s;
    if (value.isObject()) {
      if (s.kind == Kind.MAP || (s.kind == Kind.ATOMIC && isMapSchema(s.schema))) return s;
      return new Shape(Kind.MAP, null);
    }
    if (value.isArray()) {
      if (s.kind == Kind.LIST_MAP || s.kind == Kind.LIST_SET || (s.kind == Kind.ATOMIC && !isMapSchema(s.schema))) return s;
      return new Shape(Kind.ATOMIC, null);
    }
    return s.kind == Kind.SCALAR ? s : new Shape(Kind.SCALAR, null);
  }

  private static boolean isMapSchema(Schema s) {
    return s != null && (s.type() == Schema.Type.OBJECT || s.type() == Schema.Type.MAP);
  }

  private static Shape fromSchema(Schema s, JsonNode value) {
    if (s == null || s.type() == Schema.Type.ANY) {
      if (value != null && value.isObject()) return new Shape(Kind.MAP, null);
      if (value != null && value.isArray()) return new Shape(Kind.ATOMIC, null);
      return new Shape(value == null ? Kind.MAP : Kind.SCALAR, null);
    }
    switch (s.type()) {
      case OBJECT:
      case MAP:
        return new Shape("atomic".equals(s.mapType()) ? Kind.ATOMIC : Kind.MAP, s);
      case ARRAY:
        if ("map".equals(s.listType()) && !s.listMapKeys().isEmpty()) return new Shape(Kind.LIST_MAP, s);
        if ("set".equals(s.listType())) return new Shape(Kind.LIST_SET, s);
        return new Shape(Kind.ATOMIC, s);
      default:
        return new Shape(Kind.SCALAR, s);
    }
  }

  /** Whether {@code field} is a declared struct field (its path alone is not recorded as a member). */
  boolean declared(String field) {
    return schema != null && schema.type() == Schema.Type.OBJECT && schema.property(field) != null;
  }

  /** True for struct schemas (Go structs), as opposed to maps and deduced objects. */
  boolean struct() {
    return schema != null && schema.type() == Schema.Type.OBJECT;
  }

  /** Schema of a map field; null means deduced. */
  Schema field(String name) {
    if (schema == null) return null;
    if (schema.type() == Schema.Type.OBJECT) {
      Schema p = schema.property(name);
      if (p != null) return p;
    }
    return schema.additionalProperties();
  }

  Schema items() {
    return schema == null ? null : schema.items();
  }

  /**
   * The path element of one list item. Strict mode (applied configurations) rejects items without their key fields;
   * lenient mode (stored objects) falls back to the fields present, or the position.
   */
  PathElement element(JsonNode item, int index, boolean strict, FieldPath where) {
    if (kind == Kind.LIST_SET) return PathElement.value(item);
    if (kind != Kind.LIST_MAP) return PathElement.index(index);
    if (!item.isObject()) {
      if (strict) throw new TypedError(where + ": element " + index + ": associative list with keys may not have non-map elements");
      return PathElement.index(index);
    }
    List<String> keys = schema.listMapKeys();
    Map<String, JsonNode> key = new LinkedHashMap<>();
    for (String k : keys) {
      JsonNode v = item.get(k);
      if (v != null && !v.isNull()) {
        key.put(k, v);
      } else if (KEY_DEFAULTS.containsKey(k)) {
        key.put(k, Json.NODES.textNode(KEY_DEFAULTS.get(k)));
      } else if (strict) {
        throw new TypedError(where + ": element " + index + ": associative list with keys has an element that omits key field \""
            + k + "\" (and doesn't have default value)");
      }
    }
    if (key.isEmpty()) return PathElement.index(index);
    return PathElement.key(key);
  }

  /** A value that does not fit its schema, as upstream's typed ValidationErrors. */
  static final class TypedError extends RuntimeException {
    TypedError(String message) {
      super(message);
    }
  }
}
