package io.planet.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Upstream's DefaultPreemption, for a pod no node fits: on each node where evicting pods could help, take away every pod
 * of lower priority, check the pod fits, then give back as many as still let it fit (the most important first); the
 * rest are the victims. The node whose victims matter least wins: the lowest highest priority, then the lowest sum of
 * priorities, then the fewest victims.
 */
public final class DefaultPreemption {
  /** Reasons no eviction can cure (upstream's UnschedulableAndUnresolvable): such nodes are not candidates. */
  private static final Set<String> UNRESOLVABLE = Set.of(NodeAffinity.REASON, NodeUnschedulable.REASON, NodeName.REASON,
      PodTopologySpread.MISSING_LABEL_REASON, InterPodAffinity.AFFINITY_REASON);
  private static final Comparator<PodInfo> MORE_IMPORTANT_FIRST = Comparator.<PodInfo>comparingInt(p -> -p.priority)
      .thenComparing(p -> p.startTime.isEmpty() ? "~" : p.startTime);

  /** Where to make room, and whom to evict for it (most important first). */
  public record Candidate(String node, List<PodInfo> victims) {}

  private final ScheduleAlgorithm algorithm;

  DefaultPreemption(ScheduleAlgorithm algorithm) {
    this.algorithm = algorithm;
  }

  /**
   * Whether the pod may preempt now: not with preemptionPolicy Never, and not while pods of lower priority are still
   * terminating on the node it was already nominated to (it waits for the room it made).
   */
  static boolean eligible(PodInfo pod, ClusterCache.Snapshot snapshot) {
    if (pod.neverPreempts) return false;
    String nominated = snapshot.nominatedNode(pod.key);
    NodeInfo node = nominated == null ? null : snapshot.node(nominated);
    if (node == null) return true;
    for (PodInfo p : node.podInfos()) if (p.terminating && p.priority < pod.priority) return false;
    return true;
  }

  /** The best candidate, or null when evicting lower-priority pods makes room nowhere. */
  public Candidate find(PodContext pod, ClusterCache.Snapshot snapshot) {
    Candidate best = null;
    for (int i = 0; i < snapshot.nodeCount(); i++) {
      NodeInfo node = snapshot.node(i);
      NodeInfo view = snapshot.withNominatedPods(node, pod.info);
      if (!resolvable(algorithm.filter(pod, view))) continue;
      List<PodInfo> victims = selectVictims(pod, node, view);
      if (victims == null) continue;
      Candidate c = new Candidate(node.name(), victims);
      if (best == null || better(c, best)) best = c;
    }
    return best;
  }

  private static boolean resolvable(List<String> reasons) {
    for (String r : reasons) if (UNRESOLVABLE.contains(r) || r.startsWith("node(s) had untolerated taint")) return false;
    return true;
  }

  /**
   * The fewest, least important lower-priority pods of the node whose eviction lets the pod fit; null when none would do.
   * The simulation runs on the view with the nominated pods that outrank the pod.
   */
  List<PodInfo> selectVictims(PodContext pod, NodeInfo node, NodeInfo view) {
    NodeInfo sim = view.copy();
    List<PodInfo> lower = new ArrayList<>();
    for (PodInfo p : node.podInfos()) {
      // pods already terminating free their room anyway
      if (p.priority < pod.info.priority && !p.terminating) lower.add(p);
    }
    if (lower.isEmpty()) return null;
    for (PodInfo p : lower) sim.removePod(p.key);
    if (!algorithm.filter(pod, sim).isEmpty()) return null;
    lower.sort(MORE_IMPORTANT_FIRST);
    List<PodInfo> victims = new ArrayList<>();
    for (PodInfo p : lower) {
      sim.addPod(p);
      if (!algorithm.filter(pod, sim).isEmpty()) {
        sim.removePod(p.key);
        victims.add(p);
      }
    }
    return victims.isEmpty() ? null : victims;
  }

  private static boolean better(Candidate a, Candidate b) {
    int highestA = a.victims.get(0).priority;
    int highestB = b.victims.get(0).priority;
    if (highestA != highestB) return highestA < highestB;
    long sumA = sum(a.victims);
    long sumB = sum(b.victims);
    if (sumA != sumB) return sumA < sumB;
    return a.victims.size() < b.victims.size();
  }

  /** Upstream shifts priorities by 2^31 so negative ones add up sensibly. */
  private static long sum(List<PodInfo> victims) {
    long s = 0;
    for (PodInfo p : victims) s += (long) p.priority + Integer.MAX_VALUE + 1;
    return s;
  }
}
