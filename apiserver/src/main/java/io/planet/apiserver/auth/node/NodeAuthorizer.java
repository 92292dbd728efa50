package io.planet.apiserver.auth.node;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.rbac.BootstrapPolicy;
import io.planet.apiserver.auth.rbac.PolicyRule;
import java.util.List;

/**
 * The Node authorization mode (upstream's plugin/pkg/auth/authorizer/node) for kubelets, i.e. users named
 * {@code system:node:<name>} in group {@code system:nodes}: secrets, configmaps, persistent volume claims and volumes,
 * service account tokens, resource claims and volume attachments only when the {@link NodeGraph} relates them to the
 * node; its own lease and Node object; pods bound to it (with AuthorizeNodeWithSelectors, on by default since 1.32:
 * lists and watches of pods must select {@code spec.nodeName=<node>}); everything else by the static rules of the
 * {@code system:node} ClusterRole. Requests it does not allow get NO_OPINION with upstream's reason, so a later mode
 * (RBAC) can still allow them; writes it allows are narrowed by {@link NodeRestriction}.
 */
public final class NodeAuthorizer implements Authorizer {
  public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

  private final NodeGraph graph;
  private final List<PolicyRule> nodeRules;
  private final boolean withSelectors;

  /**
   * @param nodeRules what every node may do on resources not subdivided here (upstream's NodeRules)
   * @param withSelectors upstream's AuthorizeNodeWithSelectors: nodes and pods are subdivided too
   */
  public NodeAuthorizer(NodeGraph graph, List<PolicyRule> nodeRules, boolean withSelectors) {
    this.graph = graph;
    this.nodeRules = List.copyOf(nodeRules);
    this.withSelectors = withSelectors;
  }

  /** The authorizer with the bundled system:node ClusterRole's rules and selectors on (upstream 1.32's defaults). */
  public static NodeAuthorizer withDefaults(NodeGraph graph) {
    return new NodeAuthorizer(graph, defaultNodeRules(), true);
  }

  /** The rules of the bootstrap policy's system:node ClusterRole. */
  public static List<PolicyRule> defaultNodeRules() {
    return BootstrapPolicy.load().clusterRoles().stream()
        .filter(r -> r.path("metadata").path("name").asText().equals("system:node"))
        .findFirst().map(PolicyRule::rulesOf)
        .orElseThrow(() -> new IllegalStateException("the bootstrap policy has no system:node ClusterRole"));
  }

  @Override
  public AuthorizationDecision authorize(AuthorizationAttributes a) {
    NodeIdentity id = NodeIdentity.of(a.user());
    if (!id.isNode()) return noOpinion("");
    String node = id.nodeName();
    if (node.isEmpty()) return noOpinion("unknown node for user \"" + a.user().name() + "\"");
    if (a.resourceRequest()) {
      switch (a.apiGroup() + "/" + a.resource()) {
        case "/secrets":
          return readNamespacedObject(node, NodeGraph.Kind.SECRET, a);
        case "/configmaps":
          return readNamespacedObject(node, NodeGraph.Kind.CONFIG_MAP, a);
        case "/persistentvolumeclaims":
          return a.subresource().equals("status") ? statusUpdate(node, NodeGraph.Kind.PVC, a)
              : get(node, NodeGraph.Kind.PVC, a);
        case "/persistentvolumes":
          return get(node, NodeGraph.Kind.PV, a);
        case "resource.k8s.io/resourceclaims":
          return get(node, NodeGraph.Kind.RESOURCE_CLAIM, a);
        case "storage.k8s.io/volumeattachments":
          return get(node, NodeGraph.Kind.VOLUME_ATTACHMENT, a);
        case "/serviceaccounts":
          return createToken(node, a);
        case "coordination.k8s.io/leases":
          return lease(node, a);
        case "storage.k8s.io/csinodes":
          return csiNode(node, a);
        case "/nodes":
          if (withSelectors) return nodeObject(node, a);
          break;
        case "/pods":
          if (withSelectors) return pod(node, a);
          break;
        default:
          break;
      }
    }
    for (PolicyRule r : nodeRules) if (r.allows(a)) return AuthorizationDecision.allow("");
    return noOpinion("");
  }

  private AuthorizationDecision statusUpdate(String node, NodeGraph.Kind kind, AuthorizationAttributes a) {
    if (!a.verb().equals("update") && !a.verb().equals("patch")) {
      return noOpinion("can only get/update/patch this type");
    }
    if (!a.subresource().equals("status")) return noOpinion("can only update status subresource");
    return related(node, kind, a);
  }

  private AuthorizationDecision get(String node, NodeGraph.Kind kind, AuthorizationAttributes a) {
    if (!a.verb().equals("get")) return noOpinion("can only get individual resources of this type");
    if (!a.subresource().isEmpty()) return noOpinion("cannot get subresource");
    return related(node, kind, a);
  }

  private AuthorizationDecision readNamespacedObject(String node, NodeGraph.Kind kind, AuthorizationAttributes a) {
    if (!List.of("get", "list", "watch").contains(a.verb())) return noOpinion("can only read resources of this type");
    if (!a.subresource().isEmpty()) return noOpinion("cannot read subresource");
    if (a.namespace().isEmpty()) return noOpinion("can only read namespaced object of this type");
    return related(node, kind, a);
  }

