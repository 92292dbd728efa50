package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.FieldError;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds field errors with upstream's texts (k8s.io/apimachinery/pkg/util/validation/field, 1.32), rendering bad
 * values as Go's {@code %#v} would for the types upstream reports (maps, string slices, label selectors).
 */
final class Errors {
  private Errors() {}

  static final String IMMUTABLE = "field is immutable";

  static FieldError required(String field) {
    return FieldError.required(field, "");
  }

  static FieldError required(String field, String detail) {
    return FieldError.required(field, detail);
  }

  static FieldError invalid(String field, Object value, String detail) {
    return FieldError.invalid(field, value, detail);
  }

  /** Invalid with a value already rendered (Go syntax). */
  static FieldError invalidRendered(String field, String rendered, String detail) {
    return new FieldError(FieldError.Type.INVALID, field,
        field + ": Invalid value: " + rendered + (detail == null || detail.isEmpty() ? "" : ": " + detail));
  }

  static FieldError notSupported(String field, Object value, Collection<String> valid) {
    return FieldError.notSupported(field, value, valid);
  }

  static FieldError forbidden(String field, String detail) {
    return FieldError.forbidden(field, detail);
  }

  static FieldError duplicate(String field, Object value) {
    return FieldError.duplicate(field, value);
  }

  static FieldError duplicateRendered(String field, String rendered) {
    return new FieldError(FieldError.Type.DUPLICATE, field, field + ": Duplicate value: " + rendered);
  }

  static FieldError notFound(String field, Object value) {
    return FieldError.notFound(field, value);
  }

  /** field.TooLong as of 1.32: "Too long: must have at most N bytes". */
  static FieldError tooLong(String field, long max) {
    return new FieldError(FieldError.Type.TOO_LONG, field, field + ": Too long: must have at most " + max + " bytes");
  }

  static FieldError tooMany(String field, int actual, int max) {
    return new FieldError(FieldError.Type.TOO_MANY, field,
        field + ": Too many: " + actual + ": must have at most " + max + " items");
  }

  static void nonNegative(JsonNode node, String key, String field, List<FieldError> errors) {
    if (node != null && node.hasNonNull(key) && node.get(key).asLong() < 0) {
      errors.add(invalid(field, node.get(key).asLong(), "must be greater than or equal to 0"));
    }
  }

  /** ValidateImmutableField for strings. */
  static void immutable(String newValue, String oldValue, String field, List<FieldError> errors) {
    if (!newValue.equals(oldValue)) errors.add(invalid(field, newValue, IMMUTABLE));
  }

  /** ValidateImmutableField for any JSON value, rendered as JSON. */
  static void immutableTree(JsonNode newValue, JsonNode oldValue, String field, List<FieldError> errors) {
    if (!Trees.semanticEquals(newValue, oldValue)) {
      errors.add(invalidRendered(field, newValue == null || newValue.isNull() ? "null" : goValue(newValue), IMMUTABLE));
    }
  }

  /** Go's %#v of map[string]string: keys sorted. */
  static String goStringMap(JsonNode map) {
    if (map == null || !map.isObject()) return "map[string]string(nil)";
    Map<String, String> sorted = new TreeMap<>();
    map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
    StringBuilder b = new StringBuilder("map[string]string{");
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      if (i++ > 0) b.append(", ");
      b.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
    }
    return b.append('}').toString();
  }

  /** Go's %#v of []string. */
  static String goStringSlice(JsonNode arr) {
    if (arr == null || !arr.isArray()) return "[]string(nil)";
    StringBuilder b = new StringBuilder("[]string{");
    for (int i = 0; i < arr.size(); i++) {
      if (i > 0) b.append(", ");
      b.append(quote(arr.get(i).asText()));
    }
    return b.append('}').toString();
  }

  /** Go's %#v of a metav1.LabelSelector (dereferenced). */
  static String goLabelSelector(JsonNode sel) {
    if (sel == null || sel.isNull()) return "null";
    StringBuilder b = new StringBuilder("v1.LabelSelector{MatchLabels:");
    b.append(goStringMap(sel.get("matchLabels")));
    b.append(", MatchExpressions:");
    JsonNode me = sel.get("matchExpressions");
    if (me == null || !me.isArray()) {
      b.append("[]v1.LabelSelectorRequirement(nil)");
    } else {
      b.append("[]v1.LabelSelectorRequirement{");
      for (int i = 0; i < me.size(); i++) {
        JsonNode r = me.get(i);
        if (i > 0) b.append(", ");
        b.append("v1.LabelSelectorRequirement{Key:").append(quote(r.path("key").asText()))
            .append(", Operator:").append(quote(r.path("operator").asText()))
            .append(", Values:").append(goStringSlice(r.get("values"))).append('}');
      }
      b.append('}');
    }
    return b.append('}').toString();
  }

  /** A scalar as Go prints it; objects and arrays as compact JSON (an approximation of %#v). */
  static String goValue(JsonNode v) {
    if (v == null || v.isNull()) return "null";
    if (v.isTextual()) return quote(v.asText());
    return v.toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
