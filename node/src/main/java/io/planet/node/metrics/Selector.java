package io.planet.node.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Label selectors as kubectl top sends them: k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), comma-joined. */
final class Selector {
  static final Selector ALL = new Selector(List.of());

  private record Requirement(String key, String op, Set<String> values) {}

  private final List<Requirement> requirements;

  private Selector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  static Selector parse(String s) {
    if (s == null || s.isBlank()) return ALL;
    List<Requirement> out = new ArrayList<>();
    for (String part : split(s)) {
      String p = part.trim();
      if (p.isEmpty()) continue;
      if (p.startsWith("!")) out.add(new Requirement(p.substring(1).trim(), "!", Set.of()));
      else if (p.contains("!=")) out.add(new Requirement(p.substring(0, p.indexOf("!=")).trim(), "!=", Set.of(p.substring(p.indexOf("!=") + 2).trim())));
      else if (p.contains("==")) out.add(new Requirement(p.substring(0, p.indexOf("==")).trim(), "=", Set.of(p.substring(p.indexOf("==") + 2).trim())));
      else if (p.contains("=")) out.add(new Requirement(p.substring(0, p.indexOf('=')).trim(), "=", Set.of(p.substring(p.indexOf('=') + 1).trim())));
      else if (p.matches("\\S+\\s+(in|notin)\\s*\\(.*\\)")) {
        String[] kv = p.split("\\s+", 2);
        String rest = kv[1].trim();
        String op = rest.startsWith("notin") ? "notin" : "in";
        String values = rest.substring(rest.indexOf('(') + 1, rest.lastIndexOf(')'));
        Set<String> set = new java.util.HashSet<>();
        for (String v : values.split(",")) set.add(v.trim());
        out.add(new Requirement(kv[0], op, set));
      } else {
        out.add(new Requirement(p, "exists", Set.of()));
      }
    }
    return new Selector(out);
  }

  /** Splits on commas outside parentheses. */
  private static List<String> split(String s) {
    List<String> parts = new ArrayList<>();
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

  boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    for (Requirement r : requirements) {
      String v = l.get(r.key());
      boolean ok = switch (r.op()) {
        case "=" -> v != null && r.values().contains(v);
        case "!=" -> v == null || !r.values().contains(v);
        case "in" -> v != null && r.values().contains(v);
        case "notin" -> v == null || !r.values().contains(v);
        case "exists" -> v != null;
        default -> v == null;
      };
      if (!ok) return false;
    }
    return true;
  }
}
