package io.planet.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.apiserver.testing.HeaderUsers;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admission chain on a real API server, requests made as different users through the test seam. */
class AdmissionIT {
  private static final String USER = HeaderUsers.USER;
  private static final String GROUPS = HeaderUsers.GROUPS;
  private static TestApiServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws IOException {
    server = new TestApiServer(c -> c.withTestAuthenticator(HeaderUsers::authenticate).withAdmission(c.admission()
        .enabling("NodeRestriction")
        .withPodSecurity(PodSecurityConfig.DEFAULT.withExemptions(List.of("system:serviceaccount:kube-system:daemon-set-controller"),
            List.of("exempt"), List.of()))));
    api = server.client();
    for (String ns : List.of("exempt", "strict", "quota")) {
      api.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\","
          + "\"labels\":{\"pod-security.kubernetes.io/enforce\":\"restricted\"}}}");
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static ApiClient.Response as(String user, String groups, String method, String path, String body) {
    return api.send(method, path, body == null ? null : body.getBytes(), method.equals("PATCH") ? "application/merge-patch+json"
        : "application/json", Map.of(USER, user, GROUPS, groups));
  }

  private static String pod(String name, String extraSpec) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + extraSpec
        + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}}";
  }

  @Test
  void podSecurityExemptsNamespacesAndUsersFromConfig() {
    assertThat(api.post("/api/v1/namespaces/strict/pods", pod("p", "")).code()).isEqualTo(403);
    assertThat(api.post("/api/v1/namespaces/exempt/pods", pod("p", "")).code()).isEqualTo(201);
    assertThat(as("system:serviceaccount:kube-system:daemon-set-controller", "system:serviceaccounts", "POST",
        "/api/v1/namespaces/strict/pods", pod("ds-pod", "")).code()).isEqualTo(201);
  }

  @Test
  void namespaceLabelChangesWarnAboutExistingPodsAndInvalidLabelsAreRefused() {
    api.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"relabel\"}}");
    for (String n : List.of("a", "b", "c")) assertThat(api.post("/api/v1/namespaces/relabel/pods", pod(n, "")).code()).isEqualTo(201);
    ApiClient.Response r = api.patch("/api/v1/namespaces/relabel", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"pod-security.kubernetes.io/enforce\":\"baseline\"}}}");
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.headers().get("warning")).containsExactly(
        "299 - \"existing pods in namespace \\\"relabel\\\" violate the new PodSecurity enforce level \\\"baseline:latest\\\"\"",
        "299 - \"a (and 2 other pods): privileged\"");
    ApiClient.Response bad = api.patch("/api/v1/namespaces/relabel", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"pod-security.kubernetes.io/warn-version\":\"1.30\"}}}");
    assertThat(bad.code()).isEqualTo(422);
    assertThat(bad.body().path("message").asText()).isEqualTo("Namespace \"relabel\" is invalid: "
        + "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\"");
  }

  @Test
  void quotaWithoutAControllerIsUnknownAndComputeQuotasNeedRequests() {
    api.create("/api/v1/namespaces/quota/resourcequotas", "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\","
        + "\"metadata\":{\"name\":\"compute\"},\"spec\":{\"hard\":{\"requests.cpu\":\"1\",\"pods\":\"3\"}}}");
    String compliant = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"},\"spec\":{\"securityContext\":"
        + "{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"c\",\"image\":\"busybox\","
        + "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}%s}]}}";
    // as upstream, a quota the controller has not counted yet (no status.hard) restricts nothing
    assertThat(api.post("/api/v1/namespaces/quota/pods", compliant.formatted("p0", "")).code()).isEqualTo(201);
    // a status without usage for what it limits is unknown
    api.put("/api/v1/namespaces/quota/resourcequotas/compute/status", "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\","
        + "\"metadata\":{\"name\":\"compute\"},\"spec\":{\"hard\":{\"requests.cpu\":\"1\",\"pods\":\"3\"}},"
        + "\"status\":{\"hard\":{\"requests.cpu\":\"1\",\"pods\":\"3\"},\"used\":{\"requests.cpu\":\"0\"}}}");
    ApiClient.Response unknown = api.post("/api/v1/namespaces/quota/pods", compliant.formatted("p1", ",\"resources\":{\"requests\":{\"cpu\":\"1m\"}}"));
    assertThat(unknown.code()).isEqualTo(403);
    assertThat(unknown.body().path("message").asText())
        .isEqualTo("pods \"p1\" is forbidden: status unknown for quota: compute, resources: pods,requests.cpu");
    // what the resourcequota controller writes once it counted (p0 included)
    api.put("/api/v1/namespaces/quota/resourcequotas/compute/status", "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\","
        + "\"metadata\":{\"name\":\"compute\"},\"spec\":{\"hard\":{\"requests.cpu\":\"1\",\"pods\":\"3\"}},"
        + "\"status\":{\"hard\":{\"requests.cpu\":\"1\",\"pods\":\"3\"},\"used\":{\"requests.cpu\":\"0\",\"pods\":\"1\"}}}");
    ApiClient.Response missing = api.post("/api/v1/namespaces/quota/pods", compliant.formatted("p1", ""));
    assertThat(missing.body().path("message").asText()).isEqualTo("pods \"p1\" is forbidden: failed quota: compute: must specify requests.cpu for: c");
    String withCpu = ",\"resources\":{\"requests\":{\"cpu\":\"600m\"}}";
    assertThat(api.post("/api/v1/namespaces/quota/pods?dryRun=All", compliant.formatted("p1", withCpu)).code()).isEqualTo(201);
    assertThat(api.get("/api/v1/namespaces/quota/resourcequotas/compute").body().at("/status/used/pods").asText()).isEqualTo("1");
    assertThat(api.post("/api/v1/namespaces/quota/pods", compliant.formatted("p1", withCpu)).code()).isEqualTo(201);
    var used = api.get("/api/v1/namespaces/quota/resourcequotas/compute").body().at("/status/used");
    assertThat(used.path("pods").asText()).isEqualTo("2");
    assertThat(used.path("requests.cpu").asText()).isEqualTo("600m");
    ApiClient.Response over = api.post("/api/v1/namespaces/quota/pods", compliant.formatted("p2", withCpu));
    assertThat(over.code()).isEqualTo(403);
    assertThat(over.body().path("message").asText()).isEqualTo(
        "pods \"p2\" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1");
  }

  @Test
  void systemNamespacesMayNotBeDeleted() {
    ApiClient.Response r = api.delete("/api/v1/namespaces/kube-system");
    assertThat(r.code()).isEqualTo(403);
    assertThat(r.body().path("message").asText()).isEqualTo("namespaces \"kube-system\" is forbidden: this namespace may not be deleted");
  }

  @Test
  void aNodeMayChangeOnlyItselfAndItsPods() {
    String node = "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\"},\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]}}";
    assertThat(as("system:node:n1", "system:nodes", "POST", "/api/v1/nodes", node.formatted("n1")).code()).isEqualTo(201);
    assertThat(api.post("/api/v1/nodes", node.formatted("n2")).code()).isEqualTo(201);
    ApiClient.Response other = as("system:node:n1", "system:nodes", "PATCH", "/api/v1/nodes/n2", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    assertThat(other.code()).isEqualTo(403);
    assertThat(other.body().path("message").asText()).isEqualTo("nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
    ApiClient.Response taints = as("system:node:n1", "system:nodes", "PATCH", "/api/v1/nodes/n1", "{\"spec\":{\"taints\":null}}");
    assertThat(taints.body().path("message").asText()).isEqualTo("nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints");
    ApiClient.Response label = as("system:node:n1", "system:nodes", "PATCH", "/api/v1/nodes/n1",
        "{\"metadata\":{\"labels\":{\"node-role.kubernetes.io/control-plane\":\"\"}}}");
    assertThat(label.body().path("message").asText())
        .isEqualTo("nodes \"n1\" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane");
    assertThat(as("system:node:n1", "system:nodes", "PATCH", "/api/v1/nodes/n1",
        "{\"metadata\":{\"labels\":{\"kubernetes.io/hostname\":\"n1\",\"team\":\"a\"}}}").code()).isEqualTo(200);
    assertThat(as("system:node:n1", "system:nodes", "DELETE", "/api/v1/nodes/n2", null).body().path("message").asText())
        .isEqualTo("nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");

    ApiClient.Response notMirror = as("system:node:n1", "system:nodes", "POST", "/api/v1/namespaces/exempt/pods", pod("m", "\"nodeName\":\"n1\","));
    assertThat(notMirror.body().path("message").asText()).isEqualTo("pods \"m\" is forbidden: pod does not have "
        + "\"kubernetes.io/config.mirror\" annotation, node \"n1\" can only create mirror pods");
    assertThat(api.post("/api/v1/namespaces/exempt/pods", pod("on-n2", "\"nodeName\":\"n2\",")).code()).isEqualTo(201);
    ApiClient.Response status = as("system:node:n1", "system:nodes", "PATCH", "/api/v1/namespaces/exempt/pods/on-n2/status",
        "{\"status\":{\"phase\":\"Running\"}}");
    assertThat(status.body().path("message").asText()).isEqualTo(
        "pods \"on-n2\" is forbidden: node \"n1\" can only update pod status for pods with spec.nodeName set to itself");
    assertThat(as("system:node:n2", "system:nodes", "PATCH", "/api/v1/namespaces/exempt/pods/on-n2/status",
        "{\"status\":{\"phase\":\"Running\"}}").code()).isEqualTo(200);
    assertThat(as("system:node:n1", "system:nodes", "DELETE", "/api/v1/namespaces/exempt/pods/on-n2", null).code()).isEqualTo(403);

    ApiClient.Response lease = as("system:node:n1", "system:nodes", "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
        "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"n2\"}}");
    assertThat(lease.body().path("message").asText()).isEqualTo(
        "leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease with the same name as the requesting node");
  }
}
