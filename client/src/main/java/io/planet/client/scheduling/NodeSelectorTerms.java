package io.planet.client.scheduling;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
import java.util.Map;

/**
 * Node selector terms as upstream's nodeaffinity helpers read them, for everything that places or admits pods and
 * volumes (scheduler, kubelet admission, DaemonSet placement, volume binding): a term holds when all its label
 * expressions and field expressions (only {@code metadata.name} exists) hold; a term without any matches nothing;
 * terms are ORed.
 */
public final class NodeSelectorTerms {
  private NodeSelectorTerms() {}

  /** Whether any of the terms matches the node; none (an empty list) matches nothing. */
  public static boolean matchesAny(List<NodeSelectorTerm> terms, Map<String, String> labels, String nodeName) {
    if (terms == null) return false;
    for (NodeSelectorTerm t : terms) if (matches(t, labels, nodeName)) return true;
    return false;
  }

  public static boolean matches(NodeSelectorTerm term, Map<String, String> nodeLabels, String nodeName) {
    List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
    if (exprs.isEmpty() && fields.isEmpty()) return false;
    Map<String, String> labels = nodeLabels == null ? Map.of() : nodeLabels;
    for (NodeSelectorRequirement r : exprs) {
      if (!holds(r, labels.containsKey(r.getKey()), labels.get(r.getKey()))) return false;
    }
    for (NodeSelectorRequirement r : fields) {
      if (!"metadata.name".equals(r.getKey()) || !holds(r, true, nodeName)) return false;
    }
    return true;
  }

  /** One requirement on a value that is {@code present} or not; Gt/Lt compare integers. */
  public static boolean holds(NodeSelectorRequirement r, boolean present, String value) {
    return holds(r.getOperator(), r.getValues(), present, value);
  }

  /** The operators In, NotIn, Exists, DoesNotExist, Gt and Lt (label selectors use the first four). */
  public static boolean holds(String operator, List<String> values, boolean present, String value) {
    List<String> vs = values == null ? List.of() : values;
    switch (operator == null ? "" : operator) {
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
          long bound = Long.parseLong(vs.get(0));
          return operator.equals("Gt") ? have > bound : have < bound;
        } catch (NumberFormatException e) {
          return false;
        }
      default:
        return false;
    }
  }
}
