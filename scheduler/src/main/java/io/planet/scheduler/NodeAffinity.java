package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import java.util.List;
import java.util.Map;

/**
 * Filter: spec.nodeSelector and required node affinity (terms ORed). Score: the summed weights of the preferred terms a
 * node matches (upstream weight 2).
 */
public final class NodeAffinity implements FilterPlugin, ScorePlugin {
  static final String REASON = "node(s) didn't match Pod's node affinity/selector";

  @Override
  public String name() {
    return "NodeAffinity";
  }

  @Override
  public int weight() {
    return 2;
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    return requiredMatches(pod.pod, node.labels(), node.name()) ? List.of() : List.of(REASON);
  }

  static boolean requiredMatches(Pod pod, Node node) {
    return requiredMatches(pod, node.getMetadata().getLabels(), node.getMetadata().getName());
  }

  static boolean requiredMatches(Pod pod, Map<String, String> nodeLabels, String nodeName) {
    if (pod.getSpec() == null) return true;
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null && !selector.isEmpty()) {
      Map<String, String> labels = nodeLabels == null ? Map.of() : nodeLabels;
      for (Map.Entry<String, String> e : selector.entrySet()) if (!e.getValue().equals(labels.get(e.getKey()))) return false;
    }
    Affinity a = pod.getSpec().getAffinity();
    if (a == null || a.getNodeAffinity() == null) return true;
    NodeSelector required = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || required.getNodeSelectorTerms() == null) return true;
    for (NodeSelectorTerm t : required.getNodeSelectorTerms()) if (Selectors.matches(t, nodeLabels, nodeName)) return true;
    return false;
  }

  @Override
  public long[] score(PodContext pod, List<NodeInfo> nodes) {
    long[] scores = new long[nodes.size()];
    Affinity a = pod.pod.getSpec() == null ? null : pod.pod.getSpec().getAffinity();
    List<PreferredSchedulingTerm> preferred = a == null || a.getNodeAffinity() == null ? null
        : a.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
    if (preferred == null || preferred.isEmpty()) return scores;
    for (int i = 0; i < scores.length; i++) {
      for (PreferredSchedulingTerm t : preferred) {
        if (t.getPreference() != null && Selectors.matches(t.getPreference(), nodes.get(i).labels(), nodes.get(i).name())) scores[i] += t.getWeight();
      }
    }
    ScorePlugin.normalize(scores, false);
    return scores;
  }
}
