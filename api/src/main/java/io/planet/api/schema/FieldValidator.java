package io.planet.api.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.FieldError;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-side field validation (KEP-2885): the fields of a request body its schema does not know, duplicate fields,
 * and JSON values of the wrong type, reported as upstream's decoder reports them.
 *
 * <p>With {@code fieldValidation=Strict} upstream answers 400 BadRequest with
 * {@code strict decoding error: unknown field "spec.foo", unknown field "spec.bar"}; with {@code Warn} each problem
 * becomes a {@code Warning: 299 - "unknown field \"spec.foo\""} header. A value of the wrong type is a 400 for built-in
 * kinds ({@code Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field
 * PodSpec.spec.containers of type []v1.Container}) and a 422 for custom resources (schema validation).
 */
public final class FieldValidator {
  private FieldValidator() {}

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Paths of the fields {@code obj} has and {@code schema} does not know, in document order, as upstream spells them:
   * {@code spec.foo}, {@code spec.containers[0].bogus}, {@code metadata.bogus}. Below fields that preserve unknown
   * fields, map values of any type, and untyped ({@code ANY}) values, nothing is unknown.
   */
  public static List<String> unknownFields(Schema schema, JsonNode obj) {
    List<String> out = new ArrayList<>();
    walkUnknown(schema, obj, "", out);
    return out;
  }

