package io.planet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Renders JSON values the way Go's fmt prints the {@code interface{}} values of decoded JSON, so that patch error
 * messages read like upstream's (e.g. {@code map[$patch:foo name:a]}).
 */
final class GoValues {
  /** The Go kinds of decoded JSON values; int and float differ because upstream decodes integers as int64. */
  enum Kind { OBJECT, ARRAY, STRING, INT, FLOAT, BOOL, NULL }

  private GoValues() {}

  static Kind kind(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return Kind.NULL;
    if (n.isObject()) return Kind.OBJECT;
    if (n.isArray()) return Kind.ARRAY;
    if (n.isTextual()) return Kind.STRING;
    if (n.isIntegralNumber()) return Kind.INT;
    if (n.isNumber()) return Kind.FLOAT;
    if (n.isBoolean()) return Kind.BOOL;
    return Kind.STRING;
  }

  /** Go's reflect type name of a decoded value; null for JSON null (reflect.TypeOf(nil)). */
  static String typeName(JsonNode n) {
    return switch (kind(n)) {
      case OBJECT -> "map[string]interface {}";
      case ARRAY -> "[]interface {}";
      case STRING -> "string";
      case INT -> "int64";
      case FLOAT -> "float64";
      case BOOL -> "bool";
      case NULL -> null;
    };
  }

  /** The word encoding/json uses in "cannot unmarshal X into Go value of type ...". */
  static String jsonKind(JsonNode n) {
    return switch (kind(n)) {
      case OBJECT -> "object";
      case ARRAY -> "array";
      case STRING -> "string";
      case INT, FLOAT -> "number";
      case BOOL -> "bool";
      case NULL -> "null";
    };
  }

  /** {@code fmt.Sprintf("%v", v)}. */
  static String format(JsonNode n) {
    switch (kind(n)) {
      case NULL:
        return "<nil>";
      case OBJECT: {
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        StringBuilder b = new StringBuilder("map[");
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) b.append(' ');
          b.append(keys.get(i)).append(':').append(format(n.get(keys.get(i))));
        }
        return b.append(']').toString();
      }
      case ARRAY: {
        StringBuilder b = new StringBuilder("[");
        Iterator<JsonNode> it = n.elements();
        boolean first = true;
        while (it.hasNext()) {
          if (!first) b.append(' ');
          first = false;
          b.append(format(it.next()));
        }
        return b.append(']').toString();
      }
      case FLOAT:
        return formatFloat(n.doubleValue());
      default:
        return n.asText();
    }
  }

  /** {@code fmt.Sprintf("%v", [][]interface{}{...})}. */
  static String format(List<List<JsonNode>> lists) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < lists.size(); i++) {
      if (i > 0) b.append(' ');
      b.append('[');
      List<JsonNode> l = lists.get(i);
      for (int j = 0; j < l.size(); j++) {
        if (j > 0) b.append(' ');
        b.append(format(l.get(j)));
      }
      b.append(']');
    }
    return b.append(']').toString();
  }

  /** {@code fmt.Sprintf("%s", v)}: strings verbatim, anything else flagged as Go does. */
  static String formatS(JsonNode n) {
    Kind k = kind(n);
    if (k == Kind.STRING) return n.asText();
    if (k == Kind.NULL) return "%!s(<nil>)";
    return "%!s(" + typeName(n) + "=" + format(n) + ")";
  }

  /** Go's %v of a float64: shortest digits, exponent form outside [1e-4, 1e6) as strconv's 'g' does. */
  static String formatFloat(double d) {
    if (Double.isNaN(d)) return "NaN";
    if (Double.isInfinite(d)) return d > 0 ? "+Inf" : "-Inf";
    if (d == 0) return "0";
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int exp = digits.length() - 1 - bd.scale();
    String sign = d < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
      StringBuilder b = new StringBuilder(sign).append(digits.charAt(0));
      if (digits.length() > 1) b.append('.').append(digits, 1, digits.length());
      int abs = Math.abs(exp);
      b.append('e').append(exp < 0 ? '-' : '+').append(abs < 10 ? "0" : "").append(abs);
      return b.toString();
    }
    return sign + bd.toPlainString();
  }
}
