package io.planet.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One scheduling decision: filter the nodes (stopping once enough feasible ones are found in large clusters, as
 * upstream's percentageOfNodesToScore), score the feasible ones, and pick the best, breaking ties at random.
 */
public final class ScheduleAlgorithm {
  /** Upstream's default filter order; a node stops at the first plugin that rejects it. */
  private final List<FilterPlugin> filters;
  private final List<ScorePlugin> scores;
  private final VolumeBinding volumes;
  private int nextStartNode;

  public ScheduleAlgorithm() {
    this(VolumeBinding.NONE);
  }

  /** With upstream's VolumeBinding on the given claims, volumes and classes. */
  public ScheduleAlgorithm(VolumeBinding volumes) {
    this.volumes = volumes;
    TaintToleration taints = new TaintToleration();
    NodeAffinity affinity = new NodeAffinity();
    InterPodAffinity podAffinity = new InterPodAffinity();
    PodTopologySpread spread = new PodTopologySpread();
    this.filters = List.of(new NodeUnschedulable(), new NodeName(), taints, affinity, new NodePorts(),
        new NodeResourcesFit(), volumes, spread, podAffinity);
    this.scores = List.of(new LeastAllocated(), new BalancedAllocation(), spread, podAffinity, affinity, taints);
  }

  /** The chosen node's name, or the reasons no node fits. */
  public sealed interface Result permits Chosen, Unschedulable {}

  public record Chosen(String node, int feasible) implements Result {}

  /**
   * No node fits; {@code preemption} says which pods to evict where to make room, when a preemption can, and
   * {@code postFilterMessage} why it cannot (appended to the FitError's message as upstream), or null;
   * {@code clearNomination} withdraws a nomination the pod had.
   */
  public record Unschedulable(FitError error, DefaultPreemption.Candidate preemption, String postFilterMessage,
      boolean clearNomination) implements Result {
    public Unschedulable(FitError error) {
      this(error, null, null, false);
    }

    /** Upstream's FitError.Error(): the filters' summary, then what the preemption said. */
    public String message() {
      return postFilterMessage == null ? error.message() : error.message() + " " + postFilterMessage;
    }
  }

  public Result schedule(PodContext pod, ClusterCache.Snapshot snapshot) {
    int all = snapshot.nodeCount();
    if (all == 0) return new Unschedulable(new FitError(0, Map.of()));
    pod.snapshot = snapshot;
    String rejected = volumes.preFilter(pod);
    if (rejected != null) return new Unschedulable(new FitError(all, Map.of(), rejected));
    PodTopologySpread.prepare(pod, snapshot);
    InterPodAffinity.prepare(pod, snapshot);
    // a node a preemption made room on is tried first, as upstream's evaluateNominatedNode
    String nominated = snapshot.nominatedNode(pod.info.key);
    NodeInfo nominatedNode = nominated == null ? null : snapshot.node(nominated);
    if (nominatedNode != null && filter(pod, snapshot.withNominatedPods(nominatedNode, pod.info)).isEmpty()) {
      return new Chosen(nominated, 1);
    }
    int wanted = numFeasibleNodesToFind(all);
    List<NodeInfo> feasible = new ArrayList<>();
    Map<String, Integer> reasons = new HashMap<>();
    int start = nextStartNode % all;
    int visited = 0;
    for (; visited < all && feasible.size() < wanted; visited++) {
      NodeInfo node = snapshot.node((start + visited) % all);
      List<String> failed = filter(pod, snapshot.withNominatedPods(node, pod.info));
      if (failed.isEmpty()) feasible.add(node);
      else for (String r : failed) reasons.merge(r, 1, Integer::sum);
    }
    nextStartNode = (start + visited) % all;
    if (feasible.isEmpty()) return new Unschedulable(new FitError(all, reasons));
    if (feasible.size() == 1) return new Chosen(feasible.get(0).name(), 1);
    long[] total = score(pod, feasible);
    return new Chosen(feasible.get(pickBest(total)).name(), feasible.size());
  }

  /**
   * Upstream's PreBind: what must be written before the pod is bound to the node (WaitForFirstConsumer claims);
   * true when the pod must then wait for {@link #claimsBound}.
   */
  public boolean preBind(io.fabric8.kubernetes.api.model.Pod pod, String node) {
    return volumes.preBind(pod, node);
  }

  /** Whether every claim of the pod is bound (the pod may be bound then). */
  public boolean claimsBound(io.fabric8.kubernetes.api.model.Pod pod) {
    return volumes.claimsBound(pod);
  }

  List<String> filter(PodContext pod, NodeInfo node) {
    for (FilterPlugin f : filters) {
      List<String> r = f.filter(pod, node);
      if (!r.isEmpty()) return r;
    }
    return List.of();
  }

  long[] score(PodContext pod, List<NodeInfo> nodes) {
    long[] total = new long[nodes.size()];
    for (ScorePlugin s : scores) {
      long[] part = s.score(pod, nodes);
      for (int i = 0; i < total.length; i++) total[i] += part[i] * s.weight();
    }
    return total;
  }

  /** The index of the highest score; among equals, each is equally likely (reservoir sampling). */
  static int pickBest(long[] scores) {
    int best = 0;
    int ties = 1;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
        ties = 1;
      } else if (scores[i] == scores[best]) {
        ties++;
        if (ThreadLocalRandom.current().nextInt(ties) == 0) best = i;
      }
    }
    return best;
  }

  /** Upstream's adaptive percentage: all nodes below 100, then 50% minus 1% per 125 nodes, at least 5% and 100 nodes. */
  static int numFeasibleNodesToFind(int all) {
    if (all < 100) return all;
    int percentage = Math.max(5, 50 - all / 125);
    return Math.max(100, all * percentage / 100);
  }
}
