package io.planet.apiserver.auth.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An API server with --authorization-mode=Node,RBAC; requests carrying the test header are made as the kubelet of
 * that node (user system:node:NAME in group system:nodes) through the test seam, the others as a cluster admin.
 */
class NodeAuthorizationIT {
  private static final String NODE = "X-Test-Node";
  private static final String NS = "nodeauth";

  private static TestApiServer server;
  private static ApiClient api;

  private static UserInfo testUser(ApiRequest req) {
    String node = req.header(NODE);
    if (node.isEmpty()) return UserInfo.of("kubernetes-admin", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
    return UserInfo.of("system:node:" + node, List.of("system:nodes", UserInfo.AUTHENTICATED));
  }

  @BeforeAll
  static void start() throws IOException {
    server = new TestApiServer(c -> c.withAuthorizationMode("Node,RBAC").withTestAuthenticator(NodeAuthorizationIT::testUser)
        .withAdmission(c.admission().enabling("NodeRestriction")));
    api = server.client();
    api.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}");
    for (String n : List.of("n1", "n2")) {
      api.create("/api/v1/nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + n
          + "\",\"labels\":{\"kubernetes.io/hostname\":\"" + n + "\"}}}");
    }
    for (String s : List.of("s1", "s2", "s3")) {
      api.create("/api/v1/namespaces/" + NS + "/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
          + "{\"name\":\"" + s + "\"},\"stringData\":{\"k\":\"v\"}}");
    }
    createPod("p1", "n1", "s1");
    createPod("p2", "n2", "s2");
  }

