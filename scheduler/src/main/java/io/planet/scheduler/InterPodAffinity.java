package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Required pod anti-affinity, both ways: the pod may not join a topology domain holding a pod its terms select, nor one
 * whose pods' terms select it. The domains are found once per cycle ({@link #prepare}), so each node check is a lookup.
 */
public final class InterPodAffinity implements FilterPlugin {
  static final String REASON = "node(s) didn't match pod anti-affinity rules";
  static final String EXISTING_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";

  /** Topology domains, as "key=value", the pod's own terms and other pods' terms close to it. */
  record Forbidden(Set<String> byPod, Set<String> byExisting) {
    static final Forbidden NONE = new Forbidden(Set.of(), Set.of());
  }

  @Override
  public String name() {
    return "InterPodAffinity";
  }

  /** Finds the forbidden domains for the cycle's pod. */
  public static void prepare(PodContext ctx, ClusterCache.Snapshot snapshot) {
    Set<String> byPod = new HashSet<>();
    Set<String> byExisting = new HashSet<>();
    List<PodAffinityTerm> own = terms(ctx.pod);
    if (!own.isEmpty()) {
      for (NodeInfo node : snapshot.nodes()) {
        if (node.node() == null) continue;
        for (Pod other : node.pods()) {
          for (PodAffinityTerm t : own) {
            String value = label(node, t.getTopologyKey());
            if (value != null && selects(t, ctx.pod, other)) byPod.add(t.getTopologyKey() + "=" + value);
          }
        }
      }
    }
    for (NodeInfo node : snapshot.nodesWithRequiredAntiAffinityPods()) {
      for (Pod other : node.podsWithRequiredAntiAffinity()) {
        for (PodAffinityTerm t : terms(other)) {
          String value = label(node, t.getTopologyKey());
          if (value != null && selects(t, other, ctx.pod)) byExisting.add(t.getTopologyKey() + "=" + value);
        }
      }
    }
    if (!byPod.isEmpty() || !byExisting.isEmpty()) ctx.antiAffinity = new Forbidden(byPod, byExisting);
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    Forbidden f = pod.antiAffinity;
    if (f == Forbidden.NONE) return List.of();
    if (inAny(f.byExisting(), node)) return List.of(EXISTING_REASON);
    if (inAny(f.byPod(), node)) return List.of(REASON);
    return List.of();
  }

  private static boolean inAny(Set<String> domains, NodeInfo node) {
    if (domains.isEmpty()) return false;
    for (Map.Entry<String, String> e : node.labels().entrySet()) {
      if (domains.contains(e.getKey() + "=" + e.getValue())) return true;
    }
    return false;
  }

  private static List<PodAffinityTerm> terms(Pod pod) {
    if (!Pods.hasRequiredAntiAffinity(pod)) return List.of();
    return pod.getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
  }

  private static String label(NodeInfo node, String key) {
    return key == null ? null : node.labels().get(key);
  }

  /** Whether the term (declared by owner) selects target: namespace and labels. */
  private static boolean selects(PodAffinityTerm t, Pod owner, Pod target) {
    String ns = target.getMetadata().getNamespace();
    boolean nsMatch;
    List<String> namespaces = t.getNamespaces();
    LabelSelector nsSelector = t.getNamespaceSelector();
    if ((namespaces == null || namespaces.isEmpty()) && nsSelector == null) {
      nsMatch = ns.equals(owner.getMetadata().getNamespace());
    } else {
      // namespaceSelector {} selects every namespace; selectors on namespace labels are not evaluated here
      nsMatch = (namespaces != null && namespaces.contains(ns)) || (nsSelector != null && isEmpty(nsSelector));
    }
    return nsMatch && Selectors.matches(t.getLabelSelector(), target.getMetadata().getLabels());
  }

  private static boolean isEmpty(LabelSelector s) {
    return (s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
        && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty());
  }
}
