package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.planet.controllers.podautoscaler.AutoscalerSettings;
import io.planet.controllers.runtime.Controller;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The HPA controller against the real API server, with Deployments whose pods a stand-in kubelet makes ready and cpu
 * usage from {@link FakePodMetrics} (metrics.k8s.io served through CRDs). The first test runs before that API exists.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HorizontalPodAutoscalerControllerIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  static TestCluster cluster;
  static KubernetesClient c;

  @BeforeAll
  static void start() {
    Map<String, Function<KubernetesClient, Controller>> controllers = new LinkedHashMap<>();
    controllers.put("replicaset-controller", ReplicaSetController::new);
    controllers.put("deployment-controller", DeploymentController::new);
    // a 1 s sync period instead of 15 s; cpu samples count as soon as a pod is ready
    controllers.put("horizontal-pod-autoscaler-controller", k -> new HorizontalPodAutoscalerController(k,
        AutoscalerSettings.defaults().withSyncPeriod(Duration.ofSeconds(1)).withCpuInitializationPeriod(Duration.ZERO)));
    cluster = new TestCluster(controllers);
    c = cluster.client;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  void withoutAMetricsApiTheHpaReportsFailedGetResourceMetric() {
    String ns = cluster.namespace("hpa-unserved");
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns)) {
      deployment(ns, "web", 2);
      hpa(ns, "web", 1, 5, null);
      HorizontalPodAutoscaler h = awaitCondition(ns, "web", "ScalingActive", "FailedGetResourceMetric");
      assertThat(condition(h, "ScalingActive").getStatus()).isEqualTo("False");
      assertThat(condition(h, "ScalingActive").getMessage()).isEqualTo("the HPA was unable to compute the replica count: "
          + "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from "
          + "resource metrics API: the server could not find the requested resource");
      assertThat(condition(h, "AbleToScale").getReason()).isEqualTo("SucceededGetScale");
      assertThat(h.getStatus().getCurrentReplicas()).isEqualTo(2);
      Event e = awaitEvent(ns, "web", "FailedGetResourceMetric");
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getSource().getComponent()).isEqualTo("horizontal-pod-autoscaler");
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("HorizontalPodAutoscaler");
      awaitEvent(ns, "web", "FailedComputeMetricsReplicas");
      assertThat(replicas(ns, "web")).isEqualTo(2);
    }
  }

  @Test
  @Order(2)
  void scalesUpOnHighCpuAndDownOnlyAfterTheStabilizationWindow() {
    FakePodMetrics.serveMetricsApi(cluster.server);
    await().atMost(WAIT).until(() -> cluster.server.client().get("/apis/metrics.k8s.io/v1beta1").code() == 200);
    String ns = cluster.namespace("hpa-cpu");
    List<String> seen = new CopyOnWriteArrayList<>();
    try (ReadyingKubelet kubelet = new ReadyingKubelet(c, ns);
        FakePodMetrics metrics = new FakePodMetrics(c, ns, "400m");
        Watch watch = watchConditions(ns, "web", seen)) {
      deployment(ns, "web", 2);
      // 400m of a 200m request is 200% against a 50% target: 8 pods wanted, 5 allowed
      hpa(ns, "web", 1, 5, 3);
      await().atMost(WAIT).until(() -> replicas(ns, "web") == 5);
      // (a pod whose metrics are not in yet counts as 0% on the way up, so there may be a step through 4 first)
      String five = "New size: 5; reason: cpu resource utilization (percentage of request) above target";
      Event up = await().atMost(WAIT).until(() -> events(ns, "web", "SuccessfulRescale"),
          l -> l.stream().anyMatch(e -> five.equals(e.getMessage()))).stream()
          .filter(e -> five.equals(e.getMessage())).findFirst().orElseThrow();
      assertThat(up.getType()).isEqualTo("Normal");
      // the next sync turns SucceededRescale into ReadyForNewScale: the watch keeps what was written
      await().atMost(WAIT).until(() -> seen.contains(
          "AbleToScale True SucceededRescale: the HPA controller was able to update the target scale to 5"));
      HorizontalPodAutoscaler h = await().atMost(WAIT).until(() -> get(ns, "web"),
          x -> x.getStatus() != null && x.getStatus().getCurrentMetrics() != null);
      assertThat(condition(h, "ScalingActive").getReason()).isEqualTo("ValidMetricFound");
      assertThat(condition(h, "ScalingActive").getMessage()).isEqualTo(
          "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)");
      assertThat(condition(h, "ScalingLimited").getStatus()).isEqualTo("True");
      assertThat(condition(h, "ScalingLimited").getReason()).isEqualTo("TooManyReplicas");
      assertThat(h.getStatus().getDesiredReplicas()).isEqualTo(5);
      assertThat(h.getStatus().getLastScaleTime()).isNotNull();
      assertThat(h.getStatus().getCurrentMetrics().get(0).getResource().getCurrent().getAverageUtilization()).isEqualTo(200);
      assertThat(h.getStatus().getCurrentMetrics().get(0).getResource().getCurrent().getAverageValue())
          .isEqualTo(new Quantity("400m"));

      // usage drops to 10% of requests: the scale-down waits out the 3 s window, then goes to minReplicas
      await().atMost(WAIT).until(() -> Fixtures.livePods(c, ns, "web").stream().filter(PodStatus::ready).count() == 5);
      metrics.cpu("20m");
      await().atMost(WAIT).until(() -> seen.stream().anyMatch(x -> x.startsWith("AbleToScale True ScaleDownStabilized")));
      assertThat(replicas(ns, "web")).isEqualTo(5);
      await().atMost(WAIT).until(() -> replicas(ns, "web") == 1);
      await().atMost(WAIT).until(() -> events(ns, "web", "SuccessfulRescale").stream()
          .anyMatch(e -> e.getMessage().equals("New size: 1; reason: All metrics below target")));
      HorizontalPodAutoscaler down = await().atMost(WAIT).until(() -> get(ns, "web"),
          x -> x.getStatus().getCurrentReplicas() == 1 && x.getStatus().getCurrentMetrics() != null);
      assertThat(down.getStatus().getDesiredReplicas()).isEqualTo(1);
    }
  }

  @Test
  @Order(3)
  void clampsToMaxAndMinReplicasWithoutMetricsAndStopsAtZero() {
    String ns = cluster.namespace("hpa-clamp");
    deployment(ns, "web", 7);
    hpa(ns, "web", 2, 4, null);
    await().atMost(WAIT).until(() -> replicas(ns, "web") == 4);
    await().atMost(WAIT).until(() -> events(ns, "web", "SuccessfulRescale").stream()
        .anyMatch(e -> e.getMessage().equals("New size: 4; reason: Current number of replicas above Spec.MaxReplicas")));

    scaleDeployment(ns, "web", 1);
    await().atMost(WAIT).until(() -> replicas(ns, "web") == 2);
    await().atMost(WAIT).until(() -> events(ns, "web", "SuccessfulRescale").stream()
        .anyMatch(e -> e.getMessage().equals("New size: 2; reason: Current number of replicas below Spec.MinReplicas")));

    // replicas 0 switches the autoscaler off
    scaleDeployment(ns, "web", 0);
    HorizontalPodAutoscaler h = awaitCondition(ns, "web", "ScalingActive", "ScalingDisabled");
    assertThat(condition(h, "ScalingActive").getMessage()).isEqualTo("scaling is disabled since the replica count of the target is zero");
    assertThat(replicas(ns, "web")).isZero();
  }

  @Test
  @Order(4)
  void scalesACustomResourceThroughItsScaleSubresource() {
    cluster.server.client().create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"workers.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"workers","kind":"Worker"},
          "versions":[{"name":"v1","served":true,"storage":true,
            "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
            "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas",
              "statusReplicasPath":".status.replicas","labelSelectorPath":".status.selector"}}}]}}
        """);
    await().atMost(WAIT).until(() -> cluster.server.client().get("/apis/example.com/v1").code() == 200);
    String ns = cluster.namespace("hpa-cr");
    ResourceDefinitionContext workers = new ResourceDefinitionContext.Builder().withGroup("example.com")
        .withVersion("v1").withPlural("workers").withKind("Worker").withNamespaced(true).build();
    c.genericKubernetesResources(workers).inNamespace(ns).resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("example.com/v1").withKind("Worker").withNewMetadata().withName("w").withNamespace(ns)
        .endMetadata().withAdditionalProperties(Map.of("spec", Map.of("replicas", 6))).build()).create();
    c.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName("w").withNamespace(ns).endMetadata().withNewSpec().withNewScaleTargetRef()
        .withApiVersion("example.com/v1").withKind("Worker").withName("w").endScaleTargetRef().withMaxReplicas(3)
        .endSpec().build()).create();
    await().atMost(WAIT).until(() -> ((Map<?, ?>) c.genericKubernetesResources(workers).inNamespace(ns).withName("w").get()
        .getAdditionalProperties().get("spec")).get("replicas"), r -> Integer.valueOf(3).equals(r));

    // a target kind nobody serves: FailedGetScale
    c.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(new HorizontalPodAutoscalerBuilder()
        .withNewMetadata().withName("ghost").withNamespace(ns).endMetadata().withNewSpec().withNewScaleTargetRef()
        .withApiVersion("example.com/v1").withKind("Ghost").withName("g").endScaleTargetRef().withMaxReplicas(3)
        .endSpec().build()).create();
    HorizontalPodAutoscaler ghost = awaitCondition(ns, "ghost", "AbleToScale", "FailedGetScale");
    assertThat(condition(ghost, "AbleToScale").getStatus()).isEqualTo("False");
    assertThat(condition(ghost, "AbleToScale").getMessage()).isEqualTo("the HPA controller was unable to get the "
        + "target's current scale: no matches for kind \"Ghost\" in group \"example.com\"");
    awaitEvent(ns, "ghost", "FailedGetScale");
  }

  // ---- helpers

  private static void deployment(String ns, String name, int replicas) {
    Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("nginx").withNewResources()
        .addToRequests("cpu", new Quantity("200m")).endResources().endContainer().endSpec().endTemplate()
        .endSpec().build();
    c.apps().deployments().inNamespace(ns).resource(d).create();
  }

  private static void hpa(String ns, String target, int min, int max, Integer scaleDownWindowSeconds) {
    HorizontalPodAutoscalerBuilder b = new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(target)
        .withNamespace(ns).endMetadata().withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1")
        .withKind("Deployment").withName(target).endScaleTargetRef().withMinReplicas(min).withMaxReplicas(max)
        .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget().withType("Utilization")
        .withAverageUtilization(50).endTarget().endResource().endMetric().endSpec();
    if (scaleDownWindowSeconds != null) {
      b.editSpec().withNewBehavior().withNewScaleDown().withStabilizationWindowSeconds(scaleDownWindowSeconds)
          .endScaleDown().endBehavior().endSpec();
    }
    c.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(b.build()).create();
  }

  private static void scaleDeployment(String ns, String name, int replicas) {
    c.apps().deployments().inNamespace(ns).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
  }

  private static int replicas(String ns, String name) {
    return c.apps().deployments().inNamespace(ns).withName(name).get().getSpec().getReplicas();
  }

  private static HorizontalPodAutoscaler get(String ns, String name) {
    return c.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(name).get();
  }

  private static HorizontalPodAutoscalerCondition condition(HorizontalPodAutoscaler h, String type) {
    if (h.getStatus() == null || h.getStatus().getConditions() == null) return null;
    return h.getStatus().getConditions().stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
  }

  private static HorizontalPodAutoscaler awaitCondition(String ns, String name, String type, String reason) {
    return await().atMost(WAIT).until(() -> get(ns, name), h -> {
      HorizontalPodAutoscalerCondition x = condition(h, type);
      return x != null && reason.equals(x.getReason());
    });
  }

  /** Every condition the HPA's status carried, as "type status reason: message", in the order they were written. */
  private static Watch watchConditions(String ns, String name, List<String> seen) {
    return c.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(name).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, HorizontalPodAutoscaler h) {
        if (h.getStatus() == null || h.getStatus().getConditions() == null) return;
        for (HorizontalPodAutoscalerCondition x : h.getStatus().getConditions()) {
          String line = x.getType() + " " + x.getStatus() + " " + x.getReason() + ": " + x.getMessage();
          if (!seen.contains(line)) seen.add(line);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  private static List<Event> events(String ns, String hpa, String reason) {
    return c.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> hpa.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
  }

  private static Event awaitEvent(String ns, String hpa, String reason) {
    return await().atMost(WAIT).until(() -> events(ns, hpa, reason), l -> !l.isEmpty()).get(0);
  }
}
