package io.planet.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of Kubernetes JSONPath that CRD printer columns use: {@code .a.b}, {@code ['a.b']}, {@code [0]},
 * {@code [-1]}, {@code [*]}, {@code .*} and filters {@code [?(@.type=="Ready")]} (==, !=, &lt;, &gt;, &lt;=,
 * &gt;= against a quoted string or a number; {@code [?(@.x)]} tests existence). Missing keys yield no results.
 */
final class JsonPath {
  private interface Step {
    void apply(JsonNode node, List<JsonNode> out);
  }

  private final List<Step> steps;

  private JsonPath(List<Step> steps) {
    this.steps = steps;
  }

  /** Parses a path with or without surrounding braces; IllegalArgumentException when unsupported. */
  static JsonPath parse(String expr) {
    String s = expr.trim();
    if (s.startsWith("{") && s.endsWith("}")) s = s.substring(1, s.length() - 1).trim();
    if (s.startsWith("$")) s = s.substring(1);
    if (!s.isEmpty() && s.charAt(0) != '.' && s.charAt(0) != '[') s = "." + s;
    return new JsonPath(new Parser(s).steps());
  }

  /** All values the path reaches, in document order. */
  List<JsonNode> find(JsonNode root) {
    List<JsonNode> current = new ArrayList<>();
    current.add(root);
    for (Step step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode n : current) step.apply(n, next);
      current = next;
    }
    return current;
  }

  /** The first value, or null. */
  JsonNode first(JsonNode root) {
    List<JsonNode> all = find(root);
    return all.isEmpty() ? null : all.get(0);
  }

  private static Step field(String name) {
    return (node, out) -> {
      if (node.isObject() && node.has(name)) out.add(node.get(name));
    };
  }

  private static Step wildcard() {
    return (node, out) -> {
      if (node.isContainerNode()) node.elements().forEachRemaining(out::add);
    };
  }

  private static Step index(int i) {
    return (node, out) -> {
      if (!node.isArray()) return;
      int at = i < 0 ? node.size() + i : i;
      if (at >= 0 && at < node.size()) out.add(node.get(at));
    };
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    List<Step> steps() {
      List<Step> steps = new ArrayList<>();
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '.') {
          pos++;
          if (pos < s.length() && s.charAt(pos) == '*') {
            pos++;
            steps.add(wildcard());
          } else if (pos < s.length() && s.charAt(pos) != '.' && s.charAt(pos) != '[') {
            steps.add(field(name()));
          }
        } else if (c == '[') {
          steps.add(bracket());
        } else {
          throw bad();
        }
      }
      return steps;
    }

    /** A field name up to the next unescaped '.' or '['; "\." escapes a dot. */
    private String name() {
      StringBuilder b = new StringBuilder();
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '\\' && pos + 1 < s.length()) {
          b.append(s.charAt(pos + 1));
          pos += 2;
          continue;
        }
        if (c == '.' || c == '[') break;
        b.append(c);
        pos++;
      }
      return b.toString();
    }

    private Step bracket() {
      int close = matching(pos);
      String inner = s.substring(pos + 1, close).trim();
      pos = close + 1;
      if (inner.equals("*")) return wildcard();
      if (inner.startsWith("?(") && inner.endsWith(")")) return filter(inner.substring(2, inner.length() - 1).trim());
      if (isQuoted(inner)) return field(inner.substring(1, inner.length() - 1));
      try {
        return index(Integer.parseInt(inner));
      } catch (NumberFormatException e) {
        throw bad();
      }
    }

    /** The index of the ']' closing the '[' at {@code open}, skipping quoted strings. */
    private int matching(int open) {
      int depth = 0;
      char quote = 0;
      for (int i = open; i < s.length(); i++) {
        char c = s.charAt(i);
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '[') {
          depth++;
        } else if (c == ']' && --depth == 0) {
          return i;
        }
      }
      throw bad();
    }

    private Step filter(String cond) {
      String[] ops = {"==", "!=", "<=", ">=", "<", ">"};
      for (String op : ops) {
        int at = indexOutsideQuotes(cond, op);
        if (at < 0) continue;
        JsonPath left = operand(cond.substring(0, at).trim());
        String right = cond.substring(at + op.length()).trim();
        return (node, out) -> {
          if (!node.isArray()) return;
          for (JsonNode el : node) {
            JsonNode v = left.first(el);
            if (v != null && compare(v, op, right)) out.add(el);
          }
        };
      }
      JsonPath exists = operand(cond);
      return (node, out) -> {
        if (!node.isArray()) return;
        for (JsonNode el : node) if (exists.first(el) != null) out.add(el);
      };
    }

    private JsonPath operand(String expr) {
      if (!expr.startsWith("@")) throw bad();
      return new JsonPath(new Parser(expr.substring(1)).steps());
    }

    private IllegalArgumentException bad() {
      return new IllegalArgumentException("unsupported JSONPath: " + s);
    }
  }

  private static boolean isQuoted(String s) {
    return s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0);
  }

  private static int indexOutsideQuotes(String s, String op) {
    char quote = 0;
    for (int i = 0; i + op.length() <= s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (s.startsWith(op, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean compare(JsonNode v, String op, String literal) {
    int cmp;
    if (isQuoted(literal)) {
      if (!v.isTextual()) return op.equals("!=");
      cmp = v.asText().compareTo(literal.substring(1, literal.length() - 1));
    } else {
      double want;
      try {
        want = Double.parseDouble(literal);
      } catch (NumberFormatException e) {
        return false;
      }
      if (!v.isNumber()) return op.equals("!=");
      cmp = Double.compare(v.asDouble(), want);
    }
    return switch (op) {
      case "==" -> cmp == 0;
      case "!=" -> cmp != 0;
      case "<" -> cmp < 0;
      case ">" -> cmp > 0;
      case "<=" -> cmp <= 0;
      default -> cmp >= 0;
    };
  }
}