  private static void walkUnknown(Schema s, JsonNode n, String path, List<String> out) {
    if (s == null || n == null || n.isNull()) return;
    switch (s.type()) {
      case OBJECT -> {
        if (!n.isObject()) return;
        Map<String, Schema> props = s.properties();
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
          Schema child = props.get(e.getKey());
          if (child == null) {
            if (!s.preserveUnknownFields()) out.add(p);
          } else {
            walkUnknown(child, e.getValue(), p, out);
          }
        }
      }
      case ARRAY -> {
        if (!n.isArray()) return;
        for (int i = 0; i < n.size(); i++) walkUnknown(s.items(), n.get(i), path + "[" + i + "]", out);
      }
      case MAP -> {
        if (!n.isObject()) return;
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          walkUnknown(s.additionalProperties(), e.getValue(), path + "." + e.getKey(), out);
        }
      }
      default -> { }
    }
  }

  /**
   * Paths of fields that occur twice in the same JSON object of a request body ({@code spec.replicas},
   * {@code spec.containers[0].name}), in document order. Empty when the body is not parseable JSON.
   */
  public static List<String> duplicateFields(byte[] json) {
    List<String> out = new ArrayList<>();
    // one frame per open object/array: the path so far, the keys seen (objects) or the next index (arrays)
    Deque<Frame> stack = new ArrayDeque<>();
    try (JsonParser p = JSON.createParser(json)) {
      String pendingName = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case FIELD_NAME -> {
            Frame f = stack.peek();
            pendingName = p.currentName();
            if (f != null && !f.keys.add(pendingName)) out.add(join(f.path, pendingName));
          }
          case START_OBJECT, START_ARRAY -> {
            String path = childPath(stack.peek(), pendingName);
            stack.push(new Frame(path, t == JsonToken.START_ARRAY));
            pendingName = null;
          }
          case END_OBJECT, END_ARRAY -> {
            stack.pop();
            advance(stack.peek());
          }
          default -> advance(stack.peek());
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return out;
  }

  private static final class Frame {
    final String path;
    final boolean array;
    final Set<String> keys = new HashSet<>();
    int index;

    Frame(String path, boolean array) {
      this.path = path;
      this.array = array;
    }
  }

  private static String childPath(Frame parent, String name) {
    if (parent == null) return "";
    if (parent.array) return parent.path + "[" + parent.index + "]";
    return join(parent.path, name);
  }

  private static void advance(Frame f) {
    if (f != null && f.array) f.index++;
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** {@code unknown field "spec.foo"} per path: the Warning header texts (fieldValidation=Warn). */
  public static List<String> unknownFieldMessages(List<String> paths) {
    List<String> out = new ArrayList<>();
    for (String p : paths) out.add("unknown field \"" + p + "\"");
    return out;
  }

  /** {@code duplicate field "spec.replicas"} per path. */
  public static List<String> duplicateFieldMessages(List<String> paths) {
    List<String> out = new ArrayList<>();
    for (String p : paths) out.add("duplicate field \"" + p + "\"");
    return out;
  }

  /**
   * The message of the 400 answer to a strict request:
   * {@code strict decoding error: unknown field "spec.foo", unknown field "spec.bar"}.
   */
  public static String strictDecodingError(List<String> messages) {
    return "strict decoding error: " + String.join(", ", messages);
  }

  /** Shorthand: the strict decoding error for unknown field paths. */
  public static String strictUnknownFieldsError(List<String> unknownPaths) {
    return strictDecodingError(unknownFieldMessages(unknownPaths));
  }

  /**
   * The first value of {@code obj} whose JSON type cannot decode into the built-in kind's Go type, as Go's decoder
   * says it: {@code json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type
   * []v1.Container}; null when every value fits. Only the cheap structural mismatches are detected (object, array,
   * string, number, boolean), not the formats of quantities, times or int-or-strings.
   */
  public static String decodeError(Schema schema, JsonNode obj) {
    if (schema == null || obj == null || !obj.isObject()) return null;
    return typeMismatch(schema, obj, simpleName(schema), "");
  }

  /** Upstream's 400 message for a body that does not decode: {@code Pod in version "v1" cannot be handled as a Pod: ...}. */
  public static String decodeErrorMessage(String kind, String version, String decodeError) {
    return kind + " in version \"" + version + "\" cannot be handled as a " + kind + ": " + decodeError;
  }

  private static String typeMismatch(Schema s, JsonNode n, String struct, String path) {
    if (s == null || n == null || n.isNull()) return null;
    String got = jsonKind(n);
    switch (s.type()) {
      case OBJECT -> {
        if (!n.isObject()) return unmarshal(got, struct, path, s);
        String inner = simpleName(s);
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          Schema child = s.property(e.getKey());
          if (child == null) continue;
          String err = typeMismatch(child, e.getValue(), inner, join(path, e.getKey()));
          if (err != null) return err;
        }
        return null;
      }
      case ARRAY -> {
        if (!n.isArray()) return unmarshal(got, struct, path, s);
        for (JsonNode item : n) {
          String err = typeMismatch(s.items(), item, struct, path);
          if (err != null) return err;
        }
        return null;
      }
      case MAP -> {
        if (!n.isObject()) return unmarshal(got, struct, path, s);
        for (JsonNode v : n) {
          String err = typeMismatch(s.additionalProperties(), v, struct, path);
          if (err != null) return err;
        }
        return null;
      }
      case STRING, BYTES -> {
        return n.isTextual() ? null : unmarshal(got, struct, path, s);
      }
      case BOOLEAN -> {
        return n.isBoolean() ? null : unmarshal(got, struct, path, s);
      }
      case NUMBER -> {
        return n.isNumber() ? null : unmarshal(got, struct, path, s);
      }
      case INTEGER -> {
        if (!n.isNumber()) return unmarshal(got, struct, path, s);
        if (!fitsInteger(n, s.format())) return unmarshal("number " + n.asText(), struct, path, s);
        return null;
      }
      default -> {
        return null;
      }
    }
  }

  private static boolean fitsInteger(JsonNode n, String format) {
    if (!n.isIntegralNumber()) {
      try {
        n.decimalValue().toBigIntegerExact();
      } catch (ArithmeticException e) {
        return false;
      }
    }
    BigInteger v = n.bigIntegerValue();
    if ("int32".equals(format)) return v.bitLength() < 32;
    return v.bitLength() < 64;
  }

  private static String unmarshal(String got, String struct, String path, Schema target) {
    return "json: cannot unmarshal " + got + " into Go struct field " + struct + "." + path + " of type " + goType(target);
  }

  private static String jsonKind(JsonNode n) {
    if (n.isTextual()) return "string";
    if (n.isNumber()) return "number";
    if (n.isBoolean()) return "bool";
    if (n.isArray()) return "array";
    return "object";
  }

  /** Go's spelling of a field's type, e.g. {@code []v1.Container}, {@code map[string]string}, {@code int32}. */
  static String goType(Schema s) {
    if (s == null) return "interface {}";
    return switch (s.type()) {
      case OBJECT -> s.name() == null ? "map[string]interface {}" : goPackage(s.name()) + "." + simpleName(s);
      case ARRAY -> "[]" + goType(s.items());
      case MAP -> "map[string]" + goType(s.additionalProperties());
      case STRING -> "string";
      case BYTES -> "[]uint8";
      case BOOLEAN -> "bool";
      case NUMBER -> "float64";
      case INTEGER -> "int64".equals(s.format()) ? "int64" : "int32";
      case TIME, MICRO_TIME -> "v1." + simpleName(s);
      case QUANTITY -> "resource.Quantity";
      case INT_OR_STRING -> "intstr.IntOrString";
      case ANY -> "interface {}";
    };
  }

  private static String goPackage(String definition) {
    String pkg = definition.substring(0, definition.lastIndexOf('.'));
    return pkg.substring(pkg.lastIndexOf('.') + 1);
  }

  private static String simpleName(Schema s) {
    String n = s.name();
    if (n == null) return "";
    return n.substring(n.lastIndexOf('.') + 1);
  }

  /**
   * Values of the wrong JSON type in a custom resource, as the CRD schema validation reports them (422):
   * {@code spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"}.
   */
  public static List<FieldError> typeErrors(Schema schema, JsonNode obj) {
    List<FieldError> out = new ArrayList<>();
    walkTypes(schema, obj, "", out);
    return out;
  }

  private static void walkTypes(Schema s, JsonNode n, String path, List<FieldError> out) {
    if (s == null || n == null || n.isNull()) return;
    String want = switch (s.type()) {
      case OBJECT, MAP -> n.isObject() ? null : "object";
      case ARRAY -> n.isArray() ? null : "array";
      case STRING, BYTES, TIME, MICRO_TIME -> n.isTextual() ? null : "string";
      case BOOLEAN -> n.isBoolean() ? null : "boolean";
      case NUMBER -> n.isNumber() ? null : "number";
      case INTEGER -> n.isIntegralNumber() || (n.isNumber() && fitsInteger(n, "int64")) ? null : "integer";
      case INT_OR_STRING, QUANTITY -> n.isTextual() || n.isNumber() ? null : "integer-or-string";
      case ANY -> null;
    };
    if (want != null) {
      String field = path.isEmpty() ? "<root>" : path;
      String got = n.isTextual() ? "string" : n.isBoolean() ? "boolean" : n.isIntegralNumber() ? "integer"
          : n.isNumber() ? "number" : n.isArray() ? "array" : "object";
      out.add(new FieldError(FieldError.Type.TYPE_INVALID, field, field + ": Invalid value: \"" + got + "\": "
          + field + " in body must be of type " + want + ": \"" + got + "\""));
      return;
    }
    switch (s.type()) {
      case OBJECT -> {
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          walkTypes(s.property(e.getKey()), e.getValue(), join(path, e.getKey()), out);
        }
      }
      case ARRAY -> {
        for (int i = 0; i < n.size(); i++) walkTypes(s.items(), n.get(i), path + "[" + i + "]", out);
      }
      case MAP -> {
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          walkTypes(s.additionalProperties(), e.getValue(), join(path, e.getKey()), out);
        }
      }
      default -> { }
    }
  }

}
