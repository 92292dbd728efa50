package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
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
        if (!requirement(r.getOperator(), r.getValues(), l.containsKey(r.getKey()), l.get(r.getKey()))) return false;
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
    List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
    if (exprs.isEmpty() && fields.isEmpty()) return false;
    Map<String, String> labels = nodeLabels == null ? Map.of() : nodeLabels;
    for (NodeSelectorRequirement r : exprs) {
      if (!requirement(r.getOperator(), r.getValues(), labels.containsKey(r.getKey()), labels.get(r.getKey()))) return false;
    }
    for (NodeSelectorRequirement r : fields) {
      if (!"metadata.name".equals(r.getKey())) return false;
      if (!requirement(r.getOperator(), r.getValues(), true, nodeName)) return false;
    }
    return true;
  }

  private static boolean requirement(String op, List<String> values, boolean present, String value) {
    List<String> vs = values == null ? List.of() : values;
    switch (op) {
      case "In":
        return present && vs.contains(value);
      case "NotIn":
        return !present || !vs.contains(value);
      case "Exists":
        return present;
      case "DoesNotExist":
        return !present;
      case "Gt":
      case "Lt":
        if (!present || vs.size() != 1) return false;
        try {
          long have = Long.parseLong(value);
          long want = Long.parseLong(vs.get(0));
          return op.equals("Gt") ? have > want : have < want;
        } catch (NumberFormatException e) {
          return false;
        }
      default:
        return false;
    }
  }
}
