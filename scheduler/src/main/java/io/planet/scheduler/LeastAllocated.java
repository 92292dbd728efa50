package io.planet.scheduler;

import java.util.List;

/** NodeResourcesFit's default score: prefers the node with the most cpu and memory left after placing the pod. */
public final class LeastAllocated implements ScorePlugin {
  @Override
  public String name() {
    return "NodeResourcesFit";
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
      long cpu = free(n.allocMilliCpu, n.nonZeroMilliCpu + pod.nonZeroRequests.milliCpu());
      long mem = free(n.allocMemory, n.nonZeroMemory + pod.nonZeroRequests.memory());
      scores[i] = (cpu + mem) / 2;
    }
    return scores;
  }

  private static long free(long capacity, long requested) {
    if (capacity == 0 || requested > capacity) return 0;
    return (capacity - requested) * 100 / capacity;
  }
}
