package io.planet.controllers;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A named fake of metrics-server for one namespace: the resource metrics API (metrics.k8s.io/v1beta1) is served by the
 * real API server through CRDs, and every 200 ms this writes a PodMetrics object per live pod (named and labelled
 * like the pod, as metrics-server reports them) with the usage the test sets, and removes those of deleted pods.
 */
final class FakePodMetrics implements AutoCloseable {
  static final ResourceDefinitionContext POD_METRICS = new ResourceDefinitionContext.Builder()
      .withGroup("metrics.k8s.io").withVersion("v1beta1").withKind("PodMetrics").withPlural("pods")
      .withNamespaced(true).build();

  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private volatile String cpu;

  /** Serves metrics.k8s.io/v1beta1 pods and nodes through CRDs (upstream requires the approval annotation for *.k8s.io). */
  static void serveMetricsApi(TestApiServer server) {
    for (String[] r : List.of(new String[] {"pods", "PodMetrics", "Namespaced"},
        new String[] {"nodes", "NodeMetrics", "Cluster"})) {
      server.client().create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", """
          {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
           "metadata":{"name":"%s.metrics.k8s.io","annotations":{"api-approved.kubernetes.io":"unapproved"}},
           "spec":{"group":"metrics.k8s.io","scope":"%s",
            "names":{"plural":"%s","kind":"%s","listKind":"%sList"},
            "versions":[{"name":"v1beta1","served":true,"storage":true,
              "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
          """.formatted(r[0], r[2], r[0], r[1], r[1]));
    }
  }

  FakePodMetrics(KubernetesClient c, String ns, String cpu) {
    this.cpu = cpu;
    loop.scheduleWithFixedDelay(() -> {
      try {
        sync(c, ns);
      } catch (RuntimeException e) {
        // the API server is going away at the end of a test, or a pod went meanwhile: the next round retries
      }
    }, 0, 200, TimeUnit.MILLISECONDS);
  }

  /** The cpu usage every pod reports from now on, e.g. {@code 400m}. */
  void cpu(String usage) {
    this.cpu = usage;
  }

  private void sync(KubernetesClient c, String ns) {
    Set<String> live = new HashSet<>();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (Pod p : c.pods().inNamespace(ns).list().getItems()) {
      if (p.getMetadata().getDeletionTimestamp() != null || !PodStatus.ready(p)) continue;
      live.add(p.getMetadata().getName());
      GenericKubernetesResource m = new GenericKubernetesResourceBuilder().withApiVersion("metrics.k8s.io/v1beta1")
          .withKind("PodMetrics").withNewMetadata().withName(p.getMetadata().getName()).withNamespace(ns)
          .withLabels(p.getMetadata().getLabels()).endMetadata()
          .withAdditionalProperties(Map.of("timestamp", now, "window", "15s", "containers",
              List.of(Map.of("name", "c", "usage", Map.of("cpu", cpu, "memory", "10Mi"))))).build();
      var existing = c.genericKubernetesResources(POD_METRICS).inNamespace(ns).withName(p.getMetadata().getName());
      if (existing.get() == null) {
        c.genericKubernetesResources(POD_METRICS).inNamespace(ns).resource(m).create();
      } else {
        existing.patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"timestamp\":\"" + now + "\",\"containers\":[{\"name\":\"c\",\"usage\":{\"cpu\":\"" + cpu + "\"}}]}");
      }
    }
    for (GenericKubernetesResource m : c.genericKubernetesResources(POD_METRICS).inNamespace(ns).list().getItems()) {
      if (!live.contains(m.getMetadata().getName())) {
        c.genericKubernetesResources(POD_METRICS).inNamespace(ns).withName(m.getMetadata().getName()).delete();
      }
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
