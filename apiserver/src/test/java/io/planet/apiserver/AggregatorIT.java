package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.ApiClient.WatchStream;
import io.planet.apiserver.testing.FakeExtensionApiServer;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The aggregation layer: an APIService's group is proxied to a fake extension API server over HTTPS. */
class AggregatorIT {
  static final String NODE_METRICS = """
      {"name":"nodes","singularName":"","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]}""";
  static final String POD_METRICS = """
      {"name":"pods","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get","list"]}""";
  static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

  static TestApiServer server;
  static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer(c -> c.withApiServiceAvailabilityPeriod(Duration.ofMillis(500)));
    api = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonNode available(String name) {
    for (JsonNode c : api.get("/apis/apiregistration.k8s.io/v1/apiservices/" + name).body().at("/status/conditions")) {
      if (c.path("type").asText().equals("Available")) return c;
    }
    return null;
  }

  static void awaitAvailable(String name, String status, String reason) {
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      JsonNode c = available(name);
      assertThat(c).isNotNull();
      assertThat(c.path("status").asText() + "/" + c.path("reason").asText()).isEqualTo(status + "/" + reason);
    });
  }

  @Test
  void metricsGroupIsProxiedListedInDiscoveryAndGoesAwayWithItsApiService() throws Exception {
    try (FakeExtensionApiServer backend = new FakeExtensionApiServer("metrics.k8s.io", "v1beta1",
        "metrics-server", "kube-system", List.of(NODE_METRICS, POD_METRICS))) {
      backend.respond("/apis/metrics.k8s.io/v1beta1/nodes", """
          {"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},
           "items":[{"metadata":{"name":"n1"},"timestamp":"2026-01-01T00:00:00Z","window":"10s",
                     "usage":{"cpu":"250m","memory":"1Gi"}}]}""");
      backend.respond("/apis/metrics.k8s.io/v1beta1/nodes/n1", """
          {"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"n1"},"usage":{"cpu":"250m"}}""");
      assertThat(api.get("/apis/metrics.k8s.io/v1beta1/nodes").code()).isEqualTo(404);

      backend.register(api);
      awaitAvailable("v1beta1.metrics.k8s.io", "True", "Passed");

      // list and get, query string and identity headers forwarded
      Response list = api.get("/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=a%3Db&limit=5");
      assertThat(list.code()).isEqualTo(200);
      assertThat(list.body().at("/items/0/usage/cpu").asText()).isEqualTo("250m");
      FakeExtensionApiServer.Recorded seen = backend.requests().stream()
          .filter(r -> r.uri().startsWith("/apis/metrics.k8s.io/v1beta1/nodes?")).findFirst().orElseThrow();
      assertThat(seen.uri()).isEqualTo("/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=a%3Db&limit=5");
      assertThat(seen.header("X-Remote-User")).isEqualTo("system:admin");
      assertThat(seen.header("X-Remote-Group")).contains("system:masters");
      assertThat(api.get("/apis/metrics.k8s.io/v1beta1/nodes/n1").body().at("/metadata/name").asText()).isEqualTo("n1");
      Response missing = api.get("/apis/metrics.k8s.io/v1beta1/nodes/nope");
      assertThat(missing.code()).isEqualTo(404);
      assertThat(missing.body().path("reason").asText()).isEqualTo("NotFound");

      // the group/version document itself comes from the backend
      Response gv = api.get("/apis/metrics.k8s.io/v1beta1");
      assertThat(gv.body().path("resources")).extracting(r -> r.path("name").asText()).containsExactly("nodes", "pods");

      // legacy and aggregated discovery
      JsonNode groups = api.get("/apis").body();
      assertThat(groups.path("groups")).anySatisfy(g -> {
        assertThat(g.path("name").asText()).isEqualTo("metrics.k8s.io");
        assertThat(g.at("/preferredVersion/groupVersion").asText()).isEqualTo("metrics.k8s.io/v1beta1");
      });
      assertThat(api.get("/apis/metrics.k8s.io").body().at("/versions/0/version").asText()).isEqualTo("v1beta1");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode agg = api.send("GET", "/apis", null, null, Map.of("Accept", AGGREGATED)).body();
        JsonNode metrics = null;
        for (JsonNode item : agg.path("items")) if (item.at("/metadata/name").asText().equals("metrics.k8s.io")) metrics = item;
        assertThat(metrics).isNotNull();
        JsonNode v = metrics.path("versions").get(0);
        assertThat(v.path("freshness").asText()).isEqualTo("Current");
        assertThat(v.path("resources")).extracting(r -> r.path("resource").asText()).containsExactly("nodes", "pods");
        assertThat(v.path("resources").get(1).path("scope").asText()).isEqualTo("Namespaced");
        assertThat(v.path("resources").get(1).at("/responseKind/kind").asText()).isEqualTo("PodMetrics");
      });

      // a watch streams events through as the backend sends them
      try (WatchStream w = api.watch("/apis/metrics.k8s.io/v1beta1/nodes?watch=true")) {
        assertThat(w.code).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.openWatches() == 1);
        backend.emit("{\"type\":\"ADDED\",\"object\":{\"kind\":\"NodeMetrics\",\"metadata\":{\"name\":\"n1\"}}}");
        JsonNode e1 = w.next(10);
        assertThat(e1.path("type").asText()).isEqualTo("ADDED");
        backend.emit("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"NodeMetrics\",\"metadata\":{\"name\":\"n2\"}}}");
        assertThat(w.next(10).at("/object/metadata/name").asText()).isEqualTo("n2");
      }
      // the client going away ends the backend's watch too (its next writes fail)
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
        backend.emit("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"NodeMetrics\",\"metadata\":{\"name\":\"n3\"}}}");
        return backend.openWatches() == 0;
      });

      // local groups are untouched
      assertThat(api.get("/api/v1/namespaces/default").code()).isEqualTo(200);

      // deleting the APIService stops the proxying
      assertThat(api.delete("/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io").code()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(api.get("/apis/metrics.k8s.io/v1beta1/nodes").code()).isEqualTo(404));
      assertThat(api.get("/apis").body().path("groups")).noneMatch(g -> g.path("name").asText().equals("metrics.k8s.io"));
    }
  }

  @Test
  void stoppedBackendGives503AndAvailableFalse() throws Exception {
    FakeExtensionApiServer backend = new FakeExtensionApiServer("custom.metrics.k8s.io", "v1beta2",
        "custom-metrics", "kube-system", List.of(POD_METRICS));
    try {
      backend.register(api);
      awaitAvailable("v1beta2.custom.metrics.k8s.io", "True", "Passed");
      assertThat(api.get("/apis/custom.metrics.k8s.io/v1beta2").code()).isEqualTo(200);
    } finally {
      backend.stop();
    }
    Response down = api.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/x");
    assertThat(down.code()).isEqualTo(503);
    awaitAvailable("v1beta2.custom.metrics.k8s.io", "False", "FailedDiscoveryCheck");
    Response unavailable = api.get("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/x");
    assertThat(unavailable.code()).isEqualTo(503);
    assertThat(unavailable.text()).isEqualTo("service unavailable\n");
    // discovery still answers, listing the group without its resources
    JsonNode agg = api.send("GET", "/apis", null, null, Map.of("Accept", AGGREGATED)).body();
    assertThat(agg.path("items")).anySatisfy(item -> {
      assertThat(item.at("/metadata/name").asText()).isEqualTo("custom.metrics.k8s.io");
      assertThat(item.at("/versions/0/freshness").asText()).isEqualTo("Stale");
    });
  }

  @Test
  void missingServiceAndEndpointsAreReported() {
    api.create("/apis/apiregistration.k8s.io/v1/apiservices", """
        {"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1.external.metrics.k8s.io"},
         "spec":{"group":"external.metrics.k8s.io","version":"v1","groupPriorityMinimum":100,"versionPriority":100,
          "insecureSkipTLSVerify":true,"service":{"namespace":"default","name":"adapter"}}}""");
    awaitAvailable("v1.external.metrics.k8s.io", "False", "ServiceNotFound");
    assertThat(available("v1.external.metrics.k8s.io").path("message").asText())
        .isEqualTo("service/adapter in \"default\" is not present");
    api.create("/api/v1/namespaces/default/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"adapter"},"spec":{"ports":[{"name":"https","port":443}]}}""");
    api.create("/api/v1/namespaces/default/endpoints", """
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"adapter"},"subsets":[]}""");
    awaitAvailable("v1.external.metrics.k8s.io", "False", "MissingEndpoints");
    assertThat(api.get("/apis/external.metrics.k8s.io/v1/namespaces/default/x").code()).isEqualTo(503);
    // the table kubectl prints
    JsonNode table = api.send("GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1.external.metrics.k8s.io", null, null,
        Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")).body();
    assertThat(table.at("/rows/0/cells/1").asText()).isEqualTo("default/adapter");
    assertThat(table.at("/rows/0/cells/2").asText()).isEqualTo("False (MissingEndpoints)");
  }

  @Test
  void apiServiceValidationAndStatusSubresource() {
    Response bad = api.post("/apis/apiregistration.k8s.io/v1/apiservices", """
        {"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"wrong"},
         "spec":{"group":"x.io","version":"v1","groupPriorityMinimum":100,"versionPriority":100}}""");
    assertThat(bad.code()).isEqualTo(422);
    assertThat(bad.body().path("message").asText()).contains("must be `spec.version+\".\"+spec.group`");
    api.create("/apis/apiregistration.k8s.io/v1/apiservices", """
        {"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1.local.example.io"},
         "spec":{"group":"local.example.io","version":"v1","groupPriorityMinimum":100,"versionPriority":100},
         "status":{"conditions":[{"type":"Available","status":"False","reason":"Made","message":"up"}]}}""");
    awaitAvailable("v1.local.example.io", "True", "Local");
    // the built-in group/versions are registered as local APIServices at startup, as upstream's autoregister does
    awaitAvailable("v1.apps", "True", "Local");
    assertThat(api.get("/apis/apiregistration.k8s.io/v1/apiservices/v1.").body().at("/spec/groupPriorityMinimum").asInt())
        .isEqualTo(18000);
    JsonNode discovery = api.get("/api/v1").body();
    assertThat(discovery.path("groupVersion").asText()).isEqualTo("v1");
    JsonNode resources = api.get("/apis/apiregistration.k8s.io/v1").body().path("resources");
    assertThat(resources).extracting(r -> r.path("name").asText()).contains("apiservices", "apiservices/status");
  }
}
