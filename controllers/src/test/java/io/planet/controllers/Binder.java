package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.ApiClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Stands in for the scheduler in one namespace (none runs in these tests): every 100 ms it binds the unbound pods
 * the predicate accepts to one node through POST pods/{name}/binding.
 */
final class Binder implements AutoCloseable {
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private volatile Predicate<Pod> accepts;

  Binder(KubernetesClient c, ApiClient api, String ns, String node, Predicate<Pod> accepts) {
    this.accepts = accepts;
    loop.scheduleWithFixedDelay(() -> {
      try {
        for (Pod p : c.pods().inNamespace(ns).list().getItems()) {
          if (p.getSpec().getNodeName() != null || p.getMetadata().getDeletionTimestamp() != null || !this.accepts.test(p)) continue;
          api.post("/api/v1/namespaces/" + ns + "/pods/" + p.getMetadata().getName() + "/binding", """
              {"apiVersion":"v1","kind":"Binding","metadata":{"name":"%s"},"target":{"apiVersion":"v1","kind":"Node","name":"%s"}}"""
              .formatted(p.getMetadata().getName(), node));
        }
      } catch (RuntimeException e) {
        // the API server is going away at the end of a test
      }
    }, 0, 100, TimeUnit.MILLISECONDS);
  }

  void accept(Predicate<Pod> accepts) {
    this.accepts = accepts;
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
