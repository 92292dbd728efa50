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
    for (Taint t : node.hardTaints()) {
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
      for (Taint t : nodes.get(i).softTaints()) {
        if (!Tolerations.tolerates(pod.pod, t)) scores[i]++;
      }
    }
    ScorePlugin.normalize(scores, true);
    return scores;
  }
}
