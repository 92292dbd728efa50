package io.planet.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenApiV3Test {

  @Test
  void indexListsEveryGroupVersionWithAContentHash() {
    ResourceRegistry r = ResourceRegistry.builtins();
    ObjectNode index = OpenApiV3.index(r);
    JsonNode paths = index.get("paths");
    assertThat(paths.has("api/v1")).isTrue();
    assertThat(paths.has("apis/apps/v1")).isTrue();
    assertThat(paths.has("apis/autoscaling/v2")).isTrue();
    assertThat(paths.has("apis/rbac.authorization.k8s.io/v1")).isTrue();
    assertThat(paths.has("api")).isTrue();
    assertThat(paths.has("apis")).isTrue();
    String url = paths.get("api/v1").get("serverRelativeURL").asText();
    String hash = OpenApiV3.hash(r, "api/v1");
    assertThat(url).isEqualTo("/openapi/v3/api/v1?hash=" + hash);
    assertThat(hash).matches("[0-9A-F]{128}");
    assertThat(OpenApiV3.document(r, "apis/nope/v1")).isNull();
    assertThat(OpenApiV3.document(r, "/openapi/v3/apis/apps/v1?hash=X")).isSameAs(OpenApiV3.document(r, "apis/apps/v1"));
  }

  @Test
  void patchOperationsCarryFieldValidationGvkAndPatchTypes() {
    ObjectNode doc = OpenApiV3.document(ResourceRegistry.builtins(), "apis/apps/v1");
    assertThat(doc.get("openapi").asText()).isEqualTo("3.0.0");
    JsonNode patch = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}/patch");
    assertThat(patch.isObject()).isTrue();
    assertThat(patch.get("x-kubernetes-action").asText()).isEqualTo("patch");
    assertThat(patch.get("x-kubernetes-group-version-kind"))
        .isEqualTo(Json.parse("{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}"));
    List<String> params = new ArrayList<>();
    patch.get("parameters").forEach(p -> params.add(p.get("name").asText()));
    assertThat(params).contains("dryRun", "fieldManager", "fieldValidation", "force");
    assertThat(fieldNames(patch.at("/requestBody/content"))).containsExactlyInAnyOrder(
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml");
    assertThat(patch.get("operationId").asText()).isEqualTo("patchAppsV1NamespacedDeployment");

    JsonNode scale = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}~1scale/patch");
    assertThat(scale.at("/x-kubernetes-group-version-kind/kind").asText()).isEqualTo("Scale");
    assertThat(doc.at("/paths/~1apis~1apps~1v1~1deployments/get/x-kubernetes-action").asText()).isEqualTo("list");
    assertThat(doc.at("/paths/~1apis~1apps~1v1~1watch~1namespaces~1{namespace}~1deployments/get/x-kubernetes-action")
        .asText()).isEqualTo("watchlist");
  }

  @Test
  void componentsHoldReachableDefinitionsWithGvkAndExtensions() {
    ObjectNode doc = OpenApiV3.document(ResourceRegistry.builtins(), "apis/apps/v1");
    JsonNode schemas = doc.at("/components/schemas");
    JsonNode deployment = schemas.get("io.k8s.api.apps.v1.Deployment");
    assertThat(deployment.get("x-kubernetes-group-version-kind"))
        .isEqualTo(Json.parse("[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]"));
    // a field's own description wraps the $ref in allOf; the type's own description sits next to the $ref
    assertThat(deployment.at("/properties/metadata/allOf/0/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(deployment.at("/properties/metadata/description").asText()).startsWith("Standard object's metadata");
    assertThat(deployment.at("/properties/spec/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
    assertThat(deployment.at("/properties/spec/description").asText()).isNotEmpty();
    assertThat(schemas.get("io.k8s.api.apps.v1.DeploymentList").at("/x-kubernetes-group-version-kind/0/kind").asText())
        .isEqualTo("DeploymentList");
    JsonNode containers = schemas.at("/io.k8s.api.core.v1.PodSpec/properties/containers");
    assertThat(containers.get("x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
    assertThat(containers.get("x-kubernetes-patch-strategy").asText()).isEqualTo("merge");
    assertThat(containers.get("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(containers.at("/items/$ref").asText()).isEqualTo("#/components/schemas/io.k8s.api.core.v1.Container");
    assertThat(schemas.at("/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector/x-kubernetes-map-type").asText())
        .isEqualTo("atomic");
    assertThat(schemas.has("io.k8s.api.autoscaling.v1.Scale")).isTrue();
    assertThat(schemas.has("io.k8s.apimachinery.pkg.apis.meta.v1.Status")).isTrue();
    assertThat(schemas.has("io.k8s.apimachinery.pkg.apis.meta.v1.Patch")).isTrue();
    // every $ref resolves within the document
    Set<String> refs = new LinkedHashSet<>();
    collectRefs(doc, refs);
    for (String ref : refs) {
      assertThat(schemas.has(ref.substring("#/components/schemas/".length()))).as(ref).isTrue();
    }
  }

  @Test
  void customResourcesGetTheirCrdSchemaAndNoStrategicMergePatch() {
    ResourceRegistry r = ResourceRegistry.builtins();
    ObjectNode crd = (ObjectNode) Json.parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
          "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
            "properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}}}}}}]}}
        """);
    String before = OpenApiV3.hash(r, "api/v1");
    r.add(new ResourceType("example.com", "v1", "Widget", "widgets", "widget", true, List.of(), List.of(),
        new LinkedHashSet<>(List.of("status")), "example.com/widgets", "v1", ResourceStrategy.DEFAULT, crd));
    assertThat(OpenApiV3.index(r).at("/paths/apis~1example.com~1v1/serverRelativeURL").asText())
        .startsWith("/openapi/v3/apis/example.com/v1?hash=");
    assertThat(OpenApiV3.hash(r, "api/v1")).isEqualTo(before);
    ObjectNode doc = OpenApiV3.document(r, "apis/example.com/v1");
    JsonNode widget = doc.at("/components/schemas/com.example.v1.Widget");
    assertThat(widget.at("/properties/spec/properties/size/type").asText()).isEqualTo("integer");
    assertThat(widget.at("/properties/metadata/allOf/0/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(widget.at("/x-kubernetes-group-version-kind/0/group").asText()).isEqualTo("example.com");
    assertThat(doc.at("/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").isObject()).isTrue();
    JsonNode patch = doc.at("/paths/~1apis~1example.com~1v1~1namespaces~1{namespace}~1widgets~1{name}/patch");
    assertThat(fieldNames(patch.at("/requestBody/content"))).containsExactlyInAnyOrder(
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml");
    assertThat(patch.toString()).contains("\"fieldValidation\"");

    r.remove("example.com", "widgets");
    assertThat(OpenApiV3.document(r, "apis/example.com/v1")).isNull();
  }

  @Test
  void documentsAreValidJsonAndFastOnceWarm() throws Exception {
    ResourceRegistry warm = ResourceRegistry.builtins();
    for (String p : OpenApiV3.paths(warm)) OpenApiV3.document(warm, p);
    OpenApiV3.index(warm);
    for (String p : OpenApiV3.paths(warm)) {
      byte[] bytes = OpenApiV3.documentBytes(warm, p);
      assertThat(Json.MAPPER.readTree(bytes).get("paths").size()).as(p).isPositive();
    }
    // a fresh registry: every document generated from scratch
    ResourceRegistry fresh = ResourceRegistry.builtins();
    long t0 = System.nanoTime();
    OpenApiV3.index(fresh);
    long uncachedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(uncachedMs).isLessThan(3000); // generous: machines running tests in parallel are slow
    // cached: what every request pays
    t0 = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      OpenApiV3.index(fresh);
      OpenApiV3.documentBytes(fresh, "api/v1");
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(50);
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static void collectRefs(JsonNode n, Set<String> out) {
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> {
        if (e.getKey().equals("$ref") && e.getValue().isTextual()) out.add(e.getValue().asText());
        else collectRefs(e.getValue(), out);
      });
    } else if (n.isArray()) {
      n.forEach(c -> collectRefs(c, out));
    }
  }
}