  /** Allowed when the named object relates to the node; a list or watch names one only by a metadata.name selector. */
  private AuthorizationDecision related(String node, NodeGraph.Kind kind, AuthorizationAttributes a) {
    if (a.name().isEmpty()) return noOpinion("No Object name found");
    if (!graph.hasPath(node, kind, a.namespace(), a.name())) {
      return noOpinion("no relationship found between node '" + node + "' and this object");
    }
    return AuthorizationDecision.allow("");
  }

  private AuthorizationDecision createToken(String node, AuthorizationAttributes a) {
    if (!a.verb().equals("create") || a.name().isEmpty()) {
      return noOpinion("can only create tokens for individual service accounts");
    }
    if (!a.subresource().equals("token")) return noOpinion("can only create token subresource of serviceaccount");
    if (!graph.hasPath(node, NodeGraph.Kind.SERVICE_ACCOUNT, a.namespace(), a.name())) {
      return noOpinion("no relationship found between node '" + node + "' and this object");
    }
    return AuthorizationDecision.allow("");
  }

  private AuthorizationDecision lease(String node, AuthorizationAttributes a) {
    if (!List.of("get", "create", "update", "patch", "delete").contains(a.verb())) {
      return noOpinion("can only get, create, update, patch, or delete a node lease");
    }
    if (!a.namespace().equals(NODE_LEASE_NAMESPACE)) {
      return noOpinion("can only access leases in the \"" + NODE_LEASE_NAMESPACE + "\" system namespace");
    }
    // a create names no object here; NodeRestriction checks the lease's name
    if (!a.verb().equals("create") && !a.name().equals(node)) {
      return noOpinion("can only access node lease with the same name as the requesting node");
    }
    return AuthorizationDecision.allow("");
  }

  private AuthorizationDecision csiNode(String node, AuthorizationAttributes a) {
    if (!List.of("get", "create", "update", "patch", "delete").contains(a.verb())) {
      return noOpinion("can only get, create, update, patch, or delete a CSINode");
    }
    if (!a.subresource().isEmpty()) return noOpinion("cannot authorize CSINode subresources");
    if (!a.verb().equals("create") && !a.name().equals(node)) {
      return noOpinion("can only access CSINode with the same name as the requesting node");
    }
    return AuthorizationDecision.allow("");
  }

  private AuthorizationDecision nodeObject(String node, AuthorizationAttributes a) {
    switch (a.subresource()) {
      case "" -> {
        switch (a.verb()) {
          case "create", "update", "patch" -> {
            // NodeRestriction limits a node to its own Node object
            return AuthorizationDecision.allow("");
          }
          case "get", "list", "watch" -> {
            // by name rather than through the graph, so a kubelet can look for its Node before creating it
            if (a.name().equals(node)) return AuthorizationDecision.allow("");
            if (a.name().isEmpty()) {
              return noOpinion("node '" + node + "' cannot read all nodes, only its own Node object");
            }
            return noOpinion("node '" + node + "' cannot read '" + a.name() + "', only its own Node object");
          }
          default -> {
            return noOpinion("");
          }
        }
      }
      case "status" -> {
        if (a.verb().equals("update") || a.verb().equals("patch")) return AuthorizationDecision.allow("");
        return noOpinion("");
      }
      default -> {
        return noOpinion("");
      }
    }
  }

  private AuthorizationDecision pod(String node, AuthorizationAttributes a) {
    switch (a.subresource()) {
      case "" -> {
        switch (a.verb()) {
          case "get" -> {
            return get(node, NodeGraph.Kind.POD, a);
          }
          case "list", "watch" -> {
            if (selectsNode(a.fieldSelector(), node)) return AuthorizationDecision.allow("");
            if (!a.name().isEmpty()) return related(node, NodeGraph.Kind.POD, a);
            return noOpinion("can only list/watch pods with spec.nodeName field selector");
          }
          case "create", "delete" -> {
            // mirror pods; NodeRestriction limits them to pods bound to this node
            return AuthorizationDecision.allow("");
          }
          default -> {
            return noOpinion("");
          }
        }
      }
      case "status" -> {
        if (a.verb().equals("update") || a.verb().equals("patch")) return AuthorizationDecision.allow("");
        return noOpinion("");
      }
      case "eviction" -> {
        if (a.verb().equals("create")) return AuthorizationDecision.allow("");
        return noOpinion("");
      }
      default -> {
        return noOpinion("");
      }
    }
  }

  /** Whether a raw field selector requires spec.nodeName to equal the node (one of its comma-separated terms). */
  static boolean selectsNode(String selector, String node) {
    if (selector == null || selector.isEmpty()) return false;
    for (String term : selector.split(",")) {
      String t = term.trim();
      String value = null;
      if (t.startsWith("spec.nodeName==")) value = t.substring("spec.nodeName==".length());
      else if (t.startsWith("spec.nodeName=")) value = t.substring("spec.nodeName=".length());
      if (value != null && value.trim().equals(node)) return true;
    }
    return false;
  }

  private static AuthorizationDecision noOpinion(String reason) {
    return AuthorizationDecision.noOpinion(reason);
  }
}
