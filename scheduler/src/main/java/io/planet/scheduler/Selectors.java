package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.Map;

/** Label selectors and node selector terms, with upstream's semantics. */
final class Selectors {
  private Selectors() {}

  /** A metav1.LabelSelector: null matches nothing, an empty one everything. */
  static boolean matches(LabelSelector s, Map<String, String> labels) {
    if (s == null) return false;
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (s.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : s.getMatchLabels().entrySet()) if (!e.getValue().equals(l.get(e.getKey()))) return false;
    }
    if (s.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : s.getMatchExpressions()) {
        if (!io.planet.client.scheduling.NodeSelectorTerms.holds(r.getOperator(), r.getValues(), l.containsKey(r.getKey()),
            l.get(r.getKey()))) {
          return false;
        }
      }
    }
    return true;
  }

  /** A node selector term: its expressions (on labels) and fields (metadata.name) all hold; an empty term matches nothing. */
  static boolean matches(NodeSelectorTerm term, Node node) {
    return matches(term, node.getMetadata().getLabels(), node.getMetadata().getName());
  }

  /** As {@link #matches(NodeSelectorTerm, Node)}, on a node's labels and name. */
  static boolean matches(NodeSelectorTerm term, Map<String, String> nodeLabels, String nodeName) {
    return io.planet.client.scheduling.NodeSelectorTerms.matches(term, nodeLabels, nodeName);
  }


}
