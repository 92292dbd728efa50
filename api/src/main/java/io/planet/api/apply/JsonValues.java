package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Total ordering and equality of JSON values as structured-merge-diff's {@code value.Compare}/{@code Equals} define
 * them: numbers compare numerically (ints and floats mixed), then strings, booleans, lists, maps, null.
 */
final class JsonValues {
  private JsonValues() {}

  private static int rank(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return 6;
    if (v.isNumber()) return 0;
    if (v.isTextual() || v.isBinary()) return 2;
    if (v.isBoolean()) return 3;
    if (v.isArray()) return 4;
    if (v.isObject()) return 5;
    return 6;
  }

  static int compare(JsonNode a, JsonNode b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) return Integer.compare(ra, rb);
    switch (ra) {
      case 0:
        return number(a).compareTo(number(b));
      case 2:
        return a.asText().compareTo(b.asText());
      case 3:
        return Boolean.compare(a.booleanValue(), b.booleanValue());
      case 4: {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
          int c = compare(a.get(i), b.get(i));
          if (c != 0) return c;
        }
        return Integer.compare(a.size(), b.size());
      }
      case 5: {
        List<String> ka = sortedKeys(a);
        List<String> kb = sortedKeys(b);
        int n = Math.min(ka.size(), kb.size());
        for (int i = 0; i < n; i++) {
          int c = ka.get(i).compareTo(kb.get(i));
          if (c != 0) return c;
          c = compare(a.get(ka.get(i)), b.get(kb.get(i)));
          if (c != 0) return c;
        }
        return Integer.compare(ka.size(), kb.size());
      }
      default:
        return 0;
    }
  }

  /** Deep equality; numbers are equal when numerically equal (1 == 1.0), as upstream's value.Equals. */
  static boolean equal(JsonNode a, JsonNode b) {
    if (a == null || b == null) return a == b;
    if (a.isNumber() && b.isNumber()) return number(a).compareTo(number(b)) == 0;
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) return false;
      Iterator<String> it = a.fieldNames();
      while (it.hasNext()) {
        String k = it.next();
        if (!b.has(k) || !equal(a.get(k), b.get(k))) return false;
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) return false;
      for (int i = 0; i < a.size(); i++) if (!equal(a.get(i), b.get(i))) return false;
      return true;
    }
    return a.equals(b);
  }

  static List<String> sortedKeys(JsonNode obj) {
    List<String> keys = new ArrayList<>();
    obj.fieldNames().forEachRemaining(keys::add);
    keys.sort(null);
    return keys;
  }

  private static BigDecimal number(JsonNode n) {
    return n.isIntegralNumber() ? new BigDecimal(n.bigIntegerValue()) : n.decimalValue();
  }

  /** upstream's value.ToString, used when printing paths: strings quoted, others as JSON. */
  static String render(JsonNode v) {
    if (v == null || v.isNull()) return "null";
    if (v.isTextual()) return v.toString();
    if (v.isArray()) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < v.size(); i++) {
        if (i > 0) b.append(", ");
        b.append(render(v.get(i)));
      }
      return b.append(']').toString();
    }
    if (v.isObject()) {
      StringBuilder b = new StringBuilder("{");
      int i = 0;
      for (String k : sortedKeys(v)) {
        if (i++ > 0) b.append(";");
        b.append(k).append('=').append(render(v.get(k)));
      }
      return b.append('}').toString();
    }
    return v.toString();
  }
}
