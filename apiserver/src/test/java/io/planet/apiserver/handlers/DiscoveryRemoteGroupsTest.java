package io.planet.apiserver.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryRemoteGroupsTest {
  static final String METRICS = """
      {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"metrics.k8s.io/v1beta1","resources":[
        {"name":"pods","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get","list"]},
        {"name":"pods/status","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get"]},
        {"name":"nodes","singularName":"","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]}]}""";

  /** metrics.k8s.io answers; custom.metrics.k8s.io's backend does not. */
  static Discovery discovery() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    groups.put("metrics.k8s.io", List.of("v1beta1"));
    groups.put("custom.metrics.k8s.io", List.of("v1beta2", "v1beta1"));
    return new Discovery(ResourceRegistry.builtins(), "127.0.0.1:6443").withRemoteGroups(new RemoteGroups() {
      @Override
      public Map<String, List<String>> groups() {
        return groups;
      }

      @Override
      public ObjectNode resourceList(String group, String version) {
        return group.equals("metrics.k8s.io") ? (ObjectNode) Json.parse(METRICS) : null;
      }
    });
  }

  @Test
  void remoteGroupsFollowTheLocalOnesInTheGroupList() {
    JsonNode groups = discovery().groupList().path("groups");
    List<String> names = groups.findValuesAsText("name");
    assertThat(names).endsWith("metrics.k8s.io", "custom.metrics.k8s.io").contains("apps");
    JsonNode custom = discovery().group("custom.metrics.k8s.io");
    assertThat(custom.at("/preferredVersion/version").asText()).isEqualTo("v1beta2");
    assertThat(custom.path("versions").findValuesAsText("version")).containsExactly("v1beta2", "v1beta1");
  }

  @Test
  void aggregatedDocumentCarriesTheBackendsResourcesOrMarksThemStale() {
    JsonNode items = discovery().aggregated(false, "v2").path("items");
    JsonNode metrics = null;
    JsonNode custom = null;
    for (JsonNode i : items) {
      if (i.at("/metadata/name").asText().equals("metrics.k8s.io")) metrics = i;
      if (i.at("/metadata/name").asText().equals("custom.metrics.k8s.io")) custom = i;
    }
    JsonNode v = metrics.path("versions").get(0);
    assertThat(v.path("freshness").asText()).isEqualTo("Current");
    JsonNode pods = v.path("resources").get(0);
    assertThat(pods.path("resource").asText()).isEqualTo("pods");
    assertThat(pods.path("scope").asText()).isEqualTo("Namespaced");
    assertThat(pods.at("/responseKind/group").asText()).isEqualTo("metrics.k8s.io");
    assertThat(pods.at("/responseKind/kind").asText()).isEqualTo("PodMetrics");
    assertThat(pods.at("/subresources/0/subresource").asText()).isEqualTo("status");
    assertThat(v.path("resources").get(1).path("scope").asText()).isEqualTo("Cluster");

    assertThat(custom.path("versions")).hasSize(2);
    assertThat(custom.at("/versions/0/freshness").asText()).isEqualTo("Stale");
    assertThat(custom.at("/versions/0/resources")).isEmpty();
  }

  @Test
  void theCoreDocumentHasNoRemoteGroups() {
    assertThat(discovery().aggregated(true, "v2").path("items").findValuesAsText("name")).doesNotContain("metrics.k8s.io");
  }
}
