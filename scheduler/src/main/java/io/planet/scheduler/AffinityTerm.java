package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pod (anti-)affinity term as the scheduler uses it (upstream's framework.AffinityTerm): which pods it selects, by
 * namespace and labels, and over which topology key; preferred terms carry their weight.
 */
record AffinityTerm(Set<String> namespaces, LabelSelector namespaceSelector, LabelSelector selector, String topologyKey,
    int weight) {

  /**
   * The terms of one list, with upstream's namespace rule: no namespaces and no namespaceSelector mean the declaring
   * pod's own namespace.
   */
  static List<AffinityTerm> of(Pod owner, List<PodAffinityTerm> terms) {
    if (terms == null || terms.isEmpty()) return List.of();
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    for (PodAffinityTerm t : terms) out.add(of(owner, t, 1));
    return List.copyOf(out);
  }

  static List<AffinityTerm> weighted(Pod owner, List<WeightedPodAffinityTerm> terms) {
    if (terms == null || terms.isEmpty()) return List.of();
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    for (WeightedPodAffinityTerm t : terms) {
      if (t.getPodAffinityTerm() == null || t.getWeight() == null || t.getWeight() == 0) continue;
      out.add(of(owner, t.getPodAffinityTerm(), t.getWeight()));
    }
    return List.copyOf(out);
  }

  private static AffinityTerm of(Pod owner, PodAffinityTerm t, int weight) {
    Set<String> ns = t.getNamespaces() == null ? Set.of() : Set.copyOf(t.getNamespaces());
    if (ns.isEmpty() && t.getNamespaceSelector() == null) ns = Set.of(owner.getMetadata().getNamespace());
    LabelSelector selector = SpreadConstraint.withMatchLabelKeys(t.getLabelSelector(), t.getMatchLabelKeys(), false,
        owner.getMetadata().getLabels());
    selector = SpreadConstraint.withMatchLabelKeys(selector, t.getMismatchLabelKeys(), true, owner.getMetadata().getLabels());
    return new AffinityTerm(ns, t.getNamespaceSelector(), selector, t.getTopologyKey(), weight);
  }

  /** Whether the term selects the pod: its namespace (by name or by the namespace's labels), then its labels. */
  boolean matches(PodInfo pod, Function<String, Map<String, String>> namespaceLabels) {
    if (!namespaces.contains(pod.namespace)) {
      if (namespaceSelector == null) return false;
      if (!Selectors.matches(namespaceSelector, namespaceLabels.apply(pod.namespace))) return false;
    }
    return Selectors.matches(selector, pod.labels);
  }

  /** Whether the pod matches every term (an empty list matches nothing). */
  static boolean matchesAll(List<AffinityTerm> terms, PodInfo pod, Function<String, Map<String, String>> namespaceLabels) {
    if (terms.isEmpty()) return false;
    for (AffinityTerm t : terms) if (!t.matches(pod, namespaceLabels)) return false;
    return true;
  }
}
