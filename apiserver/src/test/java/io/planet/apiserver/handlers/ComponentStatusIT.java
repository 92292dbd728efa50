package io.planet.apiserver.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.planet.apiserver.testing.KubectlRun;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * v1 ComponentStatus against a real API server and etcd: the scheduler's health endpoint answers ok, the
 * controller-manager's answers 500 (both real HTTP servers started here), etcd-0 is the test server's etcd.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComponentStatusIT {
  private static final String WARNING = "299 - \"v1 ComponentStatus is deprecated in v1.19+\"";
  private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

  private static HttpServer scheduler;
  private static HttpServer controllerManager;
  private static TestApiServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws IOException {
    scheduler = healthServer(200, "ok");
    controllerManager = healthServer(500, "[-]leaderElection failed: reason withheld\nhealthz check failed");
    server = new TestApiServer(c -> c.withComponentHealthUrls(url(scheduler), url(controllerManager)));
    api = server.client();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (scheduler != null) scheduler.stop(0);
    if (controllerManager != null) controllerManager.stop(0);
  }

  private static HttpServer healthServer(int code, String body) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/healthz", ex -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      ex.sendResponseHeaders(code, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    });
    s.start();
    return s;
  }

  private static String url(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort() + "/healthz";
  }

  @Test
  @Order(1)
  void discoveryListsComponentStatusesWithGetAndListOnly() {
    JsonNode resources = api.get("/api/v1").body().path("resources");
    JsonNode cs = null;
    for (JsonNode r : resources) if (r.path("name").asText().equals("componentstatuses")) cs = r;
    assertThat(cs).isNotNull();
    assertThat(cs.path("namespaced").asBoolean()).isFalse();
    assertThat(cs.path("kind").asText()).isEqualTo("ComponentStatus");
    assertThat(cs.path("singularName").asText()).isEqualTo("componentstatus");
    assertThat(cs.path("verbs").toString()).isEqualTo("[\"get\",\"list\"]");
    assertThat(cs.path("shortNames").toString()).isEqualTo("[\"cs\"]");
  }

  @Test
  @Order(2)
  void listProbesEveryComponent() {
    Response r = api.get("/api/v1/componentstatuses");
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.header("Warning")).isEqualTo(WARNING);
    JsonNode list = r.body();
    assertThat(list.path("kind").asText()).isEqualTo("ComponentStatusList");
    assertThat(list.path("apiVersion").asText()).isEqualTo("v1");
    // nothing stored: no resourceVersion, as upstream's empty ListMeta
    assertThat(list.path("metadata").toString()).isEqualTo("{}");
    List<String> names = new ArrayList<>();
    for (JsonNode i : list.path("items")) names.add(i.path("metadata").path("name").asText());
    assertThat(names).containsExactly("scheduler", "controller-manager", "etcd-0");
    JsonNode items = list.path("items");
    assertThat(items.get(0).path("conditions").toString())
        .isEqualTo("[{\"type\":\"Healthy\",\"status\":\"True\",\"message\":\"ok\"}]");
    assertThat(items.get(1).path("conditions").toString())
        .isEqualTo("[{\"type\":\"Healthy\",\"status\":\"False\",\"message\":\"HTTP probe failed with statuscode: 500\"}]");
    assertThat(items.get(2).path("conditions").toString())
        .isEqualTo("[{\"type\":\"Healthy\",\"status\":\"True\",\"message\":\"ok\"}]");
  }

  @Test
  @Order(3)
  void getOneComponent() {
    Response r = api.get("/api/v1/componentstatuses/etcd-0");
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.header("Warning")).isEqualTo(WARNING);
    assertThat(r.body().toString()).isEqualTo("{\"kind\":\"ComponentStatus\",\"apiVersion\":\"v1\",\"metadata\":"
        + "{\"name\":\"etcd-0\",\"creationTimestamp\":null},\"conditions\":[{\"type\":\"Healthy\",\"status\":\"True\","
        + "\"message\":\"ok\"}]}");
    JsonNode cm = api.get("/api/v1/componentstatuses/controller-manager").body();
    assertThat(cm.path("conditions").get(0).path("status").asText()).isEqualTo("False");
  }

  @Test
  @Order(4)
  void unknownComponentIsNotFound() {
    Response r = api.get("/api/v1/componentstatuses/kube-proxy");
    assertThat(r.code()).isEqualTo(404);
    assertThat(r.header("Warning")).isEqualTo(WARNING);
    assertThat(r.body().path("reason").asText()).isEqualTo("NotFound");
    assertThat(r.body().path("message").asText()).isEqualTo("componentstatus \"kube-proxy\" not found");
    assertThat(r.body().path("details").toString()).isEqualTo("{\"name\":\"kube-proxy\",\"kind\":\"componentstatus\"}");
  }

  @Test
  @Order(5)
  void writesAreMethodNotAllowed() {
    String body = "{\"apiVersion\":\"v1\",\"kind\":\"ComponentStatus\",\"metadata\":{\"name\":\"mine\"}}";
    for (Response r : List.of(api.post("/api/v1/componentstatuses", body), api.delete("/api/v1/componentstatuses/etcd-0"),
        api.put("/api/v1/componentstatuses/etcd-0", body), api.delete("/api/v1/componentstatuses"),
        api.patch("/api/v1/componentstatuses/etcd-0", "application/merge-patch+json", "{}"))) {
      assertThat(r.code()).isEqualTo(405);
      assertThat(r.body().path("kind").asText()).isEqualTo("Status");
      assertThat(r.body().path("reason").asText()).isEqualTo("MethodNotAllowed");
      assertThat(r.body().path("message").asText()).isEqualTo("the server does not allow this method on the requested resource");
    }
    Response watch = api.get("/api/v1/componentstatuses?watch=true");
    assertThat(watch.code()).isEqualTo(405);
    assertThat(watch.body().path("message").asText()).isEqualTo("watch is not supported on resources of kind \"componentstatuses\"");
    // nothing was stored
    assertThat(api.get("/api/v1/componentstatuses/mine").code()).isEqualTo(404);
  }

  @Test
  @Order(6)
  void selectorsFilterAsUpstreamsPredicate() {
    assertThat(names(api.get("/api/v1/componentstatuses?fieldSelector=metadata.name%3Detcd-0").body())).containsExactly("etcd-0");
    assertThat(names(api.get("/api/v1/componentstatuses?fieldSelector=metadata.name%21%3Detcd-0").body()))
        .containsExactly("scheduler", "controller-manager");
    assertThat(names(api.get("/api/v1/componentstatuses?labelSelector=tier%3Dcontrol-plane").body())).isEmpty();
    assertThat(names(api.get("/api/v1/componentstatuses?labelSelector=%21tier").body())).hasSize(3);
    Response bad = api.get("/api/v1/componentstatuses?fieldSelector=status.phase%3DHealthy");
    assertThat(bad.code()).isEqualTo(400);
    assertThat(bad.body().path("message").asText()).isEqualTo("field label not supported: status.phase");
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode i : list.path("items")) out.add(i.path("metadata").path("name").asText());
    return out;
  }

  @Test
  @Order(7)
  void tableHasUpstreamsColumns() {
    Response r = api.send("GET", "/api/v1/componentstatuses", null, null, Map.of("Accept", TABLE));
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.header("Warning")).isEqualTo(WARNING);
    JsonNode table = r.body();
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    List<String> columns = new ArrayList<>();
    for (JsonNode c : table.path("columnDefinitions")) columns.add(c.path("name").asText());
    assertThat(columns).containsExactly("Name", "Status", "Message", "Error");
    assertThat(table.path("rows").get(0).path("cells").toString()).isEqualTo("[\"scheduler\",\"Healthy\",\"ok\",\"\"]");
    assertThat(table.path("rows").get(1).path("cells").toString())
        .isEqualTo("[\"controller-manager\",\"Unhealthy\",\"HTTP probe failed with statuscode: 500\",\"\"]");
    assertThat(table.path("rows").get(2).path("cells").toString()).isEqualTo("[\"etcd-0\",\"Healthy\",\"ok\",\"\"]");
  }

  @Test
  @Order(8)
  void kubectlGetComponentStatuses(@TempDir Path dir) throws Exception {
    Path kubeconfig = server.writeKubeconfig(dir);
    KubectlRun all = kubectl(kubeconfig, "get", "componentstatuses");
    assertThat(all.code()).isZero();
    assertThat(all.out()).contains("Warning: v1 ComponentStatus is deprecated in v1.19+");
    assertThat(all.out()).containsPattern("NAME +STATUS +MESSAGE +ERROR")
        .containsPattern("scheduler +Healthy +ok")
        .containsPattern("controller-manager +Unhealthy +HTTP probe failed with statuscode: 500")
        .containsPattern("etcd-0 +Healthy +ok");
    // upstream's e2e: names by jsonpath, then a get of each
    KubectlRun names = kubectl(kubeconfig, "get", "componentstatuses", "-o", "jsonpath={.items[*].metadata.name}");
    assertThat(names.code()).isZero();
    assertThat(names.out()).endsWith("scheduler controller-manager etcd-0");
    KubectlRun one = kubectl(kubeconfig, "get", "cs", "etcd-0");
    assertThat(one.code()).isZero();
    assertThat(one.out()).containsPattern("etcd-0 +Healthy +ok").doesNotContain("scheduler");
    KubectlRun missing = kubectl(kubeconfig, "get", "cs", "kube-proxy");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.out()).contains("Error from server (NotFound): componentstatus \"kube-proxy\" not found");
  }

  @Test
  @Order(9)
  void etcdDownIsUnhealthyWithinTheProbeTimeout() throws Exception {
    server.etcd().kill();
    try {
      long start = System.nanoTime();
      JsonNode etcd = api.get("/api/v1/componentstatuses/etcd-0").body();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      JsonNode c = etcd.path("conditions").get(0);
      assertThat(c.path("status").asText()).isEqualTo("False");
      assertThat(c.path("error").asText()).startsWith("error getting data from etcd: ");
    } finally {
      server.etcd().restart();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/componentstatuses/etcd-0").body()
        .path("conditions").get(0).path("status").asText().equals("True"));
  }

  private static KubectlRun kubectl(Path kubeconfig, String... args) throws Exception {
    return KubectlRun.run(kubeconfig, args);
  }
}
