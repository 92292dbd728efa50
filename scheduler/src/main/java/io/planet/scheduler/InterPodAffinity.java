package io.planet.scheduler;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Pod affinity and anti-affinity, as upstream's InterPodAffinity. Filter: the node's topology domains must hold a pod
 * matching every required affinity term, no pod a required anti-affinity term selects, and no pod whose own required
 * anti-affinity selects the incoming pod. Score: preferred terms of both the incoming and the existing pods, by weight,
 * plus existing pods' required affinity (upstream's hardPodAffinityWeight 1). The domains are found once per cycle
 * ({@link #prepare}), so each node check is a few map lookups.
 */
public final class InterPodAffinity implements FilterPlugin, ScorePlugin {
  static final String EXISTING_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";
  static final String AFFINITY_REASON = "node(s) didn't match pod affinity rules";
  static final String REASON = "node(s) didn't match pod anti-affinity rules";
  private static final int HARD_POD_AFFINITY_WEIGHT = 1;

  /** Per-cycle facts: topology domains by key, as upstream's topologyToMatchedTermCount maps. */
  static final class State {
    static final State NONE = new State();
    /** Domains where an existing pod's required anti-affinity selects the incoming pod. */
    final Map<String, Set<String>> existingAnti = new HashMap<>();
    /** Domains holding pods that match all of the incoming pod's required affinity terms, with how many. */
    final Map<String, Map<String, Integer>> affinityCounts = new HashMap<>();
    /** Domains holding pods the incoming pod's required anti-affinity selects. */
    final Map<String, Set<String>> anti = new HashMap<>();
    boolean selfMatchesAllAffinity;

    boolean isEmpty() {
      return existingAnti.isEmpty() && affinityCounts.isEmpty() && anti.isEmpty();
    }
  }

  @Override
  public String name() {
    return "InterPodAffinity";
  }

  @Override
  public int weight() {
    return 2;
  }

  /** Finds the domains that matter for the cycle's pod. */
  public static void prepare(PodContext ctx, ClusterCache.Snapshot snapshot) {
    PodInfo pod = ctx.info;
    List<NodeInfo> withAffinity = snapshot.nodesWithAffinityPods();
    boolean own = !pod.requiredAffinity.isEmpty() || !pod.requiredAntiAffinity.isEmpty();
    if (!own && withAffinity.isEmpty()) return;
    Function<String, Map<String, String>> nsLabels = snapshot::namespaceLabels;
    State s = new State();
    for (NodeInfo node : withAffinity) {
      for (PodInfo other : node.podsWithAffinity()) {
        if (other.key.equals(pod.key)) continue;
        for (AffinityTerm t : other.requiredAntiAffinity) {
          String value = node.labels().get(t.topologyKey());
          if (value != null && t.matches(pod, nsLabels)) s.existingAnti.computeIfAbsent(t.topologyKey(), k -> new HashSet<>()).add(value);
        }
      }
    }
    if (own) {
      for (int i = 0; i < snapshot.nodeCount(); i++) {
        NodeInfo node = snapshot.node(i);
        for (PodInfo other : node.podInfos()) {
          if (other.key.equals(pod.key)) continue;
          if (AffinityTerm.matchesAll(pod.requiredAffinity, other, nsLabels)) {
            for (AffinityTerm t : pod.requiredAffinity) {
              String value = node.labels().get(t.topologyKey());
              if (value != null) s.affinityCounts.computeIfAbsent(t.topologyKey(), k -> new HashMap<>()).merge(value, 1, Integer::sum);
            }
          }
          for (AffinityTerm t : pod.requiredAntiAffinity) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(other, nsLabels)) s.anti.computeIfAbsent(t.topologyKey(), k -> new HashSet<>()).add(value);
          }
        }
      }
      s.selfMatchesAllAffinity = AffinityTerm.matchesAll(pod.requiredAffinity, pod, nsLabels);
    }
    if (!s.isEmpty() || !pod.requiredAffinity.isEmpty()) ctx.affinity = s;
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    State s = pod.affinity;
    if (s == State.NONE) return List.of();
    if (inAny(s.existingAnti, node)) return List.of(EXISTING_REASON);
    if (!satisfiesAffinity(pod.info, s, node)) return List.of(AFFINITY_REASON);
    if (inAny(s.anti, node)) return List.of(REASON);
    return List.of();
  }

  /**
   * Every required term needs a matching pod in the node's domain. The first pod of a group that selects itself may go
   * anywhere with the topology keys, as long as no pod anywhere matches the terms yet.
   */
  private static boolean satisfiesAffinity(PodInfo pod, State s, NodeInfo node) {
    boolean podsExist = true;
    for (AffinityTerm t : pod.requiredAffinity) {
      String value = node.labels().get(t.topologyKey());
      if (value == null) return false;
      Map<String, Integer> counts = s.affinityCounts.get(t.topologyKey());
      Integer n = counts == null ? null : counts.get(value);
      if (n == null || n <= 0) podsExist = false;
    }
    return podsExist || (s.affinityCounts.isEmpty() && s.selfMatchesAllAffinity);
  }

  private static boolean inAny(Map<String, Set<String>> domains, NodeInfo node) {
    if (domains.isEmpty()) return false;
    for (Map.Entry<String, Set<String>> e : domains.entrySet()) {
      String value = node.labels().get(e.getKey());
      if (value != null && e.getValue().contains(value)) return true;
    }
    return false;
  }

  @Override
  public long[] score(PodContext ctx, List<NodeInfo> nodes) {
    long[] scores = new long[nodes.size()];
    PodInfo pod = ctx.info;
    ClusterCache.Snapshot snapshot = ctx.snapshot;
    if (snapshot == null) return scores;
    boolean preferred = !pod.preferredAffinity.isEmpty() || !pod.preferredAntiAffinity.isEmpty();
    List<NodeInfo> withAffinity = snapshot.nodesWithAffinityPods();
    if (!preferred && withAffinity.isEmpty()) return scores;
    Function<String, Map<String, String>> nsLabels = snapshot::namespaceLabels;
    Map<String, Map<String, Long>> topology = new HashMap<>();
    int visit = preferred ? snapshot.nodeCount() : withAffinity.size();
    for (int i = 0; i < visit; i++) {
      NodeInfo node = preferred ? snapshot.node(i) : withAffinity.get(i);
      if (node.labels().isEmpty()) continue;
      for (PodInfo other : preferred ? node.podInfos() : node.podsWithAffinity()) {
        if (other.key.equals(pod.key)) continue;
        // the incoming pod's preferences about the existing pod
        add(topology, pod.preferredAffinity, other, node, 1, false, nsLabels);
        add(topology, pod.preferredAntiAffinity, other, node, -1, false, nsLabels);
        // the existing pod's terms about the incoming pod
        add(topology, other.requiredAffinity, pod, node, 1, true, nsLabels);
        add(topology, other.preferredAffinity, pod, node, 1, false, nsLabels);
        add(topology, other.preferredAntiAffinity, pod, node, -1, false, nsLabels);
      }
    }
    if (topology.isEmpty()) return scores;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < scores.length; i++) {
      NodeInfo node = nodes.get(i);
      long sum = 0;
      for (Map.Entry<String, Map<String, Long>> e : topology.entrySet()) {
        String value = node.labels().get(e.getKey());
        Long v = value == null ? null : e.getValue().get(value);
        if (v != null) sum += v;
      }
      scores[i] = sum;
      min = Math.min(min, sum);
      max = Math.max(max, sum);
    }
    // upstream's NormalizeScore: the range from the lowest to the highest becomes 0..100
    long diff = max - min;
    for (int i = 0; i < scores.length; i++) scores[i] = diff > 0 ? (long) (100.0 * (scores[i] - min) / diff) : 0;
    return scores;
  }

  private static void add(Map<String, Map<String, Long>> topology, List<AffinityTerm> terms, PodInfo target, NodeInfo node,
      int sign, boolean hard, Function<String, Map<String, String>> nsLabels) {
    for (AffinityTerm t : terms) {
      String value = node.labels().get(t.topologyKey());
      if (value == null || !t.matches(target, nsLabels)) continue;
      long w = (long) sign * (hard ? HARD_POD_AFFINITY_WEIGHT : t.weight());
      topology.computeIfAbsent(t.topologyKey(), k -> new HashMap<>()).merge(value, w, Long::sum);
    }
  }
}
