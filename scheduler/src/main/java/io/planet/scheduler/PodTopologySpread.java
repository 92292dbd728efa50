package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pod topology spread, as upstream's PodTopologySpread. Filter (whenUnsatisfiable DoNotSchedule): placing the pod may
 * not make its domain exceed the global minimum by more than maxSkew. Score (ScheduleAnyway, and the system default
 * constraints for pods of a ReplicaSet, ReplicationController or StatefulSet): the fewer matching pods in a node's
 * domains, the better. This one mechanism also spreads a controller's replicas over nodes and zones.
 */
public final class PodTopologySpread implements FilterPlugin, ScorePlugin {
  static final String REASON = "node(s) didn't match pod topology spread constraints";
  static final String MISSING_LABEL_REASON = REASON + " (missing required label)";

  /** Matching pods per domain for each DoNotSchedule constraint, counted once per cycle. */
  static final class State {
    static final State NONE = new State(List.of());
    final List<SpreadConstraint> constraints;
    /** Per constraint: topology value to matching pods (a one-element array, so counting does not box). */
    final List<Map<String, int[]>> counts;
    /** Per constraint: the global minimum the skew is measured from (0 when there are fewer domains than minDomains). */
    final int[] min;

    State(List<SpreadConstraint> constraints) {
      this.constraints = constraints;
      this.counts = new ArrayList<>(constraints.size());
      for (int i = 0; i < constraints.size(); i++) counts.add(new HashMap<>());
      this.min = new int[constraints.size()];
    }
  }

  @Override
  public String name() {
    return "PodTopologySpread";
  }

  @Override
  public int weight() {
    return 2;
  }

  /** Counts the matching pods per domain over the nodes the constraints consider eligible. */
  public static void prepare(PodContext ctx, ClusterCache.Snapshot snapshot) {
    PodInfo pod = ctx.info;
    if (pod.hardSpread.isEmpty()) return;
    State s = new State(pod.hardSpread);
    for (int n = 0; n < snapshot.nodeCount(); n++) {
      NodeInfo node = snapshot.node(n);
      if (!hasAllKeys(node, s.constraints)) continue;
      for (int i = 0; i < s.constraints.size(); i++) {
        SpreadConstraint c = s.constraints.get(i);
        if (!eligible(c, pod, node)) continue;
        s.counts.get(i).computeIfAbsent(node.labels().get(c.topologyKey()), k -> new int[1])[0] += c.count(pod, node);
      }
    }
    for (int i = 0; i < s.constraints.size(); i++) {
      Map<String, int[]> domains = s.counts.get(i);
      int min = Integer.MAX_VALUE;
      for (int[] v : domains.values()) min = Math.min(min, v[0]);
      s.min[i] = domains.size() < s.constraints.get(i).minDomains() ? 0 : min;
    }
    ctx.spread = s;
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    State s = pod.spread;
    if (s == State.NONE) return List.of();
    for (int i = 0; i < s.constraints.size(); i++) {
      SpreadConstraint c = s.constraints.get(i);
      String value = node.labels().get(c.topologyKey());
      if (value == null) return List.of(MISSING_LABEL_REASON);
      int[] matching = s.counts.get(i).get(value);
      int skew = (matching == null ? 0 : matching[0]) + (c.selfMatch(pod.info) ? 1 : 0) - s.min[i];
      if (skew > c.maxSkew()) return List.of(REASON);
    }
    return List.of();
  }

  @Override
  public long[] score(PodContext ctx, List<NodeInfo> nodes) {
    long[] scores = new long[nodes.size()];
    PodInfo pod = ctx.info;
    List<SpreadConstraint> constraints = pod.softSpread;
    if (constraints.isEmpty() || ctx.snapshot == null) return scores;
    // the system defaults still spread over hostnames on nodes without a zone label
    boolean requireAllTopologies = !constraints.get(0).byController();
    int k = constraints.size();
    boolean[] ignored = new boolean[nodes.size()];
    int ignoredCount = 0;
    List<Map<String, long[]>> counts = new ArrayList<>(k);
    for (int i = 0; i < k; i++) counts.add(new HashMap<>());
    for (int n = 0; n < nodes.size(); n++) {
      NodeInfo node = nodes.get(n);
      if (requireAllTopologies && !hasAllKeys(node, constraints)) {
        ignored[n] = true;
        ignoredCount++;
        continue;
      }
      for (int i = 0; i < k; i++) {
        String key = constraints.get(i).topologyKey();
        if (key.equals(SpreadConstraint.HOSTNAME)) continue; // counted per node below
        counts.get(i).computeIfAbsent(node.labels().getOrDefault(key, ""), v -> new long[1]);
      }
    }
    double[] weights = new double[k];
    for (int i = 0; i < k; i++) {
      int size = constraints.get(i).topologyKey().equals(SpreadConstraint.HOSTNAME) ? nodes.size() - ignoredCount
          : counts.get(i).size();
      weights[i] = Math.log(size + 2);
    }
    // matching pods per domain over all nodes, for the domains of the feasible ones
    ClusterCache.Snapshot snapshot = ctx.snapshot;
    for (int n = 0; n < snapshot.nodeCount(); n++) {
      NodeInfo node = snapshot.node(n);
      if (requireAllTopologies && !hasAllKeys(node, constraints)) continue;
      for (int i = 0; i < k; i++) {
        SpreadConstraint c = constraints.get(i);
        if (c.topologyKey().equals(SpreadConstraint.HOSTNAME)) continue;
        long[] count = counts.get(i).get(node.labels().getOrDefault(c.topologyKey(), ""));
        if (count == null || !eligible(c, pod, node)) continue;
        count[0] += c.count(pod, node);
      }
    }
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int n = 0; n < scores.length; n++) {
      if (ignored[n]) continue;
      NodeInfo node = nodes.get(n);
      double score = 0;
      for (int i = 0; i < k; i++) {
        SpreadConstraint c = constraints.get(i);
        String value = node.labels().get(c.topologyKey());
        if (value == null) continue;
        long count = c.topologyKey().equals(SpreadConstraint.HOSTNAME) ? c.count(pod, node) : counts.get(i).get(value)[0];
        // maxSkew - 1 waters the differences down: a larger tolerated skew cares less
        score += count * weights[i] + (c.maxSkew() - 1);
      }
      scores[n] = Math.round(score);
      min = Math.min(min, scores[n]);
      max = Math.max(max, scores[n]);
    }
    // fewer matching pods is better; ignored nodes get 0
    for (int n = 0; n < scores.length; n++) {
      if (ignored[n]) scores[n] = 0;
      else scores[n] = max == 0 ? 100 : 100 * (max + min - scores[n]) / max;
    }
    return scores;
  }

  private static boolean hasAllKeys(NodeInfo node, List<SpreadConstraint> constraints) {
    for (SpreadConstraint c : constraints) if (!node.labels().containsKey(c.topologyKey())) return false;
    return true;
  }

  /** nodeAffinityPolicy Honor counts only nodes the pod's node selector and affinity allow; nodeTaintsPolicy Honor only tolerated nodes. */
  private static boolean eligible(SpreadConstraint c, PodInfo pod, NodeInfo node) {
    if (node.node() == null) return false;
    if (c.honorNodeAffinity() && !NodeAffinity.requiredMatches(pod.pod, node.labels(), node.name())) return false;
    if (c.honorNodeTaints()) {
      for (Taint t : node.hardTaints()) if (!Tolerations.tolerates(pod.pod, t)) return false;
    }
    return true;
  }
}
