package io.planet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validation of a custom resource against its structural schema, as upstream's kube-openapi SchemaValidator and
 * {@code kubeOpenAPIResultToFieldErrors} report it (422 causes): {@code spec.replicas: Invalid value: 20:
 * spec.replicas in body should be less than or equal to 10}, {@code spec.name: Required value},
 * {@code spec.color: Unsupported value: "pink": supported values: "red", "blue"}; then x-kubernetes-list-type
 * set/map uniqueness ({@code spec.tags[2]: Duplicate value: "a"}).
 *
 * <p>On update, a value equal to the old object's value at the same (property/map key) path is not validated again
 * (upstream's CRD validation ratcheting). x-kubernetes-validations (CEL) rules are not evaluated.
 */
public final class SchemaValidation {
  private SchemaValidation() {}

  /** Field errors of {@code obj} (a whole custom resource); {@code old} is the stored object on update, else null. */
  public static List<FieldError> validate(StructuralSchema schema, JsonNode obj, JsonNode old) {
    List<FieldError> out = new ArrayList<>();
    if (schema == null) return out;
    validate(schema, obj, old, "", out);
    listTypes(schema, obj, old, "", out);
    return out;
  }

  /** Field errors of a value alone, paths relative to {@code base} (e.g. a CRD schema's default). */
  static List<FieldError> validateValue(StructuralSchema schema, JsonNode value, String base) {
    List<FieldError> out = new ArrayList<>();
    validate(schema, value, null, "", out);
    List<FieldError> rebased = new ArrayList<>();
    for (FieldError e : out) {
      String f = e.field().equals("<nil>") ? base : e.field().startsWith("[") ? base + e.field() : base + "." + e.field();
      rebased.add(new FieldError(e.type(), f, f + e.message().substring(e.field().length())));
    }
    return rebased;
  }

  private static void validate(StructuralSchema s, JsonNode x, JsonNode old, String path, List<FieldError> out) {
    if (s == null || x == null) return;
    if (old != null && old.equals(x)) return; // ratcheting: unchanged values keep validating as they did
    String jsonType = jsonType(x);
    String types = s.intOrString ? "integer,string" : s.type;
    if (x.isNull()) {
      if (!types.isEmpty() && !s.nullable) typeInvalid(path, types, "null", out);
      if (!s.enumValues.isEmpty() && !inEnum(x, s.enumValues)) notSupported(path, x, s.enumValues, out);
      return;
    }
    if (!types.isEmpty() && !typeMatches(types, jsonType, x)) typeInvalid(path, types, jsonType, out);
    junctors(s, x, path, out);
    if (x.isTextual()) strings(s, x.asText(), x, path, out);
    if (x.isNumber()) numbers(s, x, path, out);
    if (x instanceof ArrayNode a) arrays(s, a, path, out);
    if (!s.enumValues.isEmpty() && !inEnum(x, s.enumValues)) notSupported(path, x, s.enumValues, out);
    if (x instanceof ObjectNode o) objects(s, o, old instanceof ObjectNode oo ? oo : null, path, out);
  }

  private static String jsonType(JsonNode x) {
    if (x.isTextual()) return "string";
    if (x.isBoolean()) return "boolean";
    if (x.isIntegralNumber()) return "integer";
    if (x.isNumber()) return "number";
    if (x.isArray()) return "array";
    if (x.isObject()) return "object";
    return "null";
  }

  private static boolean typeMatches(String types, String jsonType, JsonNode x) {
    for (String t : types.split(",")) {
      if (t.equals(jsonType)) return true;
      if (t.equals("number") && jsonType.equals("integer")) return true;
      if (t.equals("integer") && jsonType.equals("number") && isIntegral(x.decimalValue())) return true;
    }
    return false;
  }

  private static boolean isIntegral(BigDecimal d) {
    return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
  }

  // ---- allOf, anyOf, oneOf, not

  private static void junctors(StructuralSchema s, JsonNode x, String path, List<FieldError> out) {
    if (!s.anyOf.isEmpty()) {
      List<FieldError> best = null;
      boolean ok = false;
      for (StructuralSchema sub : s.anyOf) {
        List<FieldError> r = new ArrayList<>();
        validate(sub, x, null, path, r);
        if (r.isEmpty()) {
          ok = true;
          break;
        }
        if (best == null || r.size() < best.size()) best = r;
      }
      if (!ok) {
        composite("\"" + path + "\" must validate at least one schema (anyOf)", out);
        out.addAll(best);
      }
    }
    if (!s.oneOf.isEmpty()) {
      int valid = 0;
      List<FieldError> best = null;
      for (StructuralSchema sub : s.oneOf) {
        List<FieldError> r = new ArrayList<>();
        validate(sub, x, null, path, r);
        if (r.isEmpty()) valid++;
        else if (best == null || r.size() < best.size()) best = r;
      }
      if (valid != 1) {
        composite("\"" + path + "\" must validate one and only one schema (oneOf). "
            + (valid == 0 ? "Found none valid" : "Found " + valid + " valid alternatives"), out);
        if (valid == 0 && best != null) out.addAll(best);
      }
    }
    if (!s.allOf.isEmpty()) {
      int valid = 0;
      List<FieldError> all = new ArrayList<>();
      for (StructuralSchema sub : s.allOf) {
        List<FieldError> r = new ArrayList<>();
        validate(sub, x, null, path, r);
        if (r.isEmpty()) valid++;
        all.addAll(r);
      }
      out.addAll(all);
      if (valid != s.allOf.size()) {
        composite("\"" + path + "\" must validate all the schemas (allOf)" + (valid == 0 ? ". None validated" : ""), out);
      }
    }
    if (s.not != null) {
      List<FieldError> r = new ArrayList<>();
      validate(s.not, x, null, path, r);
      if (r.isEmpty()) composite("\"" + path + "\" must not validate the schema (not)", out);
    }
  }

  // ---- scalars

  private static void strings(StructuralSchema s, String v, JsonNode x, String path, List<FieldError> out) {
    long len = v.codePointCount(0, v.length());
    if (s.maxLength != null && len > s.maxLength) {
      String f = field(path);
      out.add(new FieldError(FieldError.Type.TOO_LONG, f, f + ": Too long: may not be more than " + s.maxLength + " bytes"));
    }
    if (s.minLength != null && len < s.minLength) invalid(path, x, "should be at least " + s.minLength + " chars long", out);
    if (s.pattern != null && s.compiledPattern != null && !s.compiledPattern.matcher(v).find()) {
      invalid(path, x, "should match '" + s.pattern + "'", out);
    }
    if (!s.format.isEmpty() && !Formats.valid(s.format, v)) {
      String f = field(path);
      out.add(new FieldError(FieldError.Type.TYPE_INVALID, f, f + ": Invalid value: " + render(x) + ": " + path
          + " in body must be of type " + s.format + ": " + render(x)));
    }
  }

  private static void numbers(StructuralSchema s, JsonNode x, String path, List<FieldError> out) {
    boolean integral = x.isIntegralNumber();
    BigDecimal v = x.decimalValue();
    if (s.multipleOf != null && s.multipleOf.signum() > 0) {
      BigDecimal factor = integral ? new BigDecimal(s.multipleOf.toBigInteger()) : s.multipleOf;
      if (factor.signum() != 0 && v.remainder(factor).signum() != 0) {
        invalid(path, x, "should be a multiple of " + number(factor), out);
      }
    }
    if (s.maximum != null) {
      BigDecimal max = integral ? new BigDecimal(s.maximum.toBigInteger()) : s.maximum;
      int c = v.compareTo(max);
      if (s.exclusiveMaximum ? c >= 0 : c > 0) {
        invalid(path, x, "should be less than " + (s.exclusiveMaximum ? "" : "or equal to ") + number(max), out);
      }
    }
    if (s.minimum != null) {
      BigDecimal min = integral ? new BigDecimal(s.minimum.toBigInteger()) : s.minimum;
      int c = v.compareTo(min);
      if (s.exclusiveMinimum ? c <= 0 : c < 0) {
        invalid(path, x, "should be greater than " + (s.exclusiveMinimum ? "" : "or equal to ") + number(min), out);
      }
    }
  }

  /** Go's %v of a float64 bound: integral values without a fraction. */
  private static String number(BigDecimal d) {
    if (isIntegral(d) && d.abs().compareTo(new BigDecimal("1e21")) < 0) return d.toBigInteger().toString();
    return d.stripTrailingZeros().toPlainString();
  }

  private static boolean inEnum(JsonNode x, List<JsonNode> values) {
    for (JsonNode e : values) {
      if (e.equals(x)) return true;
      if (e.isNumber() && x.isNumber() && e.decimalValue().compareTo(x.decimalValue()) == 0) return true;
    }
    return false;
  }

  // ---- arrays and objects

  private static void arrays(StructuralSchema s, ArrayNode a, String path, List<FieldError> out) {
    if (s.items != null) {
      for (int i = 0; i < a.size(); i++) validate(s.items, a.get(i), null, path + "[" + i + "]", out);
    }
    if (s.minItems != null && a.size() < s.minItems) {
      invalid(path, a.size(), "should have at least " + s.minItems + " items", out);
    }
    if (s.maxItems != null && a.size() > s.maxItems) tooMany(path, a.size(), s.maxItems, out);
    if (s.uniqueItems) {
      for (int i = 1; i < a.size(); i++) {
        boolean dup = false;
        for (int j = 0; j < i && !dup; j++) dup = a.get(i).equals(a.get(j));
        if (dup) {
          invalid(path, "", "shouldn't contain duplicates", out);
          break;
        }
      }
    }
  }

  private static void objects(StructuralSchema s, ObjectNode o, ObjectNode old, String path, List<FieldError> out) {
    int n = o.size();
    if (s.minProperties != null && n < s.minProperties) {
      invalid(path, n, "should have at least " + s.minProperties + " properties", out);
      return;
    }
    if (s.maxProperties != null && n > s.maxProperties) {
      tooMany(path, n, s.maxProperties, out);
      return;
    }
    if (s.hasAdditionalProperties && s.additionalProperties == null && !s.preserveUnknownFields
        && !allowsAdditional(s)) {
      Iterator<String> keys = o.fieldNames();
      while (keys.hasNext()) {
        String k = keys.next();
        if (!s.properties.containsKey(k)) {
          String f = field(path);
          out.add(new FieldError(FieldError.Type.INVALID, f, f + ": Invalid value: \"" + k + "\": " + path + "." + k
              + " in body is a forbidden property"));
        }
      }
    } else if (s.additionalProperties != null) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (s.properties.containsKey(e.getKey())) continue;
        validate(s.additionalProperties, e.getValue(), old == null ? null : old.get(e.getKey()),
            path + "." + e.getKey(), out);
      }
    }
    for (Map.Entry<String, StructuralSchema> e : s.properties.entrySet()) {
      JsonNode v = o.get(e.getKey());
      if (v != null) validate(e.getValue(), v, old == null ? null : old.get(e.getKey()), join(path, e.getKey()), out);
    }
    for (String r : s.required) {
      if (!o.has(r)) out.add(FieldError.required(join(path, r), ""));
    }
  }

  /** additionalProperties: true allows anything; false forbids unspecified keys. */
  private static boolean allowsAdditional(StructuralSchema s) {
    return s.allowsAdditionalProperties;
  }

  // ---- x-kubernetes-list-type

  private static void listTypes(StructuralSchema s, JsonNode x, JsonNode old, String path, List<FieldError> out) {
    if (s == null || x == null || old != null && old.equals(x)) return;
    if (x instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        StructuralSchema f = s.field(e.getKey());
        listTypes(f, e.getValue(), old instanceof ObjectNode oo ? oo.get(e.getKey()) : null, join(path, e.getKey()), out);
      }
    } else if (x instanceof ArrayNode a) {
      if ("set".equals(s.listType)) {
        for (int i = 1; i < a.size(); i++) {
          for (int j = 0; j < i; j++) {
            if (a.get(i).equals(a.get(j))) {
              String f = path + "[" + i + "]";
              out.add(new FieldError(FieldError.Type.DUPLICATE, f, f + ": Duplicate value: " + render(a.get(i))));
              break;
            }
          }
        }
      } else if ("map".equals(s.listType) && !s.listMapKeys.isEmpty()) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
          if (!a.get(i).isObject()) continue;
          TreeMap<String, JsonNode> key = new TreeMap<>();
          for (String k : s.listMapKeys) {
            JsonNode v = a.get(i).get(k);
            if (v == null && s.items != null && s.items.properties.get(k) != null) v = s.items.properties.get(k).defaultValue;
            if (v != null) key.put(k, v);
          }
          String rendered = goMap(key);
          if (seen.contains(rendered)) {
            String f = path + "[" + i + "]";
            out.add(new FieldError(FieldError.Type.DUPLICATE, f, f + ": Duplicate value: " + rendered));
          } else {
            seen.add(rendered);
          }
        }
      }
      for (int i = 0; i < a.size(); i++) listTypes(s.items, a.get(i), null, path + "[" + i + "]", out);
    }
  }

  /** Go's %#v of the key fields of a map-list item: {@code map[string]interface {}{"name":"a"}}. */
  private static String goMap(TreeMap<String, JsonNode> key) {
    StringBuilder b = new StringBuilder("map[string]interface {}{");
    int i = 0;
    for (Map.Entry<String, JsonNode> e : key.entrySet()) {
      if (i++ > 0) b.append(", ");
      b.append('"').append(e.getKey()).append("\":").append(e.getValue().isIntegralNumber()
          ? e.getValue().asText() : e.getValue().toString());
    }
    return b.append('}').toString();
  }

  // ---- field errors as kubeOpenAPIResultToFieldErrors makes them

  private static String field(String path) {
    return path.isEmpty() ? "<nil>" : path;
  }

  private static String join(String path, String k) {
    return path.isEmpty() ? k : path + "." + k;
  }

  private static String render(Object v) {
    if (v instanceof JsonNode n) return n.isTextual() ? "\"" + n.asText() + "\"" : n.toString();
    if (v instanceof String s) return "\"" + s + "\"";
    return String.valueOf(v);
  }

  private static void invalid(String path, Object value, String detail, List<FieldError> out) {
    String f = field(path);
    out.add(new FieldError(FieldError.Type.INVALID, f, f + ": Invalid value: " + render(value) + ": " + path
        + " in body " + detail));
  }

  private static void typeInvalid(String path, String want, String got, List<FieldError> out) {
    String f = field(path);
    out.add(new FieldError(FieldError.Type.TYPE_INVALID, f, f + ": Invalid value: \"" + got + "\": " + path
        + " in body must be of type " + want + ": \"" + got + "\""));
  }

  private static void notSupported(String path, JsonNode value, List<JsonNode> values, List<FieldError> out) {
    List<String> valid = new ArrayList<>();
    for (JsonNode v : values) valid.add(v.isTextual() ? v.asText() : v.toString());
    FieldError e = FieldError.notSupported(field(path), value, valid);
    out.add(e);
  }

  private static void tooMany(String path, long actual, long max, List<FieldError> out) {
    String f = field(path);
    out.add(new FieldError(FieldError.Type.TOO_MANY, f, f + ": Too many: " + actual + ": must have at most " + max + " items"));
  }

  /** The junctors' messages are not per-field errors upstream: they come out at the nil path. */
  private static void composite(String message, List<FieldError> out) {
    out.add(new FieldError(FieldError.Type.INVALID, "<nil>", "<nil>: Invalid value: \"\": " + message));
  }
}