  private static void createPod(String name, String node, String secret) {
    api.create("/api/v1/namespaces/" + NS + "/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\""
        + name + "\"},\"spec\":{\"nodeName\":\"" + node + "\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}],"
        + "\"volumes\":[{\"name\":\"s\",\"secret\":{\"secretName\":\"" + secret + "\"}}]}}");
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static Response as(String node, String method, String path, String contentType, String body) {
    return api.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), contentType,
        Map.of(NODE, node));
  }

  private static String message(Response r) {
    return r.body().path("message").asText();
  }

  @Test
  void nodeUpdatesItsOwnNodeStatusAndLease() {
    assertThat(as("n1", "GET", "/api/v1/nodes/n1", null, null).code()).isEqualTo(200);
    Response status = as("n1", "PATCH", "/api/v1/nodes/n1/status", "application/merge-patch+json",
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\"}]}}");
    assertThat(status.code()).as(status.text()).isEqualTo(200);
    assertThat(status.body().at("/status/conditions/0/reason").asText()).isEqualTo("KubeletReady");
    String lease = "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"%s\"},"
        + "\"spec\":{\"holderIdentity\":\"%s\",\"leaseDurationSeconds\":40}}";
    String leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
    Response created = as("n1", "POST", leases, "application/json", lease.formatted("n1", "n1"));
    assertThat(created.code()).as(created.text()).isEqualTo(201);
    Response renewed = as("n1", "PUT", leases + "/n1", "application/json", lease.formatted("n1", "n1-renewed"));
    assertThat(renewed.code()).as(renewed.text()).isEqualTo(200);
    assertThat(renewed.body().at("/spec/holderIdentity").asText()).isEqualTo("n1-renewed");
    // another node's lease: refused by the authorizer (update) and by NodeRestriction (create)
    Response foreign = as("n1", "PUT", leases + "/n2", "application/json", lease.formatted("n2", "n1"));
    assertThat(foreign.code()).isEqualTo(403);
    assertThat(message(foreign)).isEqualTo("leases.coordination.k8s.io \"n2\" is forbidden: User \"system:node:n1\" "
        + "cannot update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-node-lease\": "
        + "can only access node lease with the same name as the requesting node");
    Response foreignCreate = as("n1", "POST", leases, "application/json", lease.formatted("n2", "n1"));
    assertThat(foreignCreate.code()).isEqualTo(403);
    assertThat(message(foreignCreate)).isEqualTo("leases.coordination.k8s.io \"n2\" is forbidden: can only access node "
        + "lease with the same name as the requesting node");
  }

  @Test
  void nodeCannotModifyAnotherNode() {
    Response patch = as("n1", "PATCH", "/api/v1/nodes/n2", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"example.com/stolen\":\"yes\"}}}");
    assertThat(patch.code()).isEqualTo(403);
    assertThat(patch.body().path("reason").asText()).isEqualTo("Forbidden");
    assertThat(message(patch)).isEqualTo("nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
    assertThat(api.get("/api/v1/nodes/n2").body().at("/metadata/labels").has("example.com/stolen")).isFalse();
    Response read = as("n1", "GET", "/api/v1/nodes/n2", null, null);
    assertThat(read.code()).isEqualTo(403);
    assertThat(message(read)).isEqualTo("nodes \"n2\" is forbidden: User \"system:node:n1\" cannot get resource "
        + "\"nodes\" in API group \"\" at the cluster scope: node 'n1' cannot read 'n2', only its own Node object");
    Response taint = as("n1", "PATCH", "/api/v1/nodes/n1", "application/merge-patch+json",
        "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]}}");
    assertThat(taint.code()).isEqualTo(403);
    assertThat(message(taint)).isEqualTo("nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints");
    Response label = as("n1", "PATCH", "/api/v1/nodes/n1", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"node-role.kubernetes.io/control-plane\":\"\"}}}");
    assertThat(label.code()).isEqualTo(403);
    assertThat(message(label)).isEqualTo("nodes \"n1\" is forbidden: is not allowed to modify labels: "
        + "node-role.kubernetes.io/control-plane");
    Response allowedLabel = as("n1", "PATCH", "/api/v1/nodes/n1", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"node.kubernetes.io/instance-type\":\"small\"}}}");
    assertThat(allowedLabel.code()).as(allowedLabel.text()).isEqualTo(200);
  }

  @Test
  void nodeReadsOnlySecretsOfPodsBoundToIt() {
    // the graph follows the pods' watch cache
    await().atMost(Duration.ofSeconds(10))
        .until(() -> as("n1", "GET", "/api/v1/namespaces/" + NS + "/secrets/s1", null, null).code() == 200);
    Response other = as("n1", "GET", "/api/v1/namespaces/" + NS + "/secrets/s2", null, null);
    assertThat(other.code()).isEqualTo(403);
    assertThat(message(other)).isEqualTo("secrets \"s2\" is forbidden: User \"system:node:n1\" cannot get resource "
        + "\"secrets\" in API group \"\" in the namespace \"" + NS + "\": no relationship found between node 'n1' and "
        + "this object");
    assertThat(as("n1", "GET", "/api/v1/namespaces/" + NS + "/secrets", null, null).code()).isEqualTo(403);
    // a pod scheduled to n1 later grants its secret; deleting it takes the access away again
    createPod("p3", "n1", "s3");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> as("n1", "GET", "/api/v1/namespaces/" + NS + "/secrets/s3", null, null).code() == 200);
    assertThat(api.delete("/api/v1/namespaces/" + NS + "/pods/p3?gracePeriodSeconds=0").code()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> as("n1", "GET", "/api/v1/namespaces/" + NS + "/secrets/s3", null, null).code() == 403);
  }

  @Test
  void nodeManagesOnlyPodsBoundToIt() {
    await().atMost(Duration.ofSeconds(10))
        .until(() -> as("n1", "GET", "/api/v1/namespaces/" + NS + "/pods/p1", null, null).code() == 200);
    assertThat(as("n1", "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1", null, null).code()).isEqualTo(200);
    Response all = as("n1", "GET", "/api/v1/pods", null, null);
    assertThat(all.code()).isEqualTo(403);
    assertThat(message(all)).endsWith(": can only list/watch pods with spec.nodeName field selector");
    Response status = as("n1", "PATCH", "/api/v1/namespaces/" + NS + "/pods/p2/status", "application/merge-patch+json",
        "{\"status\":{\"phase\":\"Running\"}}");
    assertThat(status.code()).isEqualTo(403);
    assertThat(message(status)).isEqualTo("pods \"p2\" is forbidden: node \"n1\" can only update pod status for pods "
        + "with spec.nodeName set to itself");
    Response own = as("n1", "PATCH", "/api/v1/namespaces/" + NS + "/pods/p1/status", "application/merge-patch+json",
        "{\"status\":{\"phase\":\"Running\"}}");
    assertThat(own.code()).as(own.text()).isEqualTo(200);
    Response delete = as("n1", "DELETE", "/api/v1/namespaces/" + NS + "/pods/p2", null, null);
    assertThat(delete.code()).isEqualTo(403);
    assertThat(message(delete)).isEqualTo("pods \"p2\" is forbidden: node \"n1\" can only delete pods with "
        + "spec.nodeName set to itself");
    assertThat(api.get("/api/v1/namespaces/" + NS + "/pods/p2").code()).isEqualTo(200);
    Response create = as("n1", "POST", "/api/v1/namespaces/" + NS + "/pods", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"sneaky\"},\"spec\":{\"nodeName\":\"n1\","
            + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
    assertThat(create.code()).isEqualTo(403);
    assertThat(message(create)).isEqualTo("pods \"sneaky\" is forbidden: pod does not have "
        + "\"kubernetes.io/config.mirror\" annotation, node \"n1\" can only create mirror pods");
    Response evict = as("n1", "POST", "/api/v1/namespaces/" + NS + "/pods/p2/eviction", "application/json",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p2\"}}");
    assertThat(evict.code()).isEqualTo(403);
    assertThat(message(evict)).isEqualTo("pods \"p2\" is forbidden: node n1 can only evict pods with spec.nodeName "
        + "set to itself");
  }

  @Test
  void subjectAccessReviewAsksTheNodeAuthorizer() {
    String sar = "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":{"
        + "\"user\":\"system:node:n1\",\"groups\":[\"system:nodes\",\"system:authenticated\"],"
        + "\"resourceAttributes\":{\"verb\":\"list\",\"resource\":\"pods\",\"version\":\"v1\"%s}}}";
    Response scoped = api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews",
        sar.formatted(",\"fieldSelector\":{\"rawSelector\":\"spec.nodeName=n1\"}"));
    assertThat(scoped.body().at("/status/allowed").asBoolean()).as(scoped.text()).isTrue();
    Response all = api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", sar.formatted(""));
    assertThat(all.body().at("/status/allowed").asBoolean()).isFalse();
    assertThat(all.body().at("/status/reason").asText()).isEqualTo("can only list/watch pods with spec.nodeName field selector");
  }
}
