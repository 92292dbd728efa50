package io.planet.apiserver.auth.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.auth.rbac.AuthorizationModes;
import io.planet.apiserver.auth.rbac.Forbidden;
import io.planet.apiserver.auth.rbac.PolicyIndex;
import io.planet.apiserver.auth.rbac.RbacAuthorizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeAuthorizerTest {
  static final UserInfo N1 = UserInfo.of("system:node:n1", List.of("system:nodes", "system:authenticated"));
  private final NodeGraph graph = new NodeGraph();
  private final NodeAuthorizer node = NodeAuthorizer.withDefaults(graph);

  NodeAuthorizerTest() {
    graph.putPod(NodeGraphTest.pod("mine", "n1", NodeGraphTest.secretVolume("my-secret")));
    graph.putPod(NodeGraphTest.pod("theirs", "n2", NodeGraphTest.secretVolume("their-secret")));
  }

  private static AuthorizationAttributes res(UserInfo u, String verb, String group, String resource, String sub,
      String ns, String name) {
    return AuthorizationAttributes.resource(u, verb, group, "v1", resource, sub, ns, name);
  }

  private AuthorizationDecision n1(String verb, String group, String resource, String sub, String ns, String name) {
    return node.authorize(res(N1, verb, group, resource, sub, ns, name));
  }

  private static void allowed(AuthorizationDecision d) {
    assertThat(d.kind()).isEqualTo(AuthorizationDecision.Kind.ALLOW);
  }

  private static void noOpinion(AuthorizationDecision d, String reason) {
    assertThat(d.kind()).isEqualTo(AuthorizationDecision.Kind.NO_OPINION);
    assertThat(d.reason()).isEqualTo(reason);
  }

  @Test
  void onlyNodeIdentitiesAreJudged() {
    UserInfo alice = UserInfo.of("alice", List.of("system:nodes"));
    noOpinion(node.authorize(res(alice, "get", "", "secrets", "", "dev", "my-secret")), "");
    UserInfo noGroup = UserInfo.of("system:node:n1", List.of("system:authenticated"));
    noOpinion(node.authorize(res(noGroup, "get", "", "secrets", "", "dev", "my-secret")), "");
    UserInfo nameless = UserInfo.of("system:node:", List.of("system:nodes"));
    noOpinion(node.authorize(res(nameless, "get", "", "secrets", "", "dev", "my-secret")),
        "unknown node for user \"system:node:\"");
  }

  @Test
  void secretsOfItsOwnPodsOnly() {
    allowed(n1("get", "", "secrets", "", "dev", "my-secret"));
    allowed(n1("watch", "", "secrets", "", "dev", "my-secret"));
    noOpinion(n1("get", "", "secrets", "", "dev", "their-secret"), "no relationship found between node 'n1' and this object");
    noOpinion(n1("list", "", "secrets", "", "dev", ""), "No Object name found");
    noOpinion(n1("update", "", "secrets", "", "dev", "my-secret"), "can only read resources of this type");
    noOpinion(n1("get", "", "configmaps", "", "dev", "nope"), "no relationship found between node 'n1' and this object");
    noOpinion(n1("get", "", "persistentvolumes", "", "", "pv"), "no relationship found between node 'n1' and this object");
    noOpinion(n1("list", "", "persistentvolumes", "", "", ""), "can only get individual resources of this type");
  }

  @Test
  void ownNodeAndLease() {
    allowed(n1("get", "", "nodes", "", "", "n1"));
    noOpinion(n1("get", "", "nodes", "", "", "n2"), "node 'n1' cannot read 'n2', only its own Node object");
    noOpinion(n1("list", "", "nodes", "", "", ""), "node 'n1' cannot read all nodes, only its own Node object");
    // writes to any Node are allowed here and narrowed by NodeRestriction, as upstream
    allowed(n1("patch", "", "nodes", "", "", "n2"));
    allowed(n1("update", "", "nodes", "status", "", "n1"));
    noOpinion(n1("delete", "", "nodes", "", "", "n1"), "");
    allowed(n1("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1"));
    allowed(n1("create", "coordination.k8s.io", "leases", "", "kube-node-lease", ""));
    noOpinion(n1("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n2"),
        "can only access node lease with the same name as the requesting node");
    noOpinion(n1("get", "coordination.k8s.io", "leases", "", "default", "n1"),
        "can only access leases in the \"kube-node-lease\" system namespace");
    noOpinion(n1("list", "coordination.k8s.io", "leases", "", "kube-node-lease", ""),
        "can only get, create, update, patch, or delete a node lease");
  }

  @Test
  void podsBoundToItAndTheStaticRules() {
    allowed(n1("get", "", "pods", "", "dev", "mine"));
    noOpinion(n1("get", "", "pods", "", "dev", "theirs"), "no relationship found between node 'n1' and this object");
    allowed(node.authorize(res(N1, "watch", "", "pods", "", "", "").withFieldSelector("spec.nodeName=n1")));
    allowed(node.authorize(res(N1, "list", "", "pods", "", "", "").withFieldSelector("status.phase!=Failed,spec.nodeName==n1")));
    noOpinion(node.authorize(res(N1, "list", "", "pods", "", "", "").withFieldSelector("spec.nodeName=n2")),
        "can only list/watch pods with spec.nodeName field selector");
    allowed(n1("patch", "", "pods", "status", "dev", "theirs"));
    allowed(n1("create", "", "pods", "eviction", "dev", "theirs"));
    allowed(n1("delete", "", "pods", "", "dev", "theirs"));
    noOpinion(n1("create", "", "pods", "exec", "dev", "mine"), "");
    allowed(n1("list", "", "services", "", "", ""));
    allowed(n1("create", "", "events", "", "dev", ""));
    // the kubelet's repeated events raise the count of the one written (node events go to namespace default)
    allowed(n1("patch", "", "events", "", "default", "n1.17f3a2b4c5d6e7f8"));
    allowed(n1("create", "certificates.k8s.io", "certificatesigningrequests", "", "", ""));
    allowed(n1("create", "authentication.k8s.io", "tokenreviews", "", "", ""));
    allowed(n1("create", "authorization.k8s.io", "subjectaccessreviews", "", "", ""));
    allowed(n1("get", "", "endpoints", "", "dev", "x"));
    noOpinion(n1("delete", "", "services", "", "dev", "x"), "");
  }

  @Test
  void withoutSelectorsNodesAndPodsFollowTheStaticRules() {
    NodeAuthorizer legacy = new NodeAuthorizer(graph, NodeAuthorizer.defaultNodeRules(), false);
    allowed(legacy.authorize(res(N1, "list", "", "pods", "", "", "")));
    allowed(legacy.authorize(res(N1, "get", "", "nodes", "", "", "n2")));
    allowed(legacy.authorize(res(N1, "update", "", "pods", "status", "dev", "theirs")));
  }

  @Test
  void serviceAccountTokensForItsPodsOnly() {
    graph.putPod(NodeGraphTest.pod("sa-pod", "n1", "\"serviceAccountName\":\"builder\""));
    allowed(n1("create", "", "serviceaccounts", "token", "dev", "builder"));
    noOpinion(n1("create", "", "serviceaccounts", "token", "dev", "default"),
        "no relationship found between node 'n1' and this object");
    noOpinion(n1("get", "", "serviceaccounts", "", "dev", "builder"),
        "can only create tokens for individual service accounts");
  }

  @Test
  void nodeThenRbacChainGivesUpstreamsForbiddenMessage() {
    Authorizer chain = AuthorizationModes.build("Node,RBAC", new RbacAuthorizer(new PolicyIndex()), node);
    AuthorizationAttributes a = res(N1, "get", "", "secrets", "", "dev", "their-secret");
    AuthorizationDecision d = chain.authorize(a);
    assertThat(d.allowed()).isFalse();
    assertThat(Forbidden.exception(a, d.reason()).getMessage()).isEqualTo("secrets \"their-secret\" is forbidden: User "
        + "\"system:node:n1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"dev\": no relationship "
        + "found between node 'n1' and this object");
    assertThat(chain.authorize(res(N1, "get", "", "secrets", "", "dev", "my-secret")).allowed()).isTrue();
    assertThat(AuthorizationModes.parse("Node,RBAC")).containsExactly("Node", "RBAC");
  }
}
