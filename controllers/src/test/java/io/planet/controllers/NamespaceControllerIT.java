package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NamespaceControllerIT {
  static TestCluster cluster;
  static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder().withGroup("example.com")
      .withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true).build();

  @BeforeAll
  static void start() {
    cluster = new TestCluster("namespace", "serviceaccount");
    cluster.server.client().create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced",
          "names":{"plural":"widgets","singular":"widget","kind":"Widget"},
          "versions":[{"name":"v1","served":true,"storage":true,
            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """);
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.server.client().get("/apis/example.com/v1").code() == 200);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static GenericKubernetesResource widget(String ns, String name, List<String> finalizers) {
    return new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1").withKind("Widget")
        .withNewMetadata().withName(name).withNamespace(ns).withFinalizers(finalizers).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("size", 1))).build();
  }

  @Test
  void deletingANamespaceDeletesItsContentThenTheNamespace() {
    String ns = cluster.namespace("doomed");
    var c = cluster.client;
    c.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm").endMetadata().build()).create();
    c.pods().inNamespace(ns).resource(Fixtures.pod(ns, "p", Map.of("app", "x"))).create();
    c.genericKubernetesResources(WIDGETS).inNamespace(ns).resource(widget(ns, "w", List.of())).create();

    c.namespaces().withName(ns).delete();
    await().atMost(Duration.ofSeconds(15)).until(() -> cluster.server.client().get("/api/v1/namespaces/" + ns).code() == 404);
    assertThat(cluster.server.client().get("/api/v1/namespaces/" + ns + "/configmaps").body().path("items")).isEmpty();
    assertThat(cluster.server.client().get("/api/v1/namespaces/" + ns + "/pods").body().path("items")).isEmpty();
    assertThat(c.genericKubernetesResources(WIDGETS).inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void contentWithFinalizersHoldsTheNamespaceAndTheConditionsSaySo() {
    String ns = cluster.namespace("held");
    var c = cluster.client;
    c.genericKubernetesResources(WIDGETS).inNamespace(ns).resource(widget(ns, "w", List.of("example.com/hold"))).create();

    c.namespaces().withName(ns).delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var status = c.namespaces().withName(ns).get().getStatus();
      assertThat(status.getPhase()).isEqualTo("Terminating");
      assertThat(condition(status.getConditions(), "NamespaceContentRemaining").getMessage())
          .isEqualTo("Some resources are remaining: widgets.example.com has 1 resource instances");
      NamespaceCondition finalizers = condition(status.getConditions(), "NamespaceFinalizersRemaining");
      assertThat(finalizers.getStatus()).isEqualTo("True");
      assertThat(finalizers.getReason()).isEqualTo("SomeFinalizersRemain");
      assertThat(finalizers.getMessage())
          .isEqualTo("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
      assertThat(condition(status.getConditions(), "NamespaceDeletionDiscoveryFailure").getStatus()).isEqualTo("False");
    });
    assertThat(c.namespaces().withName(ns).get().getSpec().getFinalizers()).contains("kubernetes");

    // the finalizer's owner finishes: the widget goes, then the namespace
    c.genericKubernetesResources(WIDGETS).inNamespace(ns).withName("w").edit(w -> {
      w.getMetadata().setFinalizers(List.of());
      return w;
    });
    await().atMost(Duration.ofSeconds(15)).until(() -> cluster.server.client().get("/api/v1/namespaces/" + ns).code() == 404);
  }

  @Test
  void aGracefullyDeletedPodHoldsTheNamespaceUntilItIsGone() {
    String ns = cluster.namespace("graceful");
    var c = cluster.client;
    // scheduled to a node, so its deletion waits for a node agent (none runs here) for the grace period
    c.pods().inNamespace(ns).resource(new PodBuilder(Fixtures.pod(ns, "p", Map.of("app", "x")))
        .editSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(2L).endSpec().build()).create();

    c.namespaces().withName(ns).delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var status = c.namespaces().withName(ns).get().getStatus();
      assertThat(condition(status.getConditions(), "NamespaceContentRemaining").getMessage())
          .isEqualTo("Some resources are remaining: pods. has 1 resource instances");
    });
    assertThat(c.pods().inNamespace(ns).withName("p").get().getMetadata().getDeletionTimestamp()).isNotNull();

    // what the kubelet does once the containers stopped: the final delete
    c.pods().inNamespace(ns).withName("p").withGracePeriod(0).delete();
    await().atMost(Duration.ofSeconds(15)).until(() -> cluster.server.client().get("/api/v1/namespaces/" + ns).code() == 404);
  }

  private static NamespaceCondition condition(List<NamespaceCondition> conditions, String type) {
    return conditions.stream().filter(x -> x.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " in " + Serialization.asJson(conditions)));
  }
}
