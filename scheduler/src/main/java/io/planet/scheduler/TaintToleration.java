package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;

/**
 * Filter: a node's NoSchedule and NoExecute taints must be tolerated. Score: fewer untolerated PreferNoSchedule taints is
 * better (upstream weight 3).
 */
public final class TaintToleration implements FilterPlugin, ScorePlugin {
  @Override
  public String name() {
    return "TaintToleration";
  }

  @Override
  public int weight() {
    return 3;
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    for (Taint t : taints(node)) {
      if (!"NoSchedule".equals(t.getEffect()) && !"NoExecute".equals(t.getEffect())) continue;
      if (!Tolerations.tolerates(pod.pod, t)) {
        return List.of("node(s) had untolerated taint {" + t.getKey() + ": " + (t.getValue() == null ? "" : t.getValue()) + "}");
      }
    }
    return List.of();
  }

  @Override
  public long[] score(PodContext pod, List<NodeInfo> nodes) {
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < scores.length; i++) {
      for (Taint t : taints(nodes.get(i))) {
        if ("PreferNoSchedule".equals(t.getEffect()) && !Tolerations.tolerates(pod.pod, t)) scores[i]++;
      }
    }
    ScorePlugin.normalize(scores, true);
    return scores;
  }

  private static List<Taint> taints(NodeInfo node) {
    if (node.node().getSpec() == null || node.node().getSpec().getTaints() == null) return List.of();
    return node.node().getSpec().getTaints();
  }
}
