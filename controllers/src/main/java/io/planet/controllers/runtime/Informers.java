package io.planet.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.SharedInformerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.planet.client.events.EventRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What controllers share: one client, one informer per resource type (fabric8's shared factory), the metrics
 * registry, an event recorder per component, and lifecycle hooks for controllers that run informers of their own (the garbage collector).
 */
public final class Informers {
  private final KubernetesClient client;
  private final SharedInformerFactory factory;
  private final MeterRegistry registry;
  private final Map<Class<?>, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();
  private final List<Runnable> onStop = new ArrayList<>();
  private final String identity;
  private final Map<String, EventRecorder> recorders = new ConcurrentHashMap<>();

  /** @param identity this manager's identity, the reportingInstance of its events */
  public Informers(KubernetesClient client, MeterRegistry registry, String identity) {
    this.client = client;
    this.registry = registry;
    this.identity = identity;
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

  /** The event recorder of one component (upstream's source.component), one per name, closed by {@link #stop}. */
  public EventRecorder events(String component) {
    return recorders.computeIfAbsent(component, c -> new EventRecorder(client, c, identity));
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
    recorders.values().forEach(EventRecorder::close);
    recorders.clear();
  }
}
