package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A label selector in its string form (labels.Parse), as a Scale's {@code status.selector} carries it:
 * {@code a=b,c!=d,e in (f,g),h notin (i),j,!k}. The empty selector selects everything.
 */
public final class Selector {
  private record Requirement(String key, String op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case "=", "in" -> v != null && values.contains(v);
        case "!=", "notin" -> v == null || !values.contains(v);
        case "exists" -> v != null;
        case "!" -> v == null;
        case ">", "<" -> v != null && compare(v, values.iterator().next(), op);
        default -> false;
      };
    }

    private static boolean compare(String v, String bound, String op) {
      try {
        long a = Long.parseLong(v);
        long b = Long.parseLong(bound);
        return op.equals(">") ? a > b : a < b;
      } catch (NumberFormatException e) {
        return false;
      }
    }

    @Override
    public String toString() {
      return switch (op) {
        case "exists" -> key;
        case "!" -> "!" + key;
        case "in", "notin" -> key + " " + op + " (" + String.join(",", values) + ")";
        default -> key + op + values.iterator().next();
      };
    }
  }

  private final List<Requirement> requirements;

  private Selector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  public static Selector everything() {
    return new Selector(List.of());
  }

  /** Parses the string form; throws IllegalArgumentException with upstream-like wording on a syntax error. */
  public static Selector parse(String s) {
    List<Requirement> out = new ArrayList<>();
    for (String part : split(s.trim())) {
      String p = part.trim();
      if (p.isEmpty()) throw new IllegalArgumentException("found '', expected: identifier");
      out.add(requirement(p));
    }
    return new Selector(out);
  }

  /** metav1.LabelSelectorAsSelector: null selects nothing upstream, but for metric selectors null means all. */
  public static Selector of(LabelSelector ls) {
    if (ls == null) return everything();
    List<Requirement> out = new ArrayList<>();
    if (ls.getMatchLabels() != null) {
      new TreeMap<>(ls.getMatchLabels()).forEach((k, v) -> out.add(new Requirement(k, "=", Set.of(v))));
    }
    if (ls.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : ls.getMatchExpressions()) {
        String op = switch (r.getOperator()) {
          case "In" -> "in";
          case "NotIn" -> "notin";
          case "Exists" -> "exists";
          case "DoesNotExist" -> "!";
          default -> throw new IllegalArgumentException("\"" + r.getOperator() + "\" is not a valid label selector operator");
        };
        out.add(new Requirement(r.getKey(), op, new TreeSet<>(r.getValues() == null ? List.of() : r.getValues())));
      }
    }
    return new Selector(out);
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.matches(l));
  }

  @Override
  public String toString() {
    return String.join(",", requirements.stream().map(Requirement::toString).toList());
  }

  private static List<String> split(String s) {
    List<String> parts = new ArrayList<>();
    if (s.isEmpty()) return parts;
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') depth++;
      else if (c == ')') depth--;
      else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  private static Requirement requirement(String p) {
    if (p.startsWith("!")) return new Requirement(key(p.substring(1).trim()), "!", Set.of());
    for (String op : new String[] {"!=", "==", "=", ">", "<"}) {
      int i = p.indexOf(op);
      if (i > 0) {
        String value = p.substring(i + op.length()).trim();
        return new Requirement(key(p.substring(0, i).trim()), op.equals("==") ? "=" : op, Set.of(value));
      }
    }
    String[] words = p.split("\\s+", 2);
    if (words.length == 1) return new Requirement(key(words[0]), "exists", Set.of());
    String rest = words[1].trim();
    for (String op : new String[] {"notin", "in"}) {
      if (rest.startsWith(op)) {
        String list = rest.substring(op.length()).trim();
        if (!list.startsWith("(") || !list.endsWith(")")) {
          throw new IllegalArgumentException("found '" + list + "', expected: '('");
        }
        Set<String> values = new TreeSet<>();
        for (String v : list.substring(1, list.length() - 1).split(",")) {
          if (!v.isBlank()) values.add(v.trim());
        }
        return new Requirement(key(words[0]), op, values);
      }
    }
    throw new IllegalArgumentException("found '" + rest + "', expected: in, notin, =, ==, !=, gt, lt");
  }

  private static String key(String k) {
    if (k.isEmpty() || !k.matches("([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
      throw new IllegalArgumentException("invalid label key \"" + k + "\"");
    }
    return k;
  }
}
