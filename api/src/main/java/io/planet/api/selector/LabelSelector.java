package io.planet.api.selector;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A label selector: the query-string form ({@code a=b,c!=d,e in (x,y),f notin (z),g,!h}) or a
 * {@code metav1.LabelSelector} (matchLabels + matchExpressions). An empty selector matches everything.
 */
public final class LabelSelector {
  public enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GT, LT }

  public record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case EQUALS, IN -> v != null && values.contains(v);
        case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
        case EXISTS -> labels.containsKey(key);
        case DOES_NOT_EXIST -> !labels.containsKey(key);
        case GT -> v != null && isLong(v) && Long.parseLong(v) > Long.parseLong(values.iterator().next());
        case LT -> v != null && isLong(v) && Long.parseLong(v) < Long.parseLong(values.iterator().next());
      };
    }
  }

  public static final LabelSelector EVERYTHING = new LabelSelector(List.of());
  /** Matches nothing (a null metav1.LabelSelector). */
  public static final LabelSelector NOTHING = new LabelSelector(null);

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  public List<Requirement> requirements() {
    return requirements == null ? List.of() : requirements;
  }

  public boolean isEmpty() {
    return requirements != null && requirements.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    if (requirements == null) return false;
    for (Requirement r : requirements) if (!r.matches(labels)) return false;
    return true;
  }

  /** Parses the query-string form; 400 BadRequest on syntax errors, as upstream. */
  public static LabelSelector parse(String s) {
    if (s == null || s.isBlank()) return EVERYTHING;
    List<Requirement> reqs = new ArrayList<>();
    for (String term : splitTerms(s)) {
      String t = term.trim();
      if (t.isEmpty()) throw bad(s, "found '', expected: !, identifier, or 'end of string'");
      reqs.add(parseTerm(t, s));
    }
    return new LabelSelector(reqs);
  }

  private static Requirement parseTerm(String t, String whole) {
    if (t.startsWith("!")) {
      String key = t.substring(1).trim();
      checkKey(key, whole);
      return new Requirement(key, Op.DOES_NOT_EXIST, Set.of());
    }
    int paren = t.indexOf('(');
    if (paren > 0) {
      String head = t.substring(0, paren).trim();
      if (!t.endsWith(")")) throw bad(whole, "found 'end of string', expected: ',' or ')'");
      String[] parts = head.split("\\s+");
      if (parts.length != 2) throw bad(whole, "unable to parse requirement: " + t);
      Op op;
      if (parts[1].equals("in")) op = Op.IN;
      else if (parts[1].equals("notin")) op = Op.NOT_IN;
      else throw bad(whole, "found '" + parts[1] + "', expected: in, notin, =, ==, !=, gt, lt");
      checkKey(parts[0], whole);
      Set<String> values = new LinkedHashSet<>();
      for (String v : t.substring(paren + 1, t.length() - 1).split(",")) {
        String vv = v.trim();
        checkValue(vv, whole);
        values.add(vv);
      }
      return new Requirement(parts[0], op, values);
    }
    String[] ops = {"!=", "==", "=", ">", "<"};
    for (String o : ops) {
      int i = t.indexOf(o);
      if (i > 0) {
        String key = t.substring(0, i).trim();
        String value = t.substring(i + o.length()).trim();
        checkKey(key, whole);
        Op op = switch (o) {
          case "!=" -> Op.NOT_EQUALS;
          case ">" -> Op.GT;
          case "<" -> Op.LT;
          default -> Op.EQUALS;
        };
        if ((op == Op.GT || op == Op.LT) && !isLong(value)) {
          throw bad(whole, "for 'Gt', 'Lt' operators, the value must be an integer");
        }
        checkValue(value, whole);
        return new Requirement(key, op, Set.of(value));
      }
    }
    if (t.contains(" ")) throw bad(whole, "unable to parse requirement: found '" + t + "'");
    checkKey(t, whole);
    return new Requirement(t, Op.EXISTS, Set.of());
  }

  /** Splits on commas outside parentheses. */
  private static List<String> splitTerms(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') depth++;
      else if (c == ')') depth--;
      else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  private static void checkKey(String key, String whole) {
    if (!Validation.isQualifiedName(key)) {
      throw bad(whole, "invalid label key \"" + key + "\": " + Validation.QUALIFIED_NAME_MESSAGE);
    }
  }

  private static void checkValue(String v, String whole) {
    if (!Validation.isLabelValue(v)) {
      throw bad(whole, "invalid label value: \"" + v + "\": at key: " + Validation.LABEL_VALUE_MESSAGE);
    }
  }

  private static ApiException bad(String whole, String why) {
    return ApiException.badRequest("unable to parse requirement: " + why);
  }

  private static boolean isLong(String v) {
    try {
      Long.parseLong(v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * From a {@code metav1.LabelSelector}: null → matches nothing (as upstream's LabelSelectorAsSelector does for
   * nil), {} → everything.
   */
  public static LabelSelector fromJson(JsonNode sel) {
    if (sel == null || sel.isNull()) return NOTHING;
    List<Requirement> reqs = new ArrayList<>();
    JsonNode ml = sel.get("matchLabels");
    if (ml != null && ml.isObject()) {
      ml.fields().forEachRemaining(e -> reqs.add(new Requirement(e.getKey(), Op.EQUALS, Set.of(e.getValue().asText()))));
    }
    JsonNode me = sel.get("matchExpressions");
    if (me != null && me.isArray()) {
      for (JsonNode e : me) {
        String key = e.path("key").asText();
        Set<String> values = new LinkedHashSet<>();
        e.path("values").forEach(v -> values.add(v.asText()));
        Op op = switch (e.path("operator").asText()) {
          case "In" -> Op.IN;
          case "NotIn" -> Op.NOT_IN;
          case "Exists" -> Op.EXISTS;
          case "DoesNotExist" -> Op.DOES_NOT_EXIST;
          default -> throw ApiException.badRequest("\"" + e.path("operator").asText() + "\" is not a valid label selector operator");
        };
        reqs.add(new Requirement(key, op, values));
      }
    }
    return new LabelSelector(reqs);
  }

  /** A map selector (Service, ReplicationController): empty or null map selects nothing, as upstream. */
  public static LabelSelector fromMap(JsonNode map) {
    if (map == null || !map.isObject() || map.isEmpty()) return NOTHING;
    List<Requirement> reqs = new ArrayList<>();
    map.fields().forEachRemaining(e -> reqs.add(new Requirement(e.getKey(), Op.EQUALS, Set.of(e.getValue().asText()))));
    return new LabelSelector(reqs);
  }

  /** The query-string form, as {@code status.selector} of a Scale shows it. */
  @Override
  public String toString() {
    if (requirements == null) return "";
    List<String> parts = new ArrayList<>();
    for (Requirement r : requirements) {
      parts.add(switch (r.op) {
        case EQUALS -> r.key + "=" + r.values.iterator().next();
        case NOT_EQUALS -> r.key + "!=" + r.values.iterator().next();
        case IN -> r.key + " in (" + String.join(",", new java.util.TreeSet<>(r.values)) + ")";
        case NOT_IN -> r.key + " notin (" + String.join(",", new java.util.TreeSet<>(r.values)) + ")";
        case EXISTS -> r.key;
        case DOES_NOT_EXIST -> "!" + r.key;
        case GT -> r.key + ">" + r.values.iterator().next();
        case LT -> r.key + "<" + r.values.iterator().next();
      });
    }
    java.util.Collections.sort(parts);
    return String.join(",", parts);
  }
}
