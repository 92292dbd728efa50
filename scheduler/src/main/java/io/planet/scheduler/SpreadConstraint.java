package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A topology spread constraint with upstream's defaults applied (minDomains 1, nodeAffinityPolicy Honor,
 * nodeTaintsPolicy Ignore) and matchLabelKeys merged into the selector. A system default constraint
 * ({@code byController}) counts the pods of the incoming pod's controller instead of evaluating a selector.
 */
record SpreadConstraint(int maxSkew, String topologyKey, LabelSelector selector, int minDomains,
    boolean honorNodeAffinity, boolean honorNodeTaints, boolean byController) {
  static final String HOSTNAME = "kubernetes.io/hostname";
  static final String ZONE = "topology.kubernetes.io/zone";
  /** The owners whose pods upstream's default constraints spread (the ones a Service, RC, RS or StatefulSet selects). */
  private static final Set<String> SPREAD_OWNERS = Set.of("ReplicaSet", "ReplicationController", "StatefulSet");
  private static final List<SpreadConstraint> SYSTEM_DEFAULTS = List.of(
      new SpreadConstraint(3, HOSTNAME, null, 1, true, false, true),
      new SpreadConstraint(5, ZONE, null, 1, true, false, true));

  /** The pod's constraints with the given whenUnsatisfiable (DoNotSchedule for the filter, ScheduleAnyway for the score). */
  static List<SpreadConstraint> of(Pod pod, String whenUnsatisfiable) {
    List<TopologySpreadConstraint> all = pod.getSpec() == null ? null : pod.getSpec().getTopologySpreadConstraints();
    if (all == null || all.isEmpty()) return List.of();
    List<SpreadConstraint> out = new ArrayList<>();
    for (TopologySpreadConstraint c : all) {
      if (!whenUnsatisfiable.equals(c.getWhenUnsatisfiable())) continue;
      LabelSelector selector = withMatchLabelKeys(c.getLabelSelector(), c.getMatchLabelKeys(), false,
          pod.getMetadata().getLabels());
      out.add(new SpreadConstraint(c.getMaxSkew() == null ? 1 : c.getMaxSkew(), c.getTopologyKey(), selector,
          c.getMinDomains() == null ? 1 : c.getMinDomains(), !"Ignore".equals(c.getNodeAffinityPolicy()),
          "Honor".equals(c.getNodeTaintsPolicy()), false));
    }
    return List.copyOf(out);
  }

  /**
   * Upstream's system defaults for a pod without constraints of its own: hostname maxSkew 3 and zone maxSkew 5, both
   * ScheduleAnyway, for pods of a ReplicaSet, ReplicationController or StatefulSet.
   */
  static List<SpreadConstraint> systemDefaults(Pod pod) {
    List<TopologySpreadConstraint> own = pod.getSpec() == null ? null : pod.getSpec().getTopologySpreadConstraints();
    if (own != null && !own.isEmpty()) return List.of();
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners == null) return List.of();
    for (OwnerReference r : owners) {
      if (Boolean.TRUE.equals(r.getController()) && SPREAD_OWNERS.contains(r.getKind())) {
        return SYSTEM_DEFAULTS;
      }
    }
    return List.of();
  }

  /** Whether the existing pod counts for this constraint of the incoming pod. */
  boolean counts(PodInfo incoming, PodInfo existing) {
    if (existing.terminating || !existing.namespace.equals(incoming.namespace)) return false;
    if (byController) return existing.controllerUid != null && existing.controllerUid.equals(incoming.controllerUid);
    return Selectors.matches(selector, existing.labels);
  }

  /** Matching pods on a node. */
  int count(PodInfo incoming, NodeInfo node) {
    if (byController) return incoming.controllerUid == null ? 0 : node.podsOfController(incoming.controllerUid);
    int n = 0;
    for (PodInfo p : node.podInfos()) if (counts(incoming, p)) n++;
    return n;
  }

  /** Whether the incoming pod itself would count. */
  boolean selfMatch(PodInfo incoming) {
    return byController ? incoming.controllerUid != null : Selectors.matches(selector, incoming.labels);
  }

  /**
   * Adds "key In (the pod's value)" (or NotIn, for mismatchLabelKeys) for each listed key the pod has, as upstream merges
   * matchLabelKeys into the selector.
   */
  static LabelSelector withMatchLabelKeys(LabelSelector s, List<String> keys, boolean mismatch, Map<String, String> labels) {
    if (s == null || keys == null || keys.isEmpty() || labels == null) return s;
    List<LabelSelectorRequirement> extra = new ArrayList<>();
    for (String k : keys) {
      String v = labels.get(k);
      if (v != null) extra.add(new LabelSelectorRequirement(k, mismatch ? "NotIn" : "In", List.of(v)));
    }
    if (extra.isEmpty()) return s;
    List<LabelSelectorRequirement> exprs = new ArrayList<>(s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions());
    exprs.addAll(extra);
    return new LabelSelector(exprs, s.getMatchLabels());
  }
}
