package io.planet.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Why no node fits, summarized as upstream does: "0/3 nodes are available: 1 Insufficient cpu, 2 ...". */
public record FitError(int numAllNodes, Map<String, Integer> reasons) {
  public FitError {
    reasons = new TreeMap<>(reasons);
  }

  public String message() {
    if (numAllNodes == 0) return "no nodes available to schedule pods";
    StringBuilder sb = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
    List<String> parts = new ArrayList<>();
    reasons.forEach((reason, count) -> parts.add(count + " " + reason));
    parts.sort(null);
    if (!parts.isEmpty()) sb.append(' ').append(String.join(", ", parts)).append('.');
    return sb.toString();
  }
}
