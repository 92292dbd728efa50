package io.planet.scheduler;

import java.util.List;

/** Ranks the feasible nodes for a pod; scores are normalized to 0..100 and weighted. */
public interface ScorePlugin {
  String name();

  int weight();

  /** One raw score per node, in order. */
  long[] score(PodContext pod, List<NodeInfo> nodes);

  /** Scales raw scores so the best is 100 (upstream's DefaultNormalizeScore); reverse makes the lowest best. */
  static void normalize(long[] scores, boolean reverse) {
    long max = 0;
    for (long s : scores) max = Math.max(max, s);
    for (int i = 0; i < scores.length; i++) {
      if (max == 0) {
        scores[i] = reverse ? 100 : 0;
      } else {
        long s = scores[i] * 100 / max;
        scores[i] = reverse ? 100 - s : s;
      }
    }
  }
}
