package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.storage.EtcdStorage;
import io.planet.apiserver.storage.Storage;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Custom resources against their CRD's structural schema over HTTP: pruning, defaulting (also on read), validation. */
class CustomResourceSchemaIT {
  static TestApiServer server;
  static ApiClient api;
  static EtcdStorage etcd;

  static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  static final String GADGETS = "/apis/schema.planet.io/v1/namespaces/schema/gadgets";

  static String crd(String extraSpecProperties) {
    return """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"gadgets.schema.planet.io"},
         "spec":{"group":"schema.planet.io","scope":"Namespaced",
          "names":{"plural":"gadgets","singular":"gadget","kind":"Gadget"},
          "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
            "schema":{"openAPIV3Schema":{"type":"object","properties":{
              "spec":{"type":"object","required":["name"],"properties":{
                "name":{"type":"string"},
                "replicas":{"type":"integer","minimum":1,"maximum":10},
                "color":{"type":"string","enum":["red","blue"],"default":"red"},
                "ports":{"type":"array","items":{"type":"object","properties":{
                  "port":{"type":"integer"},"protocol":{"type":"string","default":"TCP"}}}}%s}},
              "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}}}]}}
        """.formatted(extraSpecProperties);
  }

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    api = server.client();
    etcd = new EtcdStorage(server.etcd().endpoint());
    Response ns = api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"schema\"}}");
    assertThat(ns.code()).as(ns.text()).isEqualTo(201);
    Response c = api.post(CRDS, crd(""));
    assertThat(c.code()).as(c.text()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> api.get(GADGETS).code() == 200);
  }

  @AfterAll
  static void stop() {
    if (etcd != null) etcd.close();
    if (server != null) server.close();
  }

  static String gadget(String name, String spec) {
    return "{\"apiVersion\":\"schema.planet.io/v1\",\"kind\":\"Gadget\",\"metadata\":{\"name\":\"" + name
        + "\",\"bogus\":1},\"spec\":" + spec + "}";
  }

  static JsonNode stored(String name) {
    Storage.Item item = etcd.get("/registry/schema.planet.io/gadgets/schema/" + name);
    assertThat(item).as("stored " + name).isNotNull();
    return item.object();
  }

  static List<String> causes(Response r) {
    List<String> out = new ArrayList<>();
    r.body().path("details").path("causes").forEach(c -> out.add(c.path("message").asText()));
    return out;
  }

  @Test
  void unknownFieldsArePrunedWarnedOrRejected() {
    Response warn = api.post(GADGETS, gadget("g1", "{\"name\":\"a\",\"extra\":1,\"ports\":[{\"port\":80,\"zzz\":true}]}"));
    assertThat(warn.code()).as(warn.text()).isEqualTo(201);
    assertThat(warn.headers().get("warning")).containsExactly("299 - \"unknown field \\\"metadata.bogus\\\"\"",
        "299 - \"unknown field \\\"spec.extra\\\"\"", "299 - \"unknown field \\\"spec.ports[0].zzz\\\"\"");
    JsonNode g1 = stored("g1");
    assertThat(g1.path("spec").has("extra")).isFalse();
    assertThat(g1.path("metadata").has("bogus")).isFalse();
    assertThat(g1.at("/spec/ports/0").toString()).isEqualTo("{\"port\":80,\"protocol\":\"TCP\"}");

    Response strict = api.post(GADGETS + "?fieldValidation=Strict", gadget("g2", "{\"name\":\"a\",\"extra\":1}"));
    assertThat(strict.code()).isEqualTo(400);
    assertThat(strict.body().path("message").asText())
        .isEqualTo("strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec.extra\"");

    Response ignore = api.post(GADGETS + "?fieldValidation=Ignore", gadget("g3", "{\"name\":\"a\",\"extra\":1}"));
    assertThat(ignore.code()).isEqualTo(201);
    assertThat(ignore.headers().get("warning")).isNull();
    assertThat(stored("g3").path("spec").has("extra")).isFalse();

    // a merge patch's unknown fields are pruned as well; status keeps only what its schema knows
    Response patched = api.patch(GADGETS + "/g3", "application/merge-patch+json", "{\"spec\":{\"more\":2,\"replicas\":2}}");
    assertThat(patched.code()).as(patched.text()).isEqualTo(200);
    assertThat(stored("g3").path("spec").has("more")).isFalse();
    assertThat(stored("g3").at("/spec/replicas").asInt()).isEqualTo(2);
    Response status = api.patch(GADGETS + "/g3/status", "application/merge-patch+json",
        "{\"status\":{\"phase\":\"Ready\",\"junk\":1}}");
    assertThat(status.code()).as(status.text()).isEqualTo(200);
    assertThat(stored("g3").path("status").toString()).isEqualTo("{\"phase\":\"Ready\"}");
  }

  @Test
  void invalidValuesAre422WithUpstreamMessages() {
    Response r = api.post(GADGETS, gadget("bad", "{\"replicas\":20,\"color\":\"pink\",\"ports\":[{\"port\":\"x\"}]}"));
    assertThat(r.code()).as(r.text()).isEqualTo(422);
    assertThat(r.body().path("reason").asText()).isEqualTo("Invalid");
    assertThat(causes(r)).containsExactlyInAnyOrder(
        "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
        "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"blue\"",
        "spec.ports[0].port: Invalid value: \"string\": spec.ports[0].port in body must be of type integer: \"string\"",
        "spec.name: Required value");
    assertThat(r.body().path("message").asText()).startsWith("Gadget.schema.planet.io \"bad\" is invalid: [");
    assertThat(etcd.get("/registry/schema.planet.io/gadgets/schema/bad")).isNull();

    api.create(GADGETS, gadget("ok", "{\"name\":\"a\",\"replicas\":3}"));
    Response update = api.patch(GADGETS + "/ok", "application/merge-patch+json", "{\"spec\":{\"replicas\":0}}");
    assertThat(update.code()).isEqualTo(422);
    assertThat(causes(update)).containsExactly(
        "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1");
  }

  @Test
  void defaultsApplyOnCreateAndOnReadOfObjectsStoredBefore() {
    JsonNode created = api.create(GADGETS, gadget("old", "{\"name\":\"a\",\"color\":null}"));
    assertThat(created.at("/spec/color").asText()).as("non-nullable null is defaulted").isEqualTo("red");
    assertThat(stored("old").at("/spec/color").asText()).isEqualTo("red");
    assertThat(stored("old").at("/spec").has("size")).isFalse();

    JsonNode current = api.get(CRDS + "/gadgets.schema.planet.io").body();
    String withSize = crd(",\"size\":{\"type\":\"integer\",\"default\":5}")
        .replace("\"name\":\"gadgets.schema.planet.io\"}", "\"name\":\"gadgets.schema.planet.io\",\"resourceVersion\":\""
            + current.at("/metadata/resourceVersion").asText() + "\"}");
    Response updated = api.put(CRDS + "/gadgets.schema.planet.io", withSize);
    assertThat(updated.code()).as(updated.text()).isEqualTo(200);
    try {
      // the object in etcd stays as written; every read serves it defaulted
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(api.get(GADGETS + "/old").body().at("/spec/size").asInt()).isEqualTo(5));
      assertThat(stored("old").at("/spec").has("size")).isFalse();
      JsonNode list = api.get(GADGETS).body();
      for (JsonNode item : list.path("items")) assertThat(item.at("/spec/size").asInt()).isEqualTo(5);
      JsonNode fresh = api.create(GADGETS, gadget("new", "{\"name\":\"b\"}"));
      assertThat(fresh.at("/spec/size").asInt()).isEqualTo(5);
      assertThat(stored("new").at("/spec/size").asInt()).isEqualTo(5);
    } finally {
      JsonNode now = api.get(CRDS + "/gadgets.schema.planet.io").body();
      api.put(CRDS + "/gadgets.schema.planet.io", crd("").replace("\"name\":\"gadgets.schema.planet.io\"}",
          "\"name\":\"gadgets.schema.planet.io\",\"resourceVersion\":\"" + now.at("/metadata/resourceVersion").asText() + "\"}"));
    }
  }

  @Test
  void nonStructuralDefinitionsAreRejected() {
    Response r = api.post(CRDS, """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"things.schema.planet.io"},
         "spec":{"group":"schema.planet.io","scope":"Namespaced",
          "names":{"plural":"things","singular":"thing","kind":"Thing"},
          "versions":[{"name":"v1","served":true,"storage":true,
            "schema":{"openAPIV3Schema":{"type":"object","properties":{
              "spec":{"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}},
              "size":{"type":"integer","maximum":3,"default":4}}}}}]}}
        """);
    assertThat(r.code()).as(r.text()).isEqualTo(422);
    String p = "spec.versions[0].schema.openAPIV3Schema";
    assertThat(causes(r)).containsExactly(
        p + ".properties[spec].type: Required value: must not be empty for specified object fields",
        p + ".properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive");
    Response defaults = api.post(CRDS, """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"things.schema.planet.io"},
         "spec":{"group":"schema.planet.io","scope":"Namespaced",
          "names":{"plural":"things","singular":"thing","kind":"Thing"},
          "versions":[{"name":"v1","served":true,"storage":true,
            "schema":{"openAPIV3Schema":{"type":"object","properties":{
              "size":{"type":"integer","maximum":3,"default":4}}}}}]}}
        """);
    assertThat(defaults.code()).isEqualTo(422);
    assertThat(causes(defaults)).containsExactly(
        p + ".properties[size].default: Invalid value: 4:  in body should be less than or equal to 3");
  }
}
