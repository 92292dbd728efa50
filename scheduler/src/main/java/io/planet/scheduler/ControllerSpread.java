package io.planet.scheduler;

import java.util.List;

/**
 * Spreads the pods of one controller (the owner with controller=true) across nodes: the fewer of its pods a node already
 * has, the better (the default hostname spreading of upstream's PodTopologySpread, weight 2).
 */
public final class ControllerSpread implements ScorePlugin {
  @Override
  public String name() {
    return "PodTopologySpread";
  }

  @Override
  public int weight() {
    return 2;
  }

  @Override
  public long[] score(PodContext pod, List<NodeInfo> nodes) {
    long[] scores = new long[nodes.size()];
    if (pod.controllerUid == null) return scores;
    for (int i = 0; i < scores.length; i++) scores[i] = nodes.get(i).podsOfController(pod.controllerUid);
    ScorePlugin.normalize(scores, true);
    return scores;
  }
}
