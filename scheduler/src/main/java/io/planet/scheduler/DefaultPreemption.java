package io.planet.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Upstream's DefaultPreemption, for a pod no node fits: on each node where evicting pods could help, take away every pod
 * of lower priority, check the pod fits, then give back as many as still let it fit (the most important first); the
 * rest are the victims. The node whose victims matter least wins: the lowest highest priority, then the lowest sum of
 * priorities, then the fewest victims.
 */
public final class DefaultPreemption {
  static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
  static final String NO_VICTIMS = "No preemption victims found for incoming pod";
  /** Reasons no eviction can cure (upstream's UnschedulableAndUnresolvable): such nodes are not candidates. */
  private static final Set<String> UNRESOLVABLE = Set.of(NodeAffinity.REASON, NodeUnschedulable.REASON, NodeName.REASON,
      PodTopologySpread.MISSING_LABEL_REASON, InterPodAffinity.AFFINITY_REASON);
  private static final Comparator<PodInfo> MORE_IMPORTANT_FIRST = Comparator.<PodInfo>comparingInt(p -> -p.priority)
      .thenComparing(p -> p.startTime.isEmpty() ? "~" : p.startTime);

  /**
   * Where to make room, whom to evict for it (most important first), and the pods of lower priority nominated to that
   * node, which lose their nomination (they may no longer fit).
   */
  public record Candidate(String node, List<PodInfo> victims, List<PodInfo> lowerNominated) {}

  /**
   * What a preemption attempt found: a candidate, or why not, in the words upstream appends to the FitError
   * ("preemption: ...").
   */
  public record Outcome(Candidate candidate, String message, boolean clearNomination) {
    static Outcome ineligible(String message) {
      return new Outcome(null, "preemption: " + message, false);
    }

    /** No node would do: as upstream, a nomination the pod had is withdrawn. */
    static Outcome noCandidate(String message) {
      return new Outcome(null, "preemption: " + message, true);
    }
  }

  private final ScheduleAlgorithm algorithm;

  DefaultPreemption(ScheduleAlgorithm algorithm) {
    this.algorithm = algorithm;
  }

  /**
   * Upstream's PodEligibleToPreemptOthers: null when the pod may preempt, else why not. Not with preemptionPolicy Never,
   * and not while pods of lower priority that a preemption is terminating are still on the node it was nominated to
   * (it waits for the room it made), unless that node cannot take it anyway.
   */
  String ineligibility(PodContext pod, ClusterCache.Snapshot snapshot) {
    if (pod.info.neverPreempts) return "not eligible due to preemptionPolicy=Never.";
    String nominated = snapshot.nominatedNode(pod.info.key);
    NodeInfo node = nominated == null ? null : snapshot.node(nominated);
    if (node == null || !resolvable(algorithm.filter(pod, node))) return null;
    for (PodInfo p : node.podInfos()) {
      if (p.priority < pod.info.priority && p.terminatingByPreemption) {
        return "not eligible due to a terminating pod on the nominated node.";
      }
    }
    return null;
  }

  /** Looks for a candidate, as upstream dry-runs at least 10% of the nodes (at least 100) from a random offset. */
  public Outcome preempt(PodContext pod, ClusterCache.Snapshot snapshot) {
    String ineligible = ineligibility(pod, snapshot);
    if (ineligible != null) return Outcome.ineligible(ineligible);
    int all = snapshot.nodeCount();
    int wanted = Math.min(all, Math.max(100, all / 10));
    int offset = all == 0 ? 0 : ThreadLocalRandom.current().nextInt(all);
    Map<String, Integer> reasons = new HashMap<>();
    Candidate best = null;
    int found = 0;
    for (int i = 0; i < all && found < wanted; i++) {
      NodeInfo node = snapshot.node((offset + i) % all);
      NodeInfo view = snapshot.withNominatedPods(node, pod.info);
      if (!resolvable(algorithm.filter(pod, view))) {
        reasons.merge(NOT_HELPFUL, 1, Integer::sum);
        continue;
      }
      List<String> failed = new ArrayList<>();
      List<PodInfo> victims = selectVictims(pod, node, view, failed);
      if (victims == null) {
        for (String r : failed) reasons.merge(r, 1, Integer::sum);
        continue;
      }
      found++;
      Candidate c = new Candidate(node.name(), victims, List.of());
      if (best == null || better(c, best)) best = c;
    }
    if (best != null) {
      List<PodInfo> lowerNominated = new ArrayList<>();
      for (PodInfo p : snapshot.nominatedPods(best.node())) {
        if (p.priority < pod.info.priority && !p.key.equals(pod.info.key)) lowerNominated.add(p);
      }
      return new Outcome(new Candidate(best.node(), best.victims(), lowerNominated), null, false);
    }
    return Outcome.noCandidate(new FitError(all, reasons).message());
  }

  private static boolean resolvable(List<String> reasons) {
    for (String r : reasons) if (UNRESOLVABLE.contains(r) || r.startsWith("node(s) had untolerated taint")) return false;
    return true;
  }

  /**
   * The fewest, least important lower-priority pods of the node whose eviction lets the pod fit; null when none would
   * do, with the reasons in {@code failed}. The simulation runs on the view with the nominated pods that outrank the pod.
   */
  List<PodInfo> selectVictims(PodContext pod, NodeInfo node, NodeInfo view, List<String> failed) {
    List<PodInfo> lower = new ArrayList<>();
    for (PodInfo p : node.podInfos()) if (p.priority < pod.info.priority) lower.add(p);
    if (lower.isEmpty()) {
      failed.add(NO_VICTIMS);
      return null;
    }
    NodeInfo sim = view.copy();
    for (PodInfo p : lower) sim.removePod(p.key);
    List<String> still = algorithm.filter(pod, sim);
    if (!still.isEmpty()) {
      failed.addAll(still);
      return null;
    }
    lower.sort(MORE_IMPORTANT_FIRST);
    List<PodInfo> victims = new ArrayList<>();
    for (PodInfo p : lower) {
      sim.addPod(p);
      if (!algorithm.filter(pod, sim).isEmpty()) {
        sim.removePod(p.key);
        victims.add(p);
      }
    }
    if (victims.isEmpty()) {
      failed.add(NO_VICTIMS);
      return null;
    }
    return victims;
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
