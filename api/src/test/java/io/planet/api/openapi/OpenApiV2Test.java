package io.planet.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceRegistry;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenApiV2Test {

  @Test
  void swaggerDocumentHasPathsAndDefinitionsOfEveryGroup() {
    ResourceRegistry r = ResourceRegistry.builtins();
    ObjectNode doc = OpenApiV2.document(r);
    assertThat(doc.get("swagger").asText()).isEqualTo("2.0");
    JsonNode paths = doc.get("paths");
    assertThat(paths.has("/api/v1/namespaces/{namespace}/pods/{name}")).isTrue();
    assertThat(paths.has("/apis/batch/v1/namespaces/{namespace}/cronjobs")).isTrue();
    assertThat(paths.has("/api/v1/nodes/{name}")).isTrue();
    JsonNode patch = paths.at("/~1api~1v1~1namespaces~1{namespace}~1pods~1{name}/patch");
    assertThat(patch.get("consumes").toString()).contains("application/strategic-merge-patch+json");
    assertThat(patch.get("parameters").toString()).contains("\"fieldValidation\"").contains("\"in\":\"body\"");
    JsonNode defs = doc.get("definitions");
    JsonNode pod = defs.get("io.k8s.api.core.v1.Pod");
    assertThat(pod.at("/properties/spec/$ref").asText()).isEqualTo("#/definitions/io.k8s.api.core.v1.PodSpec");
    assertThat(pod.at("/x-kubernetes-group-version-kind/0/kind").asText()).isEqualTo("Pod");
    assertThat(defs.at("/io.k8s.apimachinery.pkg.util.intstr.IntOrString/format").asText()).isEqualTo("int-or-string");
    assertThat(defs.at("/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions/x-kubernetes-group-version-kind").size())
        .isGreaterThan(5);
    Set<String> refs = new LinkedHashSet<>();
    OpenApiV3Test.collectRefs(doc, refs);
    for (String ref : refs) assertThat(defs.has(ref.substring("#/definitions/".length()))).as(ref).isTrue();
    assertThat(OpenApiV2.document(r)).isSameAs(doc);
    assertThat(OpenApiV2.hash(r)).matches("[0-9A-F]{128}");
  }
}
