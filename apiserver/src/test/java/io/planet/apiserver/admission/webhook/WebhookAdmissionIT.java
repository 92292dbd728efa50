package io.planet.apiserver.admission.webhook;

import static io.planet.apiserver.admission.webhook.TestWebhookServer.allow;
import static io.planet.apiserver.admission.webhook.TestWebhookServer.deny;
import static io.planet.apiserver.admission.webhook.TestWebhookServer.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dynamic admission control end to end: configurations created through the API, a real HTTPS webhook in this JVM
 * reached by url and by service, and the effect on ordinary requests.
 */
class WebhookAdmissionIT {
  static final String GROUP_PATH = "/apis/admissionregistration.k8s.io/v1/";
  static TestApiServer server;
  static ApiClient api;
  static TestWebhookServer webhook;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.withTls();
    api = server.client();
    webhook = new TestWebhookServer("webhook", "webhook-system");
  }

  @AfterAll
  static void stop() {
    if (webhook != null) webhook.close();
    if (server != null) server.close();
  }

  // ---- helpers

  static void namespace(String name, String labelsJson) {
    api.create("/api/v1/namespaces", """
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s","labels":%s}}""".formatted(name, labelsJson));
  }

  static String urlConfig(String path) {
    return "{\"url\":\"%s\",\"caBundle\":\"%s\"}".formatted(webhook.url(path), webhook.caBundle());
  }

  /** Creates a configuration with one webhook and waits until the server's watch cache (what admission reads) has it. */
  static void configure(String plural, String kind, String name, String webhookJson) {
    Response r = api.post(GROUP_PATH + plural, """
        {"apiVersion":"admissionregistration.k8s.io/v1","kind":"%s","metadata":{"name":"%s"},"webhooks":[%s]}"""
        .formatted(kind, name, webhookJson));
    assertThat(r.code()).as(r.text()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> api.get(GROUP_PATH + plural + "?resourceVersion=0").body()
        .path("items").findValuesAsText("name").contains(name));
  }

  static void unconfigure(String plural, String name) {
    api.delete(GROUP_PATH + plural + "/" + name);
    await().atMost(Duration.ofSeconds(10)).until(() -> !api.get(GROUP_PATH + plural + "?resourceVersion=0").body()
        .path("items").findValuesAsText("name").contains(name));
  }

  static String hook(String name, String clientConfig, String rules, String extra) {
    return """
        {"name":"%s","clientConfig":%s,"rules":[%s],"sideEffects":"None","admissionReviewVersions":["v1"]%s}"""
        .formatted(name, clientConfig, rules, extra.isEmpty() ? "" : "," + extra);
  }

  static String rule(String operations, String group, String resources) {
    return "{\"operations\":%s,\"apiGroups\":[\"%s\"],\"apiVersions\":[\"*\"],\"resources\":%s}"
        .formatted(operations, group, resources);
  }

  static Response createConfigMap(String namespace, String name, String labelsJson, String query) {
    return api.post("/api/v1/namespaces/" + namespace + "/configmaps" + query, """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","labels":%s},"data":{"a":"b"}}"""
        .formatted(name, labelsJson));
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // ---- tests

  @Test
  void mutatingWebhookPatchesTheObjectAndSeesTheRequest() {
    namespace("wh-mutate", "{}");
    webhook.handle("/mutate", review -> patch(allow(), review.at("/request/object/metadata/labels").isObject()
        ? "[{\"op\":\"add\",\"path\":\"/metadata/labels/mutated\",\"value\":\"yes\"}]"
        : "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"mutated\":\"yes\"}}]")
        .set("warnings", io.planet.api.Json.array().add("mutated by test")));
    configure("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", "mutate-labels",
        hook("mutate.example.com", urlConfig("/mutate"), rule("[\"CREATE\",\"UPDATE\"]", "", "[\"configmaps\"]"),
            "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-mutate\"}}"));
    try {
      Response created = createConfigMap("wh-mutate", "cm1", "{\"app\":\"x\"}", "");
      assertThat(created.code()).as(created.text()).isEqualTo(201);
      assertThat(created.body().at("/metadata/labels/mutated").asText()).isEqualTo("yes");
      assertThat(created.body().at("/metadata/labels/app").asText()).isEqualTo("x");
      assertThat(created.header("Warning")).isEqualTo("299 - \"mutated by test\"");
      assertThat(api.get("/api/v1/namespaces/wh-mutate/configmaps/cm1").body().at("/metadata/labels/mutated").asText())
          .isEqualTo("yes");

      JsonNode req = webhook.received("/mutate").get(0);
      assertThat(req.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
      assertThat(req.path("kind").asText()).isEqualTo("AdmissionReview");
      JsonNode r = req.path("request");
      assertThat(r.path("uid").asText()).hasSize(36);
      assertThat(r.path("operation").asText()).isEqualTo("CREATE");
      assertThat(r.path("kind").toString()).isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"}");
      assertThat(r.path("resource").toString()).isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"resource\":\"configmaps\"}");
      assertThat(r.path("requestKind")).isEqualTo(r.path("kind"));
      assertThat(r.path("requestResource")).isEqualTo(r.path("resource"));
      assertThat(r.has("subResource")).isFalse();
      assertThat(r.path("name").asText()).isEqualTo("cm1");
      assertThat(r.path("namespace").asText()).isEqualTo("wh-mutate");
      assertThat(r.at("/userInfo/username").asText()).isEqualTo("kubernetes-admin");
      assertThat(r.at("/userInfo/groups").findValuesAsText("")).isEmpty();
      assertThat(r.at("/userInfo/groups").toString()).contains("\"system:masters\"", "\"system:authenticated\"");
      assertThat(r.at("/object/data/a").asText()).isEqualTo("b");
      assertThat(r.path("oldObject").isNull()).isTrue();
      assertThat(r.path("dryRun").asBoolean(true)).isFalse();
      assertThat(r.at("/options/kind").asText()).isEqualTo("CreateOptions");
      assertThat(r.at("/options/apiVersion").asText()).isEqualTo("meta.k8s.io/v1");

      // an update is reviewed with the stored object as oldObject; dry run is said so
      Response updated = api.put("/api/v1/namespaces/wh-mutate/configmaps/cm1?dryRun=All", """
          {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","labels":{"app":"y"}},"data":{"a":"c"}}""");
      assertThat(updated.code()).as(updated.text()).isEqualTo(200);
      assertThat(updated.body().at("/metadata/labels/mutated").asText()).isEqualTo("yes");
      JsonNode u = webhook.received("/mutate").get(1).path("request");
      assertThat(u.path("operation").asText()).isEqualTo("UPDATE");
      assertThat(u.at("/oldObject/data/a").asText()).isEqualTo("b");
      assertThat(u.at("/object/data/a").asText()).isEqualTo("c");
      assertThat(u.path("dryRun").asBoolean()).isTrue();
      assertThat(u.at("/options/kind").asText()).isEqualTo("UpdateOptions");
      assertThat(u.at("/options/dryRun/0").asText()).isEqualTo("All");
    } finally {
      unconfigure("mutatingwebhookconfigurations", "mutate-labels");
    }
  }

  @Test
  void validatingWebhookDenialsCarryTheWebhooksStatus() {
    namespace("wh-deny", "{}");
    webhook.handle("/deny", review -> review.at("/request/name").asText().startsWith("bad")
        ? deny(403, "Forbidden", "no bad names") : review.at("/request/name").asText().startsWith("plain")
        ? deny(0, null, "plainly refused") : allow());
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "deny-bad",
        hook("deny.example.com", urlConfig("/deny"), rule("[\"CREATE\"]", "", "[\"configmaps\"]"),
            "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-deny\"}}"));
    try {
      Response bad = createConfigMap("wh-deny", "bad-one", "{}", "");
      assertThat(bad.code()).isEqualTo(403);
      assertThat(bad.reason()).isEqualTo("Forbidden");
      assertThat(bad.body().path("message").asText()).isEqualTo("admission webhook \"deny.example.com\" denied the request: no bad names");
      Response plain = createConfigMap("wh-deny", "plain-one", "{}", "");
      assertThat(plain.code()).isEqualTo(400);
      assertThat(plain.body().path("message").asText())
          .isEqualTo("admission webhook \"deny.example.com\" denied the request: plainly refused");
      assertThat(createConfigMap("wh-deny", "good-one", "{}", "").code()).isEqualTo(201);
      assertThat(api.get("/api/v1/namespaces/wh-deny/configmaps/bad-one").code()).isEqualTo(404);
    } finally {
      unconfigure("validatingwebhookconfigurations", "deny-bad");
    }
    // gone with its configuration
    assertThat(createConfigMap("wh-deny", "bad-two", "{}", "").code()).isEqualTo(201);
  }

  @Test
  void failurePolicyIgnoreLetsRequestsThroughAndFailRejectsThemWithUpstreamsText() throws Exception {
    namespace("wh-fail", "{}");
    int port = closedPort();
    String unreachable = "{\"url\":\"https://127.0.0.1:%d/nowhere\",\"caBundle\":\"%s\"}".formatted(port, webhook.caBundle());
    String selector = "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-fail\"}}";
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "ignore-unreachable",
        hook("ignore.example.com", unreachable, rule("[\"CREATE\"]", "", "[\"configmaps\"]"),
            selector + ",\"failurePolicy\":\"Ignore\",\"timeoutSeconds\":2"));
    try {
      assertThat(createConfigMap("wh-fail", "through", "{}", "").code()).isEqualTo(201);
    } finally {
      unconfigure("validatingwebhookconfigurations", "ignore-unreachable");
    }
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "fail-unreachable",
        hook("fail.example.com", unreachable, rule("[\"CREATE\"]", "", "[\"configmaps\"]"), selector));
    try {
      Response r = createConfigMap("wh-fail", "rejected", "{}", "");
      assertThat(r.code()).isEqualTo(500);
      assertThat(r.reason()).isEqualTo("InternalError");
      assertThat(r.body().path("message").asText()).isEqualTo("Internal error occurred: failed calling webhook "
          + "\"fail.example.com\": failed to call webhook: Post \"https://127.0.0.1:" + port
          + "/nowhere?timeout=10s\": dial tcp 127.0.0.1:" + port + ": connect: connection refused");
      // the configurations themselves are exempt: a broken webhook never blocks its own removal
    } finally {
      unconfigure("validatingwebhookconfigurations", "fail-unreachable");
    }
    assertThat(createConfigMap("wh-fail", "after", "{}", "").code()).isEqualTo(201);
  }

  @Test
  void aCatchAllBrokenWebhookDoesNotCoverWebhookConfigurations() throws Exception {
    String unreachable = "{\"url\":\"https://127.0.0.1:%d/\",\"caBundle\":\"%s\"}".formatted(closedPort(), webhook.caBundle());
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "catch-all",
        hook("catch-all.example.com", unreachable, rule("[\"*\"]", "*", "[\"*/*\"]"),
            "\"objectSelector\":{\"matchLabels\":{\"catch\":\"all\"}}"));
    try {
      Response other = api.post(GROUP_PATH + "mutatingwebhookconfigurations", """
          {"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration",
           "metadata":{"name":"labelled","labels":{"catch":"all"}},"webhooks":[]}""");
      assertThat(other.code()).as(other.text()).isEqualTo(201);
      assertThat(api.delete(GROUP_PATH + "mutatingwebhookconfigurations/labelled").code()).isEqualTo(200);
      // other kinds are covered
      assertThat(api.post("/api/v1/namespaces", """
          {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"wh-caught","labels":{"catch":"all"}}}""").code())
          .isEqualTo(500);
    } finally {
      unconfigure("validatingwebhookconfigurations", "catch-all");
    }
  }

  @Test
  void namespaceAndObjectSelectorsChooseTheRequests() {
    namespace("wh-sel-on", "{\"webhooks\":\"on\"}");
    namespace("wh-sel-off", "{}");
    webhook.handle("/selected", review -> deny(0, null, "selected"));
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "selectors",
        hook("selected.example.com", urlConfig("/selected"), rule("[\"CREATE\",\"DELETE\"]", "", "[\"configmaps\"]"),
            "\"namespaceSelector\":{\"matchLabels\":{\"webhooks\":\"on\"}},"
                + "\"objectSelector\":{\"matchExpressions\":[{\"key\":\"skip\",\"operator\":\"DoesNotExist\"}]}"));
    try {
      assertThat(createConfigMap("wh-sel-off", "a", "{}", "").code()).isEqualTo(201);
      assertThat(createConfigMap("wh-sel-on", "b", "{\"skip\":\"yes\"}", "").code()).isEqualTo(201);
      Response denied = createConfigMap("wh-sel-on", "c", "{}", "");
      assertThat(denied.code()).isEqualTo(400);
      assertThat(denied.body().path("message").asText()).endsWith("denied the request: selected");
      // cluster-scoped objects always match a namespaceSelector; these rules only name configmaps
      assertThat(api.post("/api/v1/namespaces", """
          {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"wh-sel-other"}}""").code()).isEqualTo(201);
      // deletes are reviewed too: on the stored object's labels
      assertThat(api.delete("/api/v1/namespaces/wh-sel-on/configmaps/b").code()).isEqualTo(200);
      List<JsonNode> seen = webhook.received("/selected");
      assertThat(seen).hasSize(1);
    } finally {
      unconfigure("validatingwebhookconfigurations", "selectors");
    }
  }

  @Test
  void deletesAreReviewedWithTheStoredObject() {
    namespace("wh-delete", "{}");
    webhook.handle("/protect", review -> review.at("/request/oldObject/metadata/labels/protected").asText().equals("true")
        ? deny(403, "Forbidden", "protected") : allow());
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "protect",
        hook("protect.example.com", urlConfig("/protect"), rule("[\"DELETE\"]", "", "[\"configmaps\"]"),
            "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-delete\"}}"));
    try {
      assertThat(createConfigMap("wh-delete", "keep", "{\"protected\":\"true\"}", "").code()).isEqualTo(201);
      assertThat(createConfigMap("wh-delete", "drop", "{}", "").code()).isEqualTo(201);
      Response refused = api.delete("/api/v1/namespaces/wh-delete/configmaps/keep");
      assertThat(refused.code()).isEqualTo(403);
      assertThat(refused.body().path("message").asText())
          .isEqualTo("admission webhook \"protect.example.com\" denied the request: protected");
      assertThat(api.get("/api/v1/namespaces/wh-delete/configmaps/keep").code()).isEqualTo(200);
      assertThat(api.delete("/api/v1/namespaces/wh-delete/configmaps/drop").code()).isEqualTo(200);
      JsonNode r = webhook.received("/protect").get(0).path("request");
      assertThat(r.path("operation").asText()).isEqualTo("DELETE");
      assertThat(r.path("name").asText()).isEqualTo("keep");
      assertThat(r.path("object").isNull()).isTrue();
      assertThat(r.at("/oldObject/metadata/name").asText()).isEqualTo("keep");
      assertThat(r.at("/options/kind").asText()).isEqualTo("DeleteOptions");
    } finally {
      unconfigure("validatingwebhookconfigurations", "protect");
    }
  }

  @Test
  void connectAndDeleteCollectionAreReviewed() {
    namespace("wh-connect", "{}");
    webhook.handle("/connect", review -> deny(403, "Forbidden", review.at("/request/operation").asText() + " "
        + review.at("/request/kind/kind").asText() + " " + review.at("/request/name").asText()));
    assertThat(api.post("/api/v1/namespaces/wh-connect/pods", """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""")
        .code()).isEqualTo(201);
    assertThat(createConfigMap("wh-connect", "cm", "{}", "").code()).isEqualTo(201);
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "connect",
        hook("connect.example.com", urlConfig("/connect"),
            rule("[\"CONNECT\"]", "", "[\"pods/exec\"]") + "," + rule("[\"DELETE\"]", "", "[\"configmaps\"]"),
            "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-connect\"}}"));
    try {
      Response exec = api.post("/api/v1/namespaces/wh-connect/pods/p1/exec?command=ls&stdout=true", "");
      assertThat(exec.code()).isEqualTo(403);
      assertThat(exec.body().path("message").asText())
          .isEqualTo("admission webhook \"connect.example.com\" denied the request: CONNECT PodExecOptions p1");
      Response all = api.delete("/api/v1/namespaces/wh-connect/configmaps");
      assertThat(all.code()).isEqualTo(403);
      assertThat(all.body().path("message").asText()).endsWith("denied the request: DELETE ConfigMap cm");
      assertThat(api.get("/api/v1/namespaces/wh-connect/configmaps/cm").code()).isEqualTo(200);
    } finally {
      unconfigure("validatingwebhookconfigurations", "connect");
    }
  }

  @Test
  void subresourceRulesMatchOnlyTheSubresource() {
    namespace("wh-sub", "{}");
    webhook.handle("/status", review -> deny(422, "Invalid", "status is frozen"));
    String service = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"s1"},"spec":{"ports":[{"port":80}]}}""";
    assertThat(api.post("/api/v1/namespaces/wh-sub/services", service).code()).isEqualTo(201);
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "status-frozen",
        hook("status.example.com", urlConfig("/status"), rule("[\"UPDATE\"]", "", "[\"services/status\"]"),
            "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-sub\"}}"));
    try {
      Response main = api.patch("/api/v1/namespaces/wh-sub/services/s1", "application/merge-patch+json",
          "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
      assertThat(main.code()).as(main.text()).isEqualTo(200);
      Response status = api.patch("/api/v1/namespaces/wh-sub/services/s1/status", "application/merge-patch+json",
          "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.9.9.9\"}]}}}");
      assertThat(status.code()).isEqualTo(422);
      assertThat(status.body().path("message").asText())
          .isEqualTo("admission webhook \"status.example.com\" denied the request: status is frozen");
      List<JsonNode> seen = webhook.received("/status");
      assertThat(seen).hasSize(1);
      JsonNode r = seen.get(0).path("request");
      assertThat(r.path("subResource").asText()).isEqualTo("status");
      assertThat(r.path("requestSubResource").asText()).isEqualTo("status");
      assertThat(r.at("/kind/kind").asText()).isEqualTo("Service");
      assertThat(r.at("/oldObject/metadata/labels/a").asText()).isEqualTo("b");
    } finally {
      unconfigure("validatingwebhookconfigurations", "status-frozen");
    }
  }

  @Test
  void serviceClientConfigReachesTheServicesEndpointWithTheServiceName() {
    namespace("webhook-system", "{}");
    namespace("wh-svc", "{}");
    api.create("/api/v1/namespaces/webhook-system/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"webhook"},
         "spec":{"ports":[{"name":"https","port":443,"targetPort":%d}]}}""".formatted(webhook.port()));
    api.create("/api/v1/namespaces/webhook-system/endpoints", """
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"webhook"},
         "subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"https","port":%d}]}]}""".formatted(webhook.port()));
    webhook.handle("/svc", review -> patch(allow(), "[{\"op\":\"add\",\"path\":\"/data/via\",\"value\":\"service\"}]"));
    configure("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", "via-service", hook("svc.example.com",
        "{\"service\":{\"namespace\":\"webhook-system\",\"name\":\"webhook\",\"path\":\"/svc\"},\"caBundle\":\"%s\"}"
            .formatted(webhook.caBundle()), rule("[\"CREATE\"]", "", "[\"configmaps\"]"),
        "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-svc\"}}"));
    try {
      Response r = createConfigMap("wh-svc", "cm", "{}", "");
      assertThat(r.code()).as(r.text()).isEqualTo(201);
      assertThat(r.body().at("/data/via").asText()).isEqualTo("service");
    } finally {
      unconfigure("mutatingwebhookconfigurations", "via-service");
    }
  }

  @Test
  void reinvocationIfNeededRunsAnEarlierWebhookAgainAfterALaterChange() {
    namespace("wh-reinvoke", "{}");
    // "a-first" sees the object twice: the second time with b's change
    webhook.handle("/first", review -> allow());
    webhook.handle("/second", review -> review.at("/request/object/data/second").isMissingNode()
        ? patch(allow(), "[{\"op\":\"add\",\"path\":\"/data/second\",\"value\":\"done\"}]") : allow());
    String selector = "\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"wh-reinvoke\"}}";
    configure("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", "a-first",
        hook("first.example.com", urlConfig("/first"), rule("[\"CREATE\"]", "", "[\"configmaps\"]"),
            selector + ",\"reinvocationPolicy\":\"IfNeeded\""));
    configure("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", "b-second",
        hook("second.example.com", urlConfig("/second"), rule("[\"CREATE\"]", "", "[\"configmaps\"]"), selector));
    try {
      Response r = createConfigMap("wh-reinvoke", "cm", "{}", "");
      assertThat(r.code()).as(r.text()).isEqualTo(201);
      assertThat(r.body().at("/data/second").asText()).isEqualTo("done");
      List<JsonNode> first = webhook.received("/first");
      assertThat(first).hasSize(2);
      assertThat(first.get(1).at("/request/object/data/second").asText()).isEqualTo("done");
      assertThat(webhook.received("/second")).hasSize(1);
    } finally {
      unconfigure("mutatingwebhookconfigurations", "a-first");
      unconfigure("mutatingwebhookconfigurations", "b-second");
    }
  }

  @Test
  void configurationsAreServedWithDefaultsAndValidated() {
    configure("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "defaults",
        hook("defaults.example.com", urlConfig("/none"), rule("[\"CREATE\"]", "nothing.example.com", "[\"things\"]"), ""));
    try {
      JsonNode h = api.get(GROUP_PATH + "validatingwebhookconfigurations/defaults").body().at("/webhooks/0");
      assertThat(h.path("failurePolicy").asText()).isEqualTo("Fail");
      assertThat(h.path("matchPolicy").asText()).isEqualTo("Equivalent");
      assertThat(h.path("timeoutSeconds").asInt()).isEqualTo(10);
      assertThat(h.at("/rules/0/scope").asText()).isEqualTo("*");
      Response bad = api.post(GROUP_PATH + "mutatingwebhookconfigurations", """
          {"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration","metadata":{"name":"bad"},
           "webhooks":[{"name":"bad.example.com","clientConfig":{"url":"http://x.example.com"},"sideEffects":"None",
                        "admissionReviewVersions":["v1"],"timeoutSeconds":40}]}""");
      assertThat(bad.code()).isEqualTo(422);
      assertThat(bad.body().path("message").asText()).isEqualTo("MutatingWebhookConfiguration.admissionregistration.k8s.io "
          + "\"bad\" is invalid: [webhooks[0].timeoutSeconds: Invalid value: 40: the timeout value must be between 1 and 30 "
          + "seconds, webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; "
          + "desired format: https://host[/path]]");
      // discovery and tables
      JsonNode resources = api.get("/apis/admissionregistration.k8s.io/v1").body().path("resources");
      assertThat(resources.findValuesAsText("name")).contains("mutatingwebhookconfigurations", "validatingwebhookconfigurations");
      Response table = api.send("GET", GROUP_PATH + "validatingwebhookconfigurations", null, null,
          java.util.Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"));
      assertThat(table.body().path("columnDefinitions").findValuesAsText("name")).contains("Name", "Webhooks", "Age");
      assertThat(api.get("/openapi/v3").body().path("paths").has("apis/admissionregistration.k8s.io/v1")).isTrue();
      Response proto = api.send("GET", GROUP_PATH + "validatingwebhookconfigurations/defaults", null, null,
          java.util.Map.of("Accept", "application/vnd.kubernetes.protobuf, application/json"));
      assertThat(proto.code()).isEqualTo(200);
    } finally {
      unconfigure("validatingwebhookconfigurations", "defaults");
    }
  }
}
