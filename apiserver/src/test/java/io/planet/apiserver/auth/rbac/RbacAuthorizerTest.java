package io.planet.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.UserInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class RbacAuthorizerTest {
  private final PolicyIndex policy = new PolicyIndex();
  private final RbacAuthorizer rbac = new RbacAuthorizer(policy);
  private static final UserInfo ALICE = UserInfo.of("alice", List.of("system:authenticated", "devs"));
  private static final UserInfo BOB = UserInfo.of("bob", List.of("system:authenticated"));
  private static final UserInfo SA = UserInfo.of("system:serviceaccount:dev:builder",
      List.of("system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"));

  private static ObjectNode role(String kind, String ns, String name, String rulesJson) {
    try {
      ObjectNode o = (ObjectNode) Json.MAPPER.readTree("{\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name
          + "\",\"namespace\":\"" + ns + "\"},\"rules\":" + rulesJson + "}");
      return o;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static ObjectNode binding(String ns, String name, String roleKind, String roleName, String subjectsJson) {
    try {
      return (ObjectNode) Json.MAPPER.readTree("{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
          + "\"},\"roleRef\":{\"kind\":\"" + roleKind + "\",\"name\":\"" + roleName + "\"},\"subjects\":" + subjectsJson + "}");
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static AuthorizationAttributes res(UserInfo u, String verb, String group, String resource, String sub,
      String ns, String name) {
    return AuthorizationAttributes.resource(u, verb, group, "v1", resource, sub, ns, name);
  }

  private boolean allowed(AuthorizationAttributes a) {
    return rbac.authorize(a).allowed();
  }

  @Test
  void roleBindingGrantsOnlyInItsNamespace() {
    policy.put(PolicyIndex.Kind.ROLE, role("Role", "dev", "pod-reader",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]"));
    policy.put(PolicyIndex.Kind.ROLE_BINDING, binding("dev", "read-pods", "Role", "pod-reader",
        "[{\"kind\":\"User\",\"name\":\"alice\"}]"));
    assertThat(allowed(res(ALICE, "list", "", "pods", "", "dev", ""))).isTrue();
    assertThat(allowed(res(ALICE, "get", "", "pods", "", "dev", "web"))).isTrue();
    assertThat(allowed(res(ALICE, "list", "", "pods", "", "prod", ""))).isFalse();
    assertThat(allowed(res(ALICE, "list", "", "pods", "", "", ""))).isFalse();
    assertThat(allowed(res(ALICE, "delete", "", "pods", "", "dev", "web"))).isFalse();
    assertThat(allowed(res(ALICE, "list", "apps", "pods", "", "dev", ""))).isFalse();
    assertThat(allowed(res(ALICE, "get", "", "pods", "log", "dev", "web"))).isFalse();
    assertThat(allowed(res(BOB, "list", "", "pods", "", "dev", ""))).isFalse();
    assertThat(rbac.authorize(res(ALICE, "list", "", "pods", "", "dev", "")).reason())
        .isEqualTo("RBAC: allowed by RoleBinding \"read-pods/dev\" of Role \"pod-reader\" to User \"alice\"");
  }

  @Test
  void clusterRoleBindingGrantsEverywhereAndGroupsMatch() {
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "viewer",
        "[{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],\"verbs\":[\"get\",\"list\"]}]"));
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "devs-view", "ClusterRole", "viewer",
        "[{\"kind\":\"Group\",\"name\":\"devs\"}]"));
    assertThat(allowed(res(ALICE, "list", "apps", "deployments", "", "any", ""))).isTrue();
    assertThat(allowed(res(ALICE, "list", "apps", "deployments", "", "", ""))).isTrue();
    assertThat(allowed(res(BOB, "list", "apps", "deployments", "", "any", ""))).isFalse();
    assertThat(rbac.authorize(res(ALICE, "get", "apps", "deployments", "", "x", "d")).reason())
        .isEqualTo("RBAC: allowed by ClusterRoleBinding \"devs-view\" of ClusterRole \"viewer\" to Group \"devs\"");
  }

  @Test
  void roleBindingToClusterRoleIsLimitedToTheBindingNamespace() {
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "secret-reader",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}]"));
    policy.put(PolicyIndex.Kind.ROLE_BINDING, binding("dev", "bob-secrets", "ClusterRole", "secret-reader",
        "[{\"kind\":\"User\",\"name\":\"bob\"}]"));
    assertThat(allowed(res(BOB, "get", "", "secrets", "", "dev", "s"))).isTrue();
    assertThat(allowed(res(BOB, "get", "", "secrets", "", "prod", "s"))).isFalse();
  }

  @Test
  void serviceAccountSubjects() {
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "cm",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"verbs\":[\"*\"]}]"));
    // no namespace in a RoleBinding's ServiceAccount subject means the binding's namespace
    policy.put(PolicyIndex.Kind.ROLE_BINDING, binding("dev", "sa-local", "ClusterRole", "cm",
        "[{\"kind\":\"ServiceAccount\",\"name\":\"builder\"}]"));
    assertThat(allowed(res(SA, "create", "", "configmaps", "", "dev", ""))).isTrue();
    assertThat(rbac.authorize(res(SA, "create", "", "configmaps", "", "dev", "")).reason())
        .isEqualTo("RBAC: allowed by RoleBinding \"sa-local/dev\" of ClusterRole \"cm\" to ServiceAccount \"builder/dev\"");
    // a ClusterRoleBinding needs the namespace
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "sa-no-ns", "ClusterRole", "cm",
        "[{\"kind\":\"ServiceAccount\",\"name\":\"builder\"}]"));
    assertThat(allowed(res(SA, "create", "", "configmaps", "", "prod", ""))).isFalse();
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "sa-ns", "ClusterRole", "cm",
        "[{\"kind\":\"ServiceAccount\",\"name\":\"builder\",\"namespace\":\"dev\"}]"));
    assertThat(allowed(res(SA, "create", "", "configmaps", "", "prod", ""))).isTrue();
    // the service-account groups are plain groups
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "nodes",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"nodes\"],\"verbs\":[\"list\"]}]"));
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "sas", "ClusterRole", "nodes",
        "[{\"kind\":\"Group\",\"name\":\"system:serviceaccounts:dev\"}]"));
    assertThat(allowed(res(SA, "list", "", "nodes", "", "", ""))).isTrue();
    assertThat(allowed(res(ALICE, "list", "", "nodes", "", "", ""))).isFalse();
  }

  @Test
  void subresourcesWildcardsAndResourceNames() {
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "r", """
        [{"apiGroups":["","apps"],"resources":["pods/log","*/scale"],"verbs":["get"]},
         {"apiGroups":["*"],"resources":["configmaps"],"resourceNames":["app-config"],"verbs":["get","update"]},
         {"apiGroups":["batch"],"resources":["*"],"verbs":["list"]},
         {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"resourceNames":["lock"],"verbs":["*"]}]"""));
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "b", "ClusterRole", "r",
        "[{\"kind\":\"User\",\"name\":\"alice\"}]"));
    assertThat(allowed(res(ALICE, "get", "", "pods", "log", "dev", "p"))).isTrue();
    assertThat(allowed(res(ALICE, "get", "", "pods", "", "dev", "p"))).isFalse();
    assertThat(allowed(res(ALICE, "get", "", "pods", "exec", "dev", "p"))).isFalse();
    assertThat(allowed(res(ALICE, "get", "apps", "deployments", "scale", "dev", "d"))).isTrue();
    assertThat(allowed(res(ALICE, "get", "", "replicationcontrollers", "scale", "dev", "d"))).isTrue();
    assertThat(allowed(res(ALICE, "get", "apps", "deployments", "", "dev", "d"))).isFalse();
    assertThat(allowed(res(ALICE, "update", "apps", "deployments", "scale", "dev", "d"))).isFalse();
    assertThat(allowed(res(ALICE, "get", "", "configmaps", "", "dev", "app-config"))).isTrue();
    assertThat(allowed(res(ALICE, "get", "foo.io", "configmaps", "", "dev", "app-config"))).isTrue();
    assertThat(allowed(res(ALICE, "get", "", "configmaps", "", "dev", "other"))).isFalse();
    // a list names no object, so a rule with resourceNames never allows it
    assertThat(allowed(res(ALICE, "list", "", "configmaps", "", "dev", ""))).isFalse();
    assertThat(allowed(res(ALICE, "list", "batch", "jobs", "", "dev", ""))).isTrue();
    assertThat(allowed(res(ALICE, "list", "batch", "jobs", "status", "dev", "j"))).isTrue();
    assertThat(allowed(res(ALICE, "delete", "coordination.k8s.io", "leases", "", "dev", "lock"))).isTrue();
    assertThat(allowed(res(ALICE, "create", "coordination.k8s.io", "leases", "", "dev", ""))).isFalse();
  }

  @Test
  void nonResourceUrls() {
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "n",
        "[{\"nonResourceURLs\":[\"/healthz\",\"/apis/*\",\"/version/\"],\"verbs\":[\"get\"]}]"));
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "b", "ClusterRole", "n",
        "[{\"kind\":\"Group\",\"name\":\"system:authenticated\"}]"));
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "get", "/healthz"))).isTrue();
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "get", "/healthz/etcd"))).isFalse();
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "get", "/apis/apps/v1"))).isTrue();
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "get", "/apis/"))).isTrue();
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "get", "/apis"))).isFalse();
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "post", "/healthz"))).isFalse();
    // resource rules never allow non-resource requests and vice versa
    assertThat(allowed(res(BOB, "get", "", "healthz", "", "", ""))).isFalse();
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "n", "[{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]"));
    assertThat(allowed(AuthorizationAttributes.nonResource(BOB, "delete", "/anything/at/all"))).isTrue();
    assertThat(allowed(res(BOB, "get", "", "pods", "", "", ""))).isFalse();
  }

  @Test
  void updatesAndDeletesAreSeenAndMissingRolesReported() {
    policy.put(PolicyIndex.Kind.ROLE_BINDING, binding("dev", "b1", "Role", "gone",
        "[{\"kind\":\"User\",\"name\":\"alice\"}]"));
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE_BINDING, binding("", "b2", "ClusterRole", "gone-too",
        "[{\"kind\":\"User\",\"name\":\"alice\"}]"));
    AuthorizationDecision d = rbac.authorize(res(ALICE, "get", "", "pods", "", "dev", "p"));
    assertThat(d.kind()).isEqualTo(AuthorizationDecision.Kind.NO_OPINION);
    assertThat(d.reason()).isEqualTo("RBAC: [clusterrole.rbac.authorization.k8s.io \"gone-too\" not found, "
        + "role.rbac.authorization.k8s.io \"gone\" not found]");
    policy.put(PolicyIndex.Kind.ROLE, role("Role", "dev", "gone", "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]"));
    assertThat(allowed(res(ALICE, "get", "", "pods", "", "dev", "p"))).isTrue();
    // the binding changes subject: alice loses access, bob gains it
    policy.put(PolicyIndex.Kind.ROLE_BINDING, binding("dev", "b1", "Role", "gone", "[{\"kind\":\"User\",\"name\":\"bob\"}]"));
    assertThat(allowed(res(ALICE, "get", "", "pods", "", "dev", "p"))).isFalse();
    assertThat(allowed(res(BOB, "get", "", "pods", "", "dev", "p"))).isTrue();
    policy.remove(PolicyIndex.Kind.ROLE_BINDING, "dev", "b1");
    assertThat(allowed(res(BOB, "get", "", "pods", "", "dev", "p"))).isFalse();
    policy.clear(PolicyIndex.Kind.CLUSTER_ROLE_BINDING);
    assertThat(rbac.authorize(res(ALICE, "get", "", "pods", "", "dev", "p")).reason()).isEmpty();
  }

  @Test
  void thousandsOfBindingsStayCheap() {
    policy.put(PolicyIndex.Kind.CLUSTER_ROLE, role("ClusterRole", "", "view",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]"));
    for (int i = 0; i < 20_000; i++) {
      policy.put(PolicyIndex.Kind.ROLE_BINDING, binding("ns" + (i % 100), "b" + i, "ClusterRole", "view",
          "[{\"kind\":\"User\",\"name\":\"user" + i + "\"}]"));
    }
    UserInfo u = UserInfo.of("user12345", List.of());
    long start = System.nanoTime();
    for (int i = 0; i < 10_000; i++) {
      assertThat(allowed(res(u, "get", "", "pods", "", "ns45", "p"))).isTrue();
    }
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    assertThat(allowed(res(u, "get", "", "pods", "", "ns46", "p"))).isFalse();
  }

  @Test
  void privilegedGroupAndUnionChain() {
    var chain = AuthorizationModes.build("RBAC", rbac);
    UserInfo admin = UserInfo.of("root", List.of(UserInfo.MASTERS));
    assertThat(chain.authorize(res(admin, "delete", "", "nodes", "", "", "n")).allowed()).isTrue();
    assertThat(chain.authorize(AuthorizationAttributes.nonResource(admin, "get", "/metrics")).allowed()).isTrue();
    assertThat(chain.authorize(res(BOB, "delete", "", "nodes", "", "", "n")).allowed()).isFalse();
    var deny = AuthorizationModes.build("AlwaysDeny,AlwaysAllow", rbac).authorize(res(BOB, "get", "", "pods", "", "", ""));
    assertThat(deny.kind()).isEqualTo(AuthorizationDecision.Kind.DENY);
    assertThat(AuthorizationModes.build("AlwaysAllow", rbac).authorize(res(BOB, "get", "", "x", "", "", "")).allowed()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuthorizationModes.parse("RBAC,Webhook"))
        .hasMessageContaining("\"Webhook\" is not supported");
  }
}
