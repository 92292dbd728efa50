package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.storage.EtcdStorage;
import io.planet.apiserver.storage.Storage;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kubernetes REST semantics against a real etcd: storage layout, CRUD, errors, lifecycle, lists, subresources. */
class RestIT {
  static TestApiServer server;
  static ApiClient api;
  static EtcdStorage etcd;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    api = server.client();
    etcd = new EtcdStorage(server.etcd().endpoint());
  }

  @AfterAll
  static void stop() {
    etcd.close();
    server.close();
  }

  static void namespace(String name) {
    Response r = api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
    assertThat(r.code()).as(r.text()).isIn(201, 409);
  }

  static String cm(String name, String data) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"" + data + "\"}}";
  }

  @Test
  void bootstrapObjectsExist() {
    for (String ns : new String[] {"default", "kube-system", "kube-public", "kube-node-lease"}) {
      assertThat(api.get("/api/v1/namespaces/" + ns).code()).isEqualTo(200);
    }
    Response svc = api.get("/api/v1/namespaces/default/services/kubernetes");
    assertThat(svc.code()).isEqualTo(200);
    assertThat(svc.body().at("/spec/clusterIP").asText()).isEqualTo("10.96.0.1");
    assertThat(svc.body().at("/spec/ports/0/port").asInt()).isEqualTo(443);
  }

  @Test
  void objectsAreJsonUnderRegistryKeysAndResourceVersionIsTheModRevision() {
    namespace("layout");
    JsonNode created = api.create("/api/v1/namespaces/layout/configmaps", cm("c1", "v"));
    Storage.Item item = etcd.get("/registry/configmaps/layout/c1");
    assertThat(item).isNotNull();
    assertThat(created.at("/metadata/resourceVersion").asText()).isEqualTo(Long.toString(item.modRevision()));
    assertThat(created.at("/metadata/uid").asText()).isNotEmpty();
    assertThat(created.at("/metadata/creationTimestamp").asText()).isNotEmpty();
    // the stored JSON carries no resourceVersion
    Storage.Page raw = etcd.list("/registry/configmaps/layout/", null, 0, 0);
    assertThat(raw.items()).hasSize(1);

    api.create("/apis/apps/v1/namespaces/layout/deployments", deployment("d1", "app=d1"));
    assertThat(etcd.get("/registry/apps/deployments/layout/d1")).isNotNull();

    Response list = api.get("/api/v1/namespaces/layout/configmaps");
    long listRv = Long.parseLong(list.body().at("/metadata/resourceVersion").asText());
    assertThat(listRv).isGreaterThanOrEqualTo(item.modRevision());
  }

  static String deployment(String name, String label) {
    String[] kv = label.split("=");
    return """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"%s":"%s"}},
          "template":{"metadata":{"labels":{"%s":"%s"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}
        """.formatted(name, kv[0], kv[1], kv[0], kv[1]);
  }

  @Test
  void createConflictsAndStaleUpdates() {
    namespace("conflicts");
    JsonNode c = api.create("/api/v1/namespaces/conflicts/configmaps", cm("c1", "a"));
    Response again = api.post("/api/v1/namespaces/conflicts/configmaps", cm("c1", "b"));
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.reason()).isEqualTo("AlreadyExists");
    assertThat(again.body().path("kind").asText()).isEqualTo("Status");
    assertThat(again.body().at("/details/name").asText()).isEqualTo("c1");

    String rv = c.at("/metadata/resourceVersion").asText();
    String update = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\",\"resourceVersion\":\"" + rv + "\"},\"data\":{\"k\":\"x\"}}";
    Response ok = api.put("/api/v1/namespaces/conflicts/configmaps/c1", update);
    assertThat(ok.code()).isEqualTo(200);
    assertThat(ok.body().at("/data/k").asText()).isEqualTo("x");
    Response stale = api.put("/api/v1/namespaces/conflicts/configmaps/c1", update.replace("\"x\"", "\"y\""));
    assertThat(stale.code()).isEqualTo(409);
    assertThat(stale.reason()).isEqualTo("Conflict");
    assertThat(api.get("/api/v1/namespaces/conflicts/configmaps/c1").body().at("/data/k").asText()).isEqualTo("x");
  }

  @Test
  void generateNameMakesUniqueNames() {
    namespace("gen");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      JsonNode c = api.create("/api/v1/namespaces/gen/configmaps",
          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"generateName\":\"web-\"}}");
      String name = c.at("/metadata/name").asText();
      assertThat(name).startsWith("web-").hasSize(9);
      names.add(name);
    }
    assertThat(names).hasSize(5);
  }

  @Test
  void clientMistakesGetStatusErrors() {
    namespace("errors");
    Response unknown = api.get("/api/v1/namespaces/errors/nosuchresources");
    assertThat(unknown.code()).isEqualTo(404);
    assertThat(unknown.body().path("kind").asText()).isEqualTo("Status");
    assertThat(api.get("/apis/nosuch.example.com/v1/things").code()).isEqualTo(404);
    Response missing = api.get("/api/v1/namespaces/errors/configmaps/nope");
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.reason()).isEqualTo("NotFound");
    assertThat(missing.body().path("message").asText()).isEqualTo("configmaps \"nope\" not found");

    Response malformed = api.post("/api/v1/namespaces/errors/configmaps", "{\"apiVersion\":");
    assertThat(malformed.code()).isEqualTo(400);
    assertThat(malformed.reason()).isEqualTo("BadRequest");

    Response yamlGarbage = api.send("POST", "/api/v1/namespaces/errors/configmaps", "a: [b".getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
    assertThat(yamlGarbage.code()).isEqualTo(400);

    byte[] big = new byte[3 * 1024 * 1024 + 10];
    java.util.Arrays.fill(big, (byte) 'a');
    Response tooLarge = api.send("POST", "/api/v1/namespaces/errors/configmaps", big, "application/json", Map.of());
    assertThat(tooLarge.code()).isEqualTo(413);
    assertThat(tooLarge.body().path("kind").asText()).isEqualTo("Status");

    Response wrongKind = api.post("/api/v1/namespaces/errors/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}");
    assertThat(wrongKind.code()).isEqualTo(400);

    Response wrongNs = api.post("/api/v1/namespaces/errors/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"}}");
    assertThat(wrongNs.code()).isEqualTo(400);

    String dup = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dup\",\"name\":\"dup\"},\"bogus\":1}";
    Response strict = api.post("/api/v1/namespaces/errors/configmaps?fieldValidation=Strict", dup);
    assertThat(strict.code()).isEqualTo(400);
    assertThat(strict.body().path("message").asText()).contains("duplicate field").contains("unknown field \"bogus\"");
    Response warn = api.post("/api/v1/namespaces/errors/configmaps?fieldValidation=Warn", dup);
    assertThat(warn.code()).isEqualTo(201);
    assertThat(warn.headers().get("warning")).anySatisfy(w -> assertThat(w).contains("unknown field"));

    Response unsupported = api.send("POST", "/api/v1/namespaces/errors/configmaps", "x".getBytes(), "text/plain", Map.of());
    assertThat(unsupported.code()).isEqualTo(415);

    Response badSelector = api.get("/api/v1/namespaces/errors/configmaps?labelSelector=a%20in%20(");
    assertThat(badSelector.code()).isEqualTo(400);
    Response badField = api.get("/api/v1/namespaces/errors/configmaps?fieldSelector=spec.foo%3Dbar");
    assertThat(badField.code()).isEqualTo(400);
  }

  @Test
  void namespaceLifecycleRefusesNewContent() {
    Response missing = api.post("/api/v1/namespaces/does-not-exist/configmaps", cm("c", "v"));
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.body().path("message").asText()).isEqualTo("namespaces \"does-not-exist\" not found");

    namespace("doomed");
    Response del = api.delete("/api/v1/namespaces/doomed");
    assertThat(del.code()).isEqualTo(200);
    JsonNode ns = api.get("/api/v1/namespaces/doomed").body();
    assertThat(ns.at("/status/phase").asText()).isEqualTo("Terminating");
    assertThat(ns.at("/metadata/deletionTimestamp").asText()).isNotEmpty();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      Response refused = api.post("/api/v1/namespaces/doomed/configmaps", cm("c", "v"));
      assertThat(refused.code()).isEqualTo(403);
      assertThat(refused.body().path("message").asText()).contains("because it is being terminated");
    });
    // the namespace controller's last step: finalize removes it
    Response fin = api.put("/api/v1/namespaces/doomed/finalize",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"doomed\"},\"spec\":{\"finalizers\":[]}}");
    assertThat(fin.code()).as(fin.text()).isEqualTo(200);
    assertThat(api.get("/api/v1/namespaces/doomed").code()).isEqualTo(404);
  }

  static String pod(String name, String node, Integer grace) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"x"}},
         "spec":{%s%s"containers":[{"name":"c","image":"busybox"}]}}
        """.formatted(name, node == null ? "" : "\"nodeName\":\"" + node + "\",",
        grace == null ? "" : "\"terminationGracePeriodSeconds\":" + grace + ",");
  }

  @Test
  void podsAreDeletedGracefullyAndFinalizersBlockRemoval() {
    namespace("graceful");
    api.create("/api/v1/namespaces/graceful/pods", pod("bound", "node-1", 20));
    Response del = api.delete("/api/v1/namespaces/graceful/pods/bound");
    assertThat(del.code()).isEqualTo(200);
    JsonNode p = api.get("/api/v1/namespaces/graceful/pods/bound").body();
    assertThat(p.at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(20);
    assertThat(p.at("/metadata/deletionTimestamp").asText()).isNotEmpty();
    // the node agent confirms with grace 0
    Response now = api.delete("/api/v1/namespaces/graceful/pods/bound", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0}");
    assertThat(now.code()).isEqualTo(200);
    assertThat(api.get("/api/v1/namespaces/graceful/pods/bound").code()).isEqualTo(404);

    // an unscheduled pod goes at once
    api.create("/api/v1/namespaces/graceful/pods", pod("unbound", null, 30));
    assertThat(api.delete("/api/v1/namespaces/graceful/pods/unbound").code()).isEqualTo(200);
    assertThat(api.get("/api/v1/namespaces/graceful/pods/unbound").code()).isEqualTo(404);

    // finalizers hold an object until they are removed
    api.create("/api/v1/namespaces/graceful/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"held\",\"finalizers\":[\"example.com/hold\"]}}");
    assertThat(api.delete("/api/v1/namespaces/graceful/configmaps/held").code()).isEqualTo(200);
    JsonNode held = api.get("/api/v1/namespaces/graceful/configmaps/held").body();
    assertThat(held.at("/metadata/deletionTimestamp").asText()).isNotEmpty();
    Response release = api.patch("/api/v1/namespaces/graceful/configmaps/held", "application/merge-patch+json",
        "{\"metadata\":{\"finalizers\":null}}");
    assertThat(release.code()).as(release.text()).isEqualTo(200);
    assertThat(api.get("/api/v1/namespaces/graceful/configmaps/held").code()).isEqualTo(404);
  }

  @Test
  void deletePreconditionsAndDryRun() {
    namespace("precond");
    JsonNode c = api.create("/api/v1/namespaces/precond/configmaps", cm("c1", "a"));
    Response wrongUid = api.delete("/api/v1/namespaces/precond/configmaps/c1", "{\"preconditions\":{\"uid\":\"nope\"}}");
    assertThat(wrongUid.code()).isEqualTo(409);
    Response dry = api.delete("/api/v1/namespaces/precond/configmaps/c1?dryRun=All");
    assertThat(dry.code()).isEqualTo(200);
    assertThat(api.get("/api/v1/namespaces/precond/configmaps/c1").code()).isEqualTo(200);
    Response dryCreate = api.post("/api/v1/namespaces/precond/configmaps?dryRun=All", cm("c2", "a"));
    assertThat(dryCreate.code()).isEqualTo(201);
    assertThat(api.get("/api/v1/namespaces/precond/configmaps/c2").code()).isEqualTo(404);
    Response ok = api.delete("/api/v1/namespaces/precond/configmaps/c1",
        "{\"preconditions\":{\"uid\":\"" + c.at("/metadata/uid").asText() + "\"}}");
    assertThat(ok.code()).isEqualTo(200);
    assertThat(ok.body().path("status").asText()).isEqualTo("Success");
  }

  @Test
  void listsPageWithLimitAndContinue() {
    namespace("paging");
    for (int i = 0; i < 7; i++) api.create("/api/v1/namespaces/paging/configmaps", cm("c" + i, "v"));
    Set<String> seen = new HashSet<>();
    String cont = "";
    int pages = 0;
    do {
      Response r = api.get("/api/v1/namespaces/paging/configmaps?limit=3" + (cont.isEmpty() ? "" : "&continue=" + cont));
      assertThat(r.code()).as(r.text()).isEqualTo(200);
      r.body().path("items").forEach(i -> seen.add(i.at("/metadata/name").asText()));
      cont = r.body().at("/metadata/continue").asText("");
      if (!cont.isEmpty()) assertThat(r.body().at("/metadata/remainingItemCount").asLong()).isPositive();
      pages++;
    } while (!cont.isEmpty());
    assertThat(seen).hasSize(7);
    assertThat(pages).isEqualTo(3);
    assertThat(api.get("/api/v1/namespaces/paging/configmaps?continue=garbage").code()).isEqualTo(400);
  }

  @Test
  void continueTokenExpiresAfterCompaction() {
    namespace("compacted");
    for (int i = 0; i < 4; i++) api.create("/api/v1/namespaces/compacted/configmaps", cm("c" + i, "v"));
    Response first = api.get("/api/v1/namespaces/compacted/configmaps?limit=2");
    String cont = first.body().at("/metadata/continue").asText();
    api.create("/api/v1/namespaces/compacted/configmaps", cm("later", "v"));
    etcd.compact(etcd.currentRevision());
    Response expired = api.get("/api/v1/namespaces/compacted/configmaps?limit=2&continue=" + cont);
    assertThat(expired.code()).isEqualTo(410);
    assertThat(expired.reason()).isEqualTo("Expired");
    Response exactOld = api.get("/api/v1/namespaces/compacted/configmaps?resourceVersion=" + first.body().at("/metadata/resourceVersion").asText() + "&resourceVersionMatch=Exact");
    assertThat(exactOld.code()).isEqualTo(410);
  }

  @Test
  void labelSelectors() {
    namespace("labels");
    String[][] objs = {{"a", "env=prod,tier=web"}, {"b", "env=dev,tier=web"}, {"c", "env=prod"}, {"d", ""}};
    for (String[] o : objs) {
      StringBuilder labels = new StringBuilder();
      if (!o[1].isEmpty()) {
        for (String kv : o[1].split(",")) {
          String[] p = kv.split("=");
          if (labels.length() > 0) labels.append(',');
          labels.append('"').append(p[0]).append("\":\"").append(p[1]).append('"');
        }
      }
      api.create("/api/v1/namespaces/labels/configmaps",
          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + o[0] + "\",\"labels\":{" + labels + "}}}");
    }
    assertThat(names("labels", "env%3Dprod")).containsExactly("a", "c");
    assertThat(names("labels", "env%3D%3Dprod")).containsExactly("a", "c");
    assertThat(names("labels", "env!%3Dprod")).containsExactly("b", "d");
    assertThat(names("labels", "env%20in%20(dev,prod),tier")).containsExactly("a", "b");
    assertThat(names("labels", "env%20notin%20(prod)")).containsExactly("b", "d");
    assertThat(names("labels", "!tier")).containsExactly("c", "d");
    // the same from the watch cache
    assertThat(names("labels", "env%3Dprod&resourceVersion=0")).containsExactly("a", "c");
    assertThat(names("labels", "metadata.name%3Da")).isEmpty();
    Response byName = api.get("/api/v1/namespaces/labels/configmaps?fieldSelector=metadata.name%3Db");
    assertThat(byName.body().path("items")).hasSize(1);
    Response notName = api.get("/api/v1/namespaces/labels/configmaps?fieldSelector=metadata.name!%3Db");
    assertThat(notName.body().path("items")).hasSize(3);
  }

  private static java.util.List<String> names(String ns, String selector) {
    Response r = api.get("/api/v1/namespaces/" + ns + "/configmaps?labelSelector=" + selector);
    if (r.code() != 200) return java.util.List.of("error " + r.code());
    java.util.List<String> out = new java.util.ArrayList<>();
    r.body().path("items").forEach(i -> out.add(i.at("/metadata/name").asText()));
    return out;
  }

  @Test
  void statusAndScaleSubresources() {
    namespace("subres");
    api.create("/apis/apps/v1/namespaces/subres/deployments", deployment("d1", "app=d1"));
    // status written through the main resource is ignored
    Response main = api.patch("/apis/apps/v1/namespaces/subres/deployments/d1", "application/merge-patch+json",
        "{\"status\":{\"replicas\":5}}");
    assertThat(main.code()).isEqualTo(200);
    assertThat(main.body().at("/status/replicas").isMissingNode()).isTrue();
    Response status = api.patch("/apis/apps/v1/namespaces/subres/deployments/d1/status", "application/merge-patch+json",
        "{\"status\":{\"replicas\":5},\"spec\":{\"replicas\":9}}");
    assertThat(status.code()).as(status.text()).isEqualTo(200);
    assertThat(status.body().at("/status/replicas").asInt()).isEqualTo(5);
    assertThat(status.body().at("/spec/replicas").asInt()).isEqualTo(2);

    Response scale = api.get("/apis/apps/v1/namespaces/subres/deployments/d1/scale");
    assertThat(scale.body().path("kind").asText()).isEqualTo("Scale");
    assertThat(scale.body().at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(scale.body().at("/status/selector").asText()).isEqualTo("app=d1");
    Response scaled = api.patch("/apis/apps/v1/namespaces/subres/deployments/d1/scale", "application/merge-patch+json",
        "{\"spec\":{\"replicas\":4}}");
    assertThat(scaled.code()).isEqualTo(200);
    JsonNode d = api.get("/apis/apps/v1/namespaces/subres/deployments/d1").body();
    assertThat(d.at("/spec/replicas").asInt()).isEqualTo(4);
    assertThat(d.at("/metadata/generation").asInt()).isEqualTo(2);
  }

  @Test
  void bindingAssignsANodeOnce() {
    namespace("binding");
    api.create("/api/v1/namespaces/binding/pods", pod("p1", null, null));
    String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p1\"},\"target\":{\"kind\":\"Node\",\"name\":\"n1\"}}";
    Response b = api.post("/api/v1/namespaces/binding/pods/p1/binding", binding);
    assertThat(b.code()).as(b.text()).isEqualTo(201);
    JsonNode p = api.get("/api/v1/namespaces/binding/pods/p1").body();
    assertThat(p.at("/spec/nodeName").asText()).isEqualTo("n1");
    Response again = api.post("/api/v1/namespaces/binding/pods/p1/binding", binding.replace("n1", "n2"));
    assertThat(again.code()).isEqualTo(409);
  }

  @Test
  void versionsOfOneResourceShareStorageAndConvert() {
    namespace("versions");
    api.create("/api/v1/namespaces/versions/events", """
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"e1"},
         "involvedObject":{"kind":"Pod","name":"p1","namespace":"versions"},"reason":"Testing","message":"hello",
         "type":"Normal","source":{"component":"me"},"count":2}
        """);
    JsonNode e = api.get("/apis/events.k8s.io/v1/namespaces/versions/events/e1").body();
    assertThat(e.path("apiVersion").asText()).isEqualTo("events.k8s.io/v1");
    assertThat(e.at("/regarding/name").asText()).isEqualTo("p1");
    assertThat(e.path("note").asText()).isEqualTo("hello");
    assertThat(e.path("deprecatedCount").asInt()).isEqualTo(2);
    assertThat(etcd.get("/registry/events/versions/e1").object().path("apiVersion").asText()).isEqualTo("v1");

    api.create("/apis/autoscaling/v1/namespaces/versions/horizontalpodautoscalers", """
        {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},"minReplicas":1,"maxReplicas":5,
          "targetCPUUtilizationPercentage":60}}
        """);
    JsonNode v2 = api.get("/apis/autoscaling/v2/namespaces/versions/horizontalpodautoscalers/h").body();
    assertThat(v2.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
    assertThat(v2.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(60);
    JsonNode v1 = api.get("/apis/autoscaling/v1/namespaces/versions/horizontalpodautoscalers/h").body();
    assertThat(v1.at("/spec/targetCPUUtilizationPercentage").asInt()).isEqualTo(60);
  }

  @Test
  void evictionHonoursPodDisruptionBudgets() {
    namespace("evict");
    api.create("/api/v1/namespaces/evict/pods", pod("p1", "node-1", 0));
    api.create("/apis/policy/v1/namespaces/evict/poddisruptionbudgets",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":\"b\"},"
            + "\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"x\"}}}}");
    String eviction = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p1\"}}";
    Response refused = api.post("/api/v1/namespaces/evict/pods/p1/eviction", eviction);
    assertThat(refused.code()).isEqualTo(429);
    assertThat(refused.reason()).isEqualTo("TooManyRequests");
    assertThat(refused.body().path("message").asText()).isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
    // the disruption controller's verdict: one disruption allowed
    Response st = api.patch("/apis/policy/v1/namespaces/evict/poddisruptionbudgets/b/status", "application/merge-patch+json",
        "{\"status\":{\"observedGeneration\":1,\"disruptionsAllowed\":1,\"currentHealthy\":2,\"desiredHealthy\":1,\"expectedPods\":2}}");
    assertThat(st.code()).as(st.text()).isEqualTo(200);
    Response ok = api.post("/api/v1/namespaces/evict/pods/p1/eviction", eviction);
    assertThat(ok.code()).as(ok.text()).isEqualTo(201);
    assertThat(api.get("/api/v1/namespaces/evict/pods/p1").code()).isEqualTo(404);
    JsonNode pdb = api.get("/apis/policy/v1/namespaces/evict/poddisruptionbudgets/b").body();
    assertThat(pdb.at("/status/disruptionsAllowed").asInt()).isZero();
    assertThat(pdb.at("/status/disruptedPods/p1").asText()).isNotEmpty();
  }

  @Test
  void serviceClusterIpsAreUniqueAndExplicitOnesChecked() {
    namespace("svcs");
    Set<String> ips = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      JsonNode s = api.create("/api/v1/namespaces/svcs/services",
          "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s" + i + "\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
      ips.add(s.at("/spec/clusterIP").asText());
    }
    assertThat(ips).hasSize(5).doesNotContain("10.96.0.1");
    Response taken = api.post("/api/v1/namespaces/svcs/services",
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"dup\"},\"spec\":{\"clusterIP\":\"10.96.0.1\",\"ports\":[{\"port\":80}]}}");
    assertThat(taken.code()).isEqualTo(422);
    assertThat(taken.body().path("message").asText()).contains("provided IP is already allocated");
    JsonNode np = api.create("/api/v1/namespaces/svcs/services",
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"np\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}");
    int port = np.at("/spec/ports/0/nodePort").asInt();
    assertThat(port).isBetween(30000, 32767);
    // deleting releases the IP for reuse
    String ip = api.get("/api/v1/namespaces/svcs/services/s0").body().at("/spec/clusterIP").asText();
    assertThat(api.delete("/api/v1/namespaces/svcs/services/s0").code()).isEqualTo(200);
    JsonNode reuse = api.create("/api/v1/namespaces/svcs/services",
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"reuse\"},\"spec\":{\"clusterIP\":\"" + ip + "\",\"ports\":[{\"port\":80}]}}");
    assertThat(reuse.at("/spec/clusterIP").asText()).isEqualTo(ip);
  }

  @Test
  void customResourcesAreServedAfterTheirDefinition() {
    String crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced",
          "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
          "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """;
    Response c = api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    assertThat(c.code()).as(c.text()).isEqualTo(201);
    namespace("crs");
    await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/apis/example.com/v1").code() == 200);
    assertThat(api.get("/apis").text()).contains("example.com");
    Response cr = api.post("/apis/example.com/v1/namespaces/crs/widgets",
        "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\"},\"spec\":{\"size\":3}}");
    assertThat(cr.code()).as(cr.text()).isEqualTo(201);
    assertThat(etcd.get("/registry/example.com/widgets/crs/w1")).isNotNull();
    assertThat(api.get("/apis/example.com/v1/namespaces/crs/widgets/w1").body().at("/spec/size").asInt()).isEqualTo(3);
    assertThat(api.get("/apis/example.com/v1/widgets").body().path("items")).hasSize(1);
    Response unconditional = api.put("/apis/example.com/v1/namespaces/crs/widgets/w1",
        "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\"},\"spec\":{\"size\":4}}");
    assertThat(unconditional.code()).isEqualTo(422);
    assertThat(unconditional.body().path("message").asText()).contains("must be specified for an update");
    assertThat(api.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").code()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/apis/example.com/v1").code() == 404);
    assertThat(etcd.get("/registry/example.com/widgets/crs/w1")).isNull();
  }

  @Test
  void discoveryDocuments() {
    Response core = api.get("/api");
    assertThat(core.body().path("versions").get(0).asText()).isEqualTo("v1");
    Response v1 = api.get("/api/v1");
    assertThat(v1.text()).contains("\"pods/status\"").contains("\"pods/binding\"");
    Response apps = api.get("/apis/apps/v1");
    assertThat(apps.text()).contains("\"deployments/scale\"");
    Response agg = api.send("GET", "/apis", null, null, Map.of("Accept",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"));
    assertThat(agg.header("content-type")).isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    assertThat(agg.body().path("kind").asText()).isEqualTo("APIGroupDiscoveryList");
    Response beta = api.send("GET", "/api", null, null, Map.of("Accept",
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"));
    assertThat(beta.header("content-type")).contains("v=v2beta1");
    assertThat(api.get("/version").body().path("major").asText()).isEqualTo("1");
    assertThat(api.get("/healthz").text()).isEqualTo("ok");
    assertThat(api.get("/readyz").code()).isEqualTo(200);
    assertThat(api.get("/livez").code()).isEqualTo(200);
  }

  @Test
  void tablesForKubectlGet() {
    namespace("tables");
    api.create("/api/v1/namespaces/tables/pods", pod("p1", null, null));
    Response t = api.send("GET", "/api/v1/namespaces/tables/pods", null, null,
        Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
    assertThat(t.body().path("kind").asText()).isEqualTo("Table");
    java.util.List<String> cols = new java.util.ArrayList<>();
    t.body().path("columnDefinitions").forEach(c -> cols.add(c.path("name").asText()));
    assertThat(cols).startsWith("Name", "Ready", "Status", "Restarts", "Age");
    assertThat(t.body().at("/rows/0/cells/0").asText()).isEqualTo("p1");
    assertThat(t.body().at("/rows/0/object/kind").asText()).isEqualTo("PartialObjectMetadata");
  }

  @Test
  void servicesSurviveRestartWithoutDoubleAllocation() throws Exception {
    try (TestApiServer own = new TestApiServer()) {
      ApiClient c = own.client();
      Set<String> ips = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        ips.add(c.create("/api/v1/namespaces/default/services",
            "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a" + i + "\"},\"spec\":{\"ports\":[{\"port\":80}]}}")
            .at("/spec/clusterIP").asText());
      }
      own.restart();
      for (int i = 0; i < 3; i++) {
        ips.add(c.create("/api/v1/namespaces/default/services",
            "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"b" + i + "\"},\"spec\":{\"ports\":[{\"port\":80}]}}")
            .at("/spec/clusterIP").asText());
      }
      assertThat(ips).hasSize(6);
      assertThat(c.get("/api/v1/namespaces/default/services/a0").code()).isEqualTo(200);
    }
  }
}
