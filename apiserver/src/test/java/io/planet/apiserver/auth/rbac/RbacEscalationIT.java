package io.planet.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.apiserver.testing.HeaderUsers;
import io.planet.apiserver.testing.KubectlRun;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privilege-escalation prevention under --authorization-mode=Node,RBAC: writing roles needs their rules or
 * {@code escalate}, writing bindings needs {@code bind} or the bound role's rules. Users are named by a test seam.
 */
class RbacEscalationIT {
  private static final String USER = HeaderUsers.USER;
  private static final String GROUPS = HeaderUsers.GROUPS;
  private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
  private static final String NS = "esc";
  private static final String PODS_GET = "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]";

  private static TestApiServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws IOException {
    server = new TestApiServer(c -> c.withAuthorizationMode("Node,RBAC").withTestAuthenticator(HeaderUsers::authenticate));
    api = server.client();
    api.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}");
    api.create(RBAC + "/clusterroles", role("ClusterRole", "", "esc-pod-reader", PODS_GET));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static String role(String kind, String ns, String name, String rules) {
    String meta = ns.isEmpty() ? "{\"name\":\"" + name + "\"}" : "{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"}";
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"" + kind + "\",\"metadata\":" + meta
        + ",\"rules\":" + rules + "}";
  }

  private static String binding(String kind, String ns, String name, String roleKind, String roleName, String user) {
    String meta = ns.isEmpty() ? "{\"name\":\"" + name + "\"}" : "{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"}";
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"" + kind + "\",\"metadata\":" + meta
        + ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"" + roleKind + "\",\"name\":\""
        + roleName + "\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\""
        + user + "\"}]}";
  }

  /** As admin: a Role in the test namespace with {@code rules}, bound to {@code user}. */
  private static void grant(String user, String name, String rules) {
    api.create(RBAC + "/namespaces/" + NS + "/roles", role("Role", NS, name, rules));
    api.create(RBAC + "/namespaces/" + NS + "/rolebindings", binding("RoleBinding", NS, name, "Role", name, user));
  }

  private static Response as(String user, String method, String path, String body) {
    return as(user, method, path, body, "application/json");
  }

  private static Response as(String user, String method, String path, String body, String contentType) {
    return api.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), contentType,
        Map.of(USER, user, GROUPS, "g"));
  }

  private static String notHeld(String user, String resource, String name, String missing) {
    return resource + ".rbac.authorization.k8s.io \"" + name + "\" is forbidden: user \"" + user
        + "\" (groups=[\"g\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
        + missing;
  }

  /** Waits until the policy (kept from the watch cache) gives {@code user} a decision other than a plain 403. */
  private static Response eventually(String user, String method, String path, String body, int code) {
    Response[] last = new Response[1];
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      last[0] = as(user, method, path, body);
      return last[0].code() == code;
    });
    return last[0];
  }

  @Test
  void roleNeedsItsRulesHeldOrEscalate() {
    grant("carol", "carol-roles", "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\"],"
        + "\"verbs\":[\"create\",\"update\",\"patch\",\"get\"]}]");
    String roles = RBAC + "/namespaces/" + NS + "/roles";
    // once carol may create roles at all, the rules she does not hold are refused with upstream's message
    Response denied = eventually("carol", "POST", roles, role("Role", NS, "pods-get", PODS_GET), 403);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        as("carol", "POST", roles, role("Role", NS, "pods-get", PODS_GET)).body().path("message").asText())
        .isEqualTo(notHeld("carol", "roles", "pods-get", "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}")));
    assertThat(denied.body().path("reason").asText()).isEqualTo("Forbidden");
    assertThat(denied.body().at("/details/group").asText()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(denied.body().at("/details/kind").asText()).isEqualTo("roles");
    // several missing rules: compacted per resource, sorted, one a line
    Response two = as("carol", "POST", roles, role("Role", NS, "more", "[{\"apiGroups\":[\"\"],"
        + "\"resources\":[\"services\",\"pods\"],\"verbs\":[\"list\",\"get\"]}]"));
    assertThat(two.body().path("message").asText()).endsWith("not currently held:\n"
        + "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"list\" \"get\"]}\n"
        + "{APIGroups:[\"\"], Resources:[\"services\"], Verbs:[\"list\" \"get\"]}");
    assertThat(as("carol", "POST", roles + "?dryRun=All", role("Role", NS, "pods-get", PODS_GET)).code())
        .isEqualTo(403);

    grant("carol", "carol-pods", PODS_GET);
    eventually("carol", "POST", roles, role("Role", NS, "pods-get", PODS_GET), 201);
    // an update may keep what she holds but not add to it, through PUT, PATCH and apply alike
    Response get = as("carol", "GET", roles + "/pods-get", null);
    String secrets = "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}";
    String put = get.text().replace("\"rules\":[", "\"rules\":[" + secrets + ",");
    assertThat(as("carol", "PUT", roles + "/pods-get", put).body().path("message").asText())
        .isEqualTo(notHeld("carol", "roles", "pods-get", "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}"));
    Response patch = as("carol", "PATCH", roles + "/pods-get", "{\"rules\":[" + secrets + "]}",
        "application/merge-patch+json");
    assertThat(patch.code()).isEqualTo(403);
    assertThat(patch.body().path("message").asText()).contains("Resources:[\"secrets\"]");
    Response apply = as("carol", "PATCH", roles + "/pods-get?fieldManager=carol&force=true",
        role("Role", NS, "pods-get", "[" + secrets + "]"), "application/apply-patch+yaml");
    assertThat(apply.code()).isEqualTo(403);
    assertThat(apply.body().path("message").asText()).contains("Resources:[\"secrets\"]");
    assertThat(as("carol", "PATCH", roles + "/pods-get", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}",
        "application/merge-patch+json").code()).isEqualTo(200);
    assertThat(api.get(roles + "/pods-get").body().path("rules").toString()).doesNotContain("secrets");

    // escalate on roles lets a user grant what they do not hold
    grant("dave", "dave-escalate", "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\"],"
        + "\"verbs\":[\"create\",\"escalate\"]}]");
    eventually("dave", "POST", roles, role("Role", NS, "secrets-all", "[{\"apiGroups\":[\"\"],\"resources\":"
        + "[\"secrets\"],\"verbs\":[\"*\"]}]"), 201);
  }

  @Test
  void clusterRolesNeedClusterWideRulesAndAggregationNeedsEverything() {
    api.create(RBAC + "/clusterroles", role("ClusterRole", "", "esc-cr-writer", "[{\"apiGroups\":"
        + "[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],\"verbs\":[\"create\"]}]"));
    api.create(RBAC + "/clusterrolebindings", binding("ClusterRoleBinding", "", "esc-cr-writer", "ClusterRole",
        "esc-cr-writer", "gina"));
    // pods get in a namespace is not enough for a cluster role
    grant("gina", "gina-pods", PODS_GET);
    Response denied = eventually("gina", "POST", RBAC + "/clusterroles", role("ClusterRole", "", "gina-pods", PODS_GET),
        403);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(as("gina", "POST", RBAC + "/clusterroles",
        role("ClusterRole", "", "gina-pods", PODS_GET)).body().path("message").asText())
        .isEqualTo(notHeld("gina", "clusterroles", "gina-pods", "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}")));
    assertThat(denied.code()).isEqualTo(403);
    Response aggregated = as("gina", "POST", RBAC + "/clusterroles", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
        + "\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"gina-agg\"},\"aggregationRule\":{\"clusterRoleSelectors\":"
        + "[{\"matchLabels\":{\"esc\":\"true\"}}]},\"rules\":[]}");
    assertThat(aggregated.code()).isEqualTo(403);
    assertThat(aggregated.body().path("message").asText()).isEqualTo("clusterroles.rbac.authorization.k8s.io "
        + "\"gina-agg\" is forbidden: must have cluster-admin privileges to use the aggregationRule");
  }

  @Test
  void bindingNeedsBindOrTheRolesPermissions() {
    grant("erin", "erin-bindings", "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"rolebindings\"],"
        + "\"verbs\":[\"create\"]}]");
    String bindings = RBAC + "/namespaces/" + NS + "/rolebindings";
    eventually("erin", "POST", bindings, binding("RoleBinding", NS, "erin-reads", "ClusterRole", "esc-pod-reader",
        "someone"), 403);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(as("erin", "POST", bindings,
        binding("RoleBinding", NS, "erin-reads", "ClusterRole", "esc-pod-reader", "someone")).body().path("message")
        .asText()).isEqualTo(notHeld("erin", "rolebindings", "erin-reads",
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}")));
    // a role that does not exist: its NotFound
    Response missing = as("erin", "POST", bindings, binding("RoleBinding", NS, "erin-none", "Role", "nope", "someone"));
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.body().path("message").asText()).isEqualTo("roles.rbac.authorization.k8s.io \"nope\" not found");
    // bind on that one cluster role, in this namespace
    grant("erin", "erin-bind", "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],"
        + "\"verbs\":[\"bind\"],\"resourceNames\":[\"esc-pod-reader\"]}]");
    eventually("erin", "POST", bindings, binding("RoleBinding", NS, "erin-reads", "ClusterRole", "esc-pod-reader",
        "someone"), 201);

    // or holding the role's permissions in the binding's namespace (but not cluster-wide)
    grant("frank", "frank-bindings", "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"rolebindings\","
        + "\"clusterrolebindings\"],\"verbs\":[\"create\"]}]");
    grant("frank", "frank-pods", PODS_GET);
    eventually("frank", "POST", bindings, binding("RoleBinding", NS, "frank-reads", "ClusterRole", "esc-pod-reader",
        "someone"), 201);
    api.create(RBAC + "/clusterroles", role("ClusterRole", "", "esc-crb-writer", "[{\"apiGroups\":"
        + "[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterrolebindings\"],\"verbs\":[\"create\"]}]"));
    api.create(RBAC + "/clusterrolebindings", binding("ClusterRoleBinding", "", "esc-crb-writer", "ClusterRole",
        "esc-crb-writer", "frank"));
    Response crb = eventually("frank", "POST", RBAC + "/clusterrolebindings", binding("ClusterRoleBinding", "",
        "frank-reads", "ClusterRole", "esc-pod-reader", "someone"), 403);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(as("frank", "POST",
        RBAC + "/clusterrolebindings", binding("ClusterRoleBinding", "", "frank-reads", "ClusterRole", "esc-pod-reader",
            "someone")).body().path("message").asText()).startsWith("clusterrolebindings.rbac.authorization.k8s.io "
                + "\"frank-reads\" is forbidden: user \"frank\""));
    assertThat(crb.code()).isEqualTo(403);
    // the admin (system:masters) binds anything
    assertThat(as("", "POST", RBAC + "/clusterrolebindings", binding("ClusterRoleBinding", "", "admin-reads",
        "ClusterRole", "esc-pod-reader", "someone")).code()).isEqualTo(201);
  }

  @Test
  void withoutRbacEveryoneMayEscalateAsUnderAlwaysAllow() throws IOException {
    try (TestApiServer open = new TestApiServer(c -> c.withTestAuthenticator(HeaderUsers::authenticate))) {
      Response r = open.client().send("POST", RBAC + "/clusterroles", role("ClusterRole", "", "everything",
          "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]").getBytes(StandardCharsets.UTF_8),
          "application/json", Map.of(USER, "nobody"));
      assertThat(r.code()).isEqualTo(201);
    }
  }

  @Test
  void kubectlShowsTheMessage(@TempDir Path dir) throws Exception {
    Path kubeconfig = server.writeKubeconfig(dir);
    grant("bob", "bob-roles", "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\"],"
        + "\"verbs\":[\"create\"]}]");
    String expected = notHeld("bob", "roles", "kubectl-pods", "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      KubectlRun r = kubectl(kubeconfig, "create", "role", "kubectl-pods", "-n", NS, "--verb=get", "--resource=pods",
          "--as", "bob", "--as-group", "g");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.out()).contains("Error from server (Forbidden): " + expected);
    });
  }

  private static KubectlRun kubectl(Path kubeconfig, String... args) throws Exception {
    return KubectlRun.run(kubeconfig, args);
  }
}
