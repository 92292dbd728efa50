package io.planet.scheduler;

import java.util.List;

/** NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in similar fractions. */
public final class BalancedAllocation implements ScorePlugin {
  @Override
  public String name() {
    return "NodeResourcesBalancedAllocation";
  }

  @Override
  public int weight() {
    return 1;
  }

  @Override
  public long[] score(PodContext pod, List<NodeInfo> nodes) {
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < scores.length; i++) {
      NodeInfo n = nodes.get(i);
      double cpu = fraction(n.reqMilliCpu + pod.requests.milliCpu(), n.allocMilliCpu);
      double mem = fraction(n.reqMemory + pod.requests.memory(), n.allocMemory);
      // the standard deviation of two fractions is half their distance
      double std = Math.abs(cpu - mem) / 2;
      scores[i] = (long) ((1 - std) * 100);
    }
    return scores;
  }

  private static double fraction(long requested, long capacity) {
    if (capacity == 0) return 1;
    return Math.min(1.0, (double) requested / capacity);
  }
}
