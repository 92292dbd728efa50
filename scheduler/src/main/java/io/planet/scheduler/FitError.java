package io.planet.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why no node fits, summarized as upstream does: "0/3 nodes are available: 1 Insufficient cpu, 2 ...";
 * {@code preFilterMessage}: a PreFilter rejected the pod whatever the node ("0/3 nodes are available: why.").
 */
public record FitError(int numAllNodes, Map<String, Integer> reasons, String preFilterMessage) {
  public FitError {
    reasons = new TreeMap<>(reasons);
  }

  public FitError(int numAllNodes, Map<String, Integer> reasons) {
    this(numAllNodes, reasons, null);
  }

  public String message() {
    if (numAllNodes == 0) return "no nodes available to schedule pods";
    StringBuilder sb = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
    if (preFilterMessage != null) return sb.append(' ').append(preFilterMessage).append('.').toString();
    List<String> parts = new ArrayList<>();
    reasons.forEach((reason, count) -> parts.add(count + " " + reason));
    parts.sort(null);
    if (!parts.isEmpty()) sb.append(' ').append(String.join(", ", parts)).append('.');
    return sb.toString();
  }
}
