package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Stands in for the kubelet in one namespace (no node agent runs in these tests): every 100 ms it reports the pods
 * the predicate accepts as Running and Ready.
 */
final class ReadyingKubelet implements AutoCloseable {
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private volatile Predicate<Pod> accepts;

  ReadyingKubelet(KubernetesClient c, String ns, Predicate<Pod> accepts) {
    this.accepts = accepts;
    loop.scheduleWithFixedDelay(() -> {
      try {
        for (Pod p : c.pods().inNamespace(ns).list().getItems()) {
          if (p.getMetadata().getDeletionTimestamp() != null || PodStatus.ready(p) || !this.accepts.test(p)) continue;
          try {
            Fixtures.markReady(c, p);
          } catch (KubernetesClientException | NullPointerException e) {
            // deleted or changed meanwhile: the next round sees it again
          }
        }
      } catch (RuntimeException e) {
        // the API server is going away at the end of a test
      }
    }, 0, 100, TimeUnit.MILLISECONDS);
  }

  ReadyingKubelet(KubernetesClient c, String ns) {
    this(c, ns, p -> true);
  }

  void accept(Predicate<Pod> accepts) {
    this.accepts = accepts;
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
