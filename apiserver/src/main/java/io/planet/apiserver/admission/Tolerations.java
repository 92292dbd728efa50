package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's tolerations.MergeTolerations: the union of toleration lists where a toleration covered by another
 * (a superset: same or any key, same or any effect, a value match or Exists, no shorter NoExecute window) is dropped.
 */
final class Tolerations {
  private Tolerations() {}

  static List<JsonNode> merge(List<JsonNode> all) {
    List<JsonNode> merged = new ArrayList<>();
    next:
    for (int i = 0; i < all.size(); i++) {
      JsonNode t = all.get(i);
      for (JsonNode kept : merged) if (isSuperset(kept, t)) continue next;
      for (int j = i + 1; j < all.size(); j++) {
        JsonNode later = all.get(j);
        // equal tolerations: the first one stays
        if (!same(t, later) && isSuperset(later, t)) continue next;
      }
      merged.add(t);
    }
    return merged;
  }

  /** Whether {@code ss} tolerates everything {@code t} does. */
  static boolean isSuperset(JsonNode ss, JsonNode t) {
    if (same(ss, t)) return true;
    String ssKey = str(ss, "key");
    String ssOp = str(ss, "operator");
    if (!str(t, "key").equals(ssKey) && (!ssKey.isEmpty() || !ssOp.equals("Exists"))) return false;
    String ssEffect = str(ss, "effect");
    if (!str(t, "effect").equals(ssEffect) && !ssEffect.isEmpty()) return false;
    if (ssEffect.equals("NoExecute") && ss.hasNonNull("tolerationSeconds")) {
      if (!t.hasNonNull("tolerationSeconds")) return false;
      if (t.get("tolerationSeconds").asLong() > ss.get("tolerationSeconds").asLong()) return false;
    }
    return switch (ssOp) {
      case "", "Equal" -> (str(t, "operator").equals("Equal") || str(t, "operator").isEmpty())
          && str(t, "value").equals(str(ss, "value"));
      case "Exists" -> true;
      default -> false;
    };
  }

  private static boolean same(JsonNode a, JsonNode b) {
    for (String f : List.of("key", "operator", "value", "effect")) if (!str(a, f).equals(str(b, f))) return false;
    boolean sa = a.hasNonNull("tolerationSeconds");
    boolean sb = b.hasNonNull("tolerationSeconds");
    return sa == sb && (!sa || a.get("tolerationSeconds").asLong() == b.get("tolerationSeconds").asLong());
  }

  private static String str(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() ? "" : v.asText();
  }
}
