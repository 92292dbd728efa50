package io.planet.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.SharedInformerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What controllers share: one client, one informer per resource type (fabric8's shared factory), the metrics
 * registry, and lifecycle hooks for controllers that run informers of their own (the garbage collector).
 */
public final class Informers {
  private final KubernetesClient client;
  private final SharedInformerFactory factory;
  private final MeterRegistry registry;
  private final Map<Class<?>, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();
  private final List<Runnable> onStop = new ArrayList<>();

  public Informers(KubernetesClient client, MeterRegistry registry) {
    this.client = client;
    this.registry = registry;
    this.factory = client.informers();
  }

  public KubernetesClient client() {
    return client;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The shared informer for a type over all namespaces (created on first use, started by {@link #start}). */
  @SuppressWarnings("unchecked")
  public synchronized <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type) {
    return (SharedIndexInformer<T>) informers.computeIfAbsent(type, t -> factory.sharedIndexInformerFor(type, 0L));
  }

  public synchronized void onStop(Runnable r) {
    onStop.add(r);
  }

  /** Starts every registered informer and waits until each has listed. */
  public void start() {
    factory.startAllRegisteredInformers();
    for (SharedIndexInformer<?> i : informers.values()) {
      try {
        i.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("informer failed to sync: " + e, e);
      }
    }
  }

  public void stop() {
    factory.stopAllRegisteredInformers();
    List<Runnable> hooks;
    synchronized (this) {
      hooks = new ArrayList<>(onStop);
    }
    hooks.forEach(Runnable::run);
  }
}
