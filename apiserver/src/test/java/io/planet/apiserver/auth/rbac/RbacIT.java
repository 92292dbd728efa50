package io.planet.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.testing.HeaderUsers;
import io.planet.apiserver.testing.KubectlRun;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An API server with --authorization-mode=RBAC; requests are made as different users through a test seam. */
class RbacIT {
  private static final String USER = HeaderUsers.USER;
  private static final String GROUPS = HeaderUsers.GROUPS;

  private static TestApiServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws IOException {
    server = new TestApiServer(c -> c.withAuthorizationMode("RBAC").withTestAuthenticator(HeaderUsers::authenticate));
    api = server.client();
    for (String ns : List.of("dev", "prod")) {
      api.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static Response as(String user, String method, String path, String body) {
    return api.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        body == null ? null : "application/json", Map.of(USER, user));
  }

  @Test
  void bootstrapPolicyExists() {
    JsonNode admin = api.get("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin").body();
    assertThat(admin.at("/subjects/0/name").asText()).isEqualTo("system:masters");
    assertThat(admin.at("/metadata/labels/kubernetes.io~1bootstrapping").asText()).isEqualTo("rbac-defaults");
    assertThat(admin.at("/metadata/annotations/rbac.authorization.kubernetes.io~1autoupdate").asText()).isEqualTo("true");
    JsonNode view = api.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/view").body();
    assertThat(view.at("/aggregationRule/clusterRoleSelectors/0/matchLabels/rbac.authorization.k8s.io~1aggregate-to-view")
        .asText()).isEqualTo("true");
    for (String r : List.of("admin", "edit", "system:discovery", "system:basic-user", "system:public-info-viewer",
        "system:kube-scheduler", "system:kube-controller-manager", "system:node", "system:node-proxier",
        "system:kube-dns", "system:monitoring", "system:auth-delegator", "system:aggregate-to-edit")) {
      assertThat(api.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/" + r).code()).as(r).isEqualTo(200);
    }
  }

  @Test
  void roleGrantsListingPodsInItsNamespaceOnly() {
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"pod-reader"},
         "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]}]}""");
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"alice-reads"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}]}""");
    // the binding reaches the authorizer through the watch cache
    await().atMost(Duration.ofSeconds(10)).until(() -> as("alice", "GET", "/api/v1/namespaces/dev/pods", null).code() == 200);
    Response other = as("alice", "GET", "/api/v1/namespaces/prod/pods", null);
    assertThat(other.code()).isEqualTo(403);
    assertThat(other.body().path("reason").asText()).isEqualTo("Forbidden");
    assertThat(other.body().path("message").asText()).isEqualTo(
        "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"prod\"");
    assertThat(other.body().path("details").toString()).isEqualTo("{\"kind\":\"pods\"}");
    Response create = as("alice", "POST", "/api/v1/namespaces/dev/pods",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
    assertThat(create.code()).isEqualTo(403);
    assertThat(create.body().path("message").asText()).isEqualTo(
        "pods is forbidden: User \"alice\" cannot create resource \"pods\" in API group \"\" in the namespace \"dev\"");
    Response node = as("alice", "GET", "/api/v1/nodes/n1", null);
    assertThat(node.body().path("message").asText()).isEqualTo(
        "nodes \"n1\" is forbidden: User \"alice\" cannot get resource \"nodes\" in API group \"\" at the cluster scope");
    assertThat(as("bob", "GET", "/api/v1/namespaces/dev/pods", null).code()).isEqualTo(403);
    // removing the binding takes the access away again
    api.delete("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/alice-reads");
    await().atMost(Duration.ofSeconds(10)).until(() -> as("alice", "GET", "/api/v1/namespaces/dev/pods", null).code() == 403);
  }

  @Test
  void publicInfoAndDiscovery() {
    assertThat(as(UserInfo.ANONYMOUS, "GET", "/healthz", null).code()).isEqualTo(200);
    assertThat(as(UserInfo.ANONYMOUS, "GET", "/version", null).code()).isEqualTo(200);
    Response apis = as(UserInfo.ANONYMOUS, "GET", "/apis", null);
    assertThat(apis.code()).isEqualTo(403);
    assertThat(apis.body().path("message").asText()).isEqualTo("forbidden: User \"system:anonymous\" cannot get path \"/apis\"");
    assertThat(as("carol", "GET", "/apis", null).code()).isEqualTo(200);
    assertThat(as("carol", "GET", "/api/v1", null).code()).isEqualTo(200);
    assertThat(as("carol", "GET", "/metrics", null).code()).isEqualTo(403);
  }

  @Test
  void selfSubjectAccessReviewAndRulesReview() {
    api.create("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"dave-view"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:aggregate-to-view"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"dave"}]}""");
    String review = """
        {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
         "spec":{"resourceAttributes":{"namespace":"dev","verb":"%s","resource":"pods"}}}""";
    await().atMost(Duration.ofSeconds(10)).until(() ->
        as("dave", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.formatted("list"))
            .body().at("/status/allowed").asBoolean());
    Response yes = as("dave", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.formatted("list"));
    assertThat(yes.code()).isEqualTo(201);
    assertThat(yes.body().at("/status/reason").asText()).isEqualTo(
        "RBAC: allowed by ClusterRoleBinding \"dave-view\" of ClusterRole \"system:aggregate-to-view\" to User \"dave\"");
    Response no = as("dave", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.formatted("create"));
    assertThat(no.body().at("/status/allowed").asBoolean()).isFalse();
    assertThat(no.body().at("/status").has("denied")).isFalse();
    // a SubjectAccessReview about dave needs create on subjectaccessreviews: dave does not have it, the admin does
    String sar = """
        {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
         "spec":{"user":"dave","resourceAttributes":{"namespace":"prod","verb":"get","resource":"pods","name":"x"}}}""";
    assertThat(as("dave", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar).code()).isEqualTo(403);
    assertThat(api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", sar).body().at("/status/allowed").asBoolean())
        .isTrue();
    Response local = api.post("/apis/authorization.k8s.io/v1/namespaces/dev/localsubjectaccessreviews", """
        {"apiVersion":"authorization.k8s.io/v1","kind":"LocalSubjectAccessReview",
         "spec":{"user":"dave","resourceAttributes":{"namespace":"prod","verb":"get","resource":"pods"}}}""");
    assertThat(local.code()).isEqualTo(400);
    assertThat(local.body().path("message").asText()).isEqualTo("spec.resourceAttributes.namespace must match namespace: dev");
    Response rules = as("dave", "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", """
        {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"dev"}}""");
    assertThat(rules.code()).isEqualTo(201);
    assertThat(rules.body().at("/status/incomplete").asBoolean()).isFalse();
    assertThat(rules.body().at("/status/resourceRules").toString()).contains("\"pods\"").contains("selfsubjectaccessreviews");
    assertThat(rules.body().at("/status/nonResourceRules").toString()).contains("/healthz");
  }

  @Test
  void impersonation() {
    // the admin may impersonate anyone; alice may not
    Response asErin = api.send("GET", "/api/v1/namespaces/dev/pods", null, null, Map.of("Impersonate-User", "erin"));
    assertThat(asErin.code()).isEqualTo(403);
    assertThat(asErin.body().path("message").asText()).contains("User \"erin\" cannot list resource \"pods\"");
    Response byAlice = api.send("GET", "/api/v1/namespaces/dev/pods", null, null,
        Map.of(USER, "alice", "Impersonate-User", "kubernetes-admin"));
    assertThat(byAlice.code()).isEqualTo(403);
    assertThat(byAlice.body().path("message").asText()).isEqualTo("users \"kubernetes-admin\" is forbidden: User \"alice\" "
        + "cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
    Response groupsOnly = api.send("GET", "/api/v1/namespaces/dev/pods", null, null, Map.of("Impersonate-Group", "x"));
    assertThat(groupsOnly.code()).isEqualTo(400);
  }

  @Test
  void discoveryListsTheReviews() {
    JsonNode list = api.get("/apis/authorization.k8s.io/v1").body();
    assertThat(list.path("resources").toString()).contains("\"name\":\"selfsubjectaccessreviews\"")
        .contains("\"name\":\"localsubjectaccessreviews\",\"singularName\":\"localsubjectaccessreview\",\"namespaced\":true")
        .contains("\"verbs\":[\"create\"]");
  }

  @Test
  void kubectlAuthCanI(@TempDir Path dir) throws Exception {
    Path kubeconfig = server.writeKubeconfig(dir);
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"frank-edit"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:aggregate-to-edit"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"frank"}]}""");
    await().atMost(Duration.ofSeconds(10)).until(() -> kubectl(kubeconfig, "auth", "can-i", "create", "pods", "-n", "dev",
        "--as", "frank").out().trim().equals("yes"));
    KubectlRun no = kubectl(kubeconfig, "auth", "can-i", "create", "pods", "-n", "prod", "--as", "frank");
    assertThat(no.out().trim()).isEqualTo("no");
    assertThat(no.code()).isEqualTo(1);
    // kubectl warns that nodes are not namespaced (the kubeconfig names a namespace), as against upstream
    assertThat(kubectl(kubeconfig, "auth", "can-i", "delete", "nodes").out()).endsWith("\nyes\n");
    KubectlRun list = kubectl(kubeconfig, "auth", "can-i", "--list", "-n", "dev", "--as", "frank");
    assertThat(list.code()).isZero();
    assertThat(list.out()).contains("pods/exec").contains("selfsubjectaccessreviews.authorization.k8s.io");
    KubectlRun forbidden = kubectl(kubeconfig, "get", "pods", "-n", "prod", "--as", "frank");
    assertThat(forbidden.out()).contains("Error from server (Forbidden): pods is forbidden: User \"frank\" cannot list "
        + "resource \"pods\" in API group \"\" in the namespace \"prod\"");
    assertThat(kubectl(kubeconfig, "api-resources", "--api-group=authorization.k8s.io").out())
        .contains("selfsubjectrulesreviews").contains("subjectaccessreviews");
  }

  private static KubectlRun kubectl(Path kubeconfig, String... args) throws Exception {
    return KubectlRun.run(kubeconfig, args);
  }
}
