package io.planet.node.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service proxy (kube-proxy, iptables mode): watches Services and EndpointSlices and keeps the node's iptables
 * rules equal to {@link ProxyRules} of them. Events ask for a sync, run at most once per {@code minSyncPeriod}; a full
 * resync every {@code syncPeriod} re-applies the rules even when nothing changed (repairing tampering). Stopping
 * leaves the rules in place, as upstream: traffic keeps flowing while the proxy restarts.
 */
public final class Proxier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Proxier.class);

  /** Upstream's defaults (--iptables-min-sync-period, --iptables-sync-period). */
  public record Options(String nodeName, String clusterCidr, Duration minSyncPeriod, Duration syncPeriod) {
    public static Options defaults(String nodeName, String clusterCidr) {
      return new Options(nodeName, clusterCidr, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private final ProxyRules rules;
  private final Iptables iptables = new Iptables();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "proxier-sync");
    t.setDaemon(true);
    return t;
  });
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> slices;
  private ScheduledFuture<?> pending;
  private long lastSyncNanos;
  private String lastApplied;
  private volatile long syncs;

  public Proxier(KubernetesClient client, Options options) {
    this.client = client;
    this.options = options;
    this.rules = new ProxyRules(options.clusterCidr());
  }

  /** Starts watching; the first sync runs once both caches are filled, so no rule is removed for lack of data. */
  public void start() {
    ResourceEventHandler<Object> onChange = new ResourceEventHandler<>() {
      @Override
      public void onAdd(Object obj) {
        requestSync();
      }

      @Override
      public void onUpdate(Object oldObj, Object newObj) {
        requestSync();
      }

      @Override
      public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
        requestSync();
      }
    };
    services = client.services().inAnyNamespace().runnableInformer(0);
    services.addEventHandler(cast(onChange));
    slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
    slices.addEventHandler(cast(onChange));
    CompletableFuture.allOf(services.start().toCompletableFuture(), slices.start().toCompletableFuture())
        .thenRun(() -> {
          log.info("proxy on node {}: caches synced, programming iptables", options.nodeName());
          requestSync();
        });
    long period = options.syncPeriod().toMillis();
    executor.scheduleWithFixedDelay(() -> sync(true), period, period, TimeUnit.MILLISECONDS);
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> h) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
  }

  /** Asks for a sync: runs now, or when {@code minSyncPeriod} since the last one has passed; requests coalesce. */
  public synchronized void requestSync() {
    if (pending != null && !pending.isDone()) return;
    if (services == null || !services.hasSynced() || !slices.hasSynced()) return;
    long wait = Math.max(0, lastSyncNanos + options.minSyncPeriod().toNanos() - System.nanoTime());
    pending = executor.schedule(() -> sync(false), wait, TimeUnit.NANOSECONDS);
  }

  /** How many times the rules have been applied to iptables (for tests and metrics). */
  public long syncs() {
    return syncs;
  }

  private void sync(boolean full) {
    synchronized (this) {
      lastSyncNanos = System.nanoTime();
      // an event arriving from here on needs a sync of its own
      if (!full) pending = null;
    }
    if (services == null || !services.hasSynced() || !slices.hasSynced()) return;
    try {
      List<ServicePort> ports = ServicePorts.of(services.getStore().list(), slices.getStore().list());
      ProxyRules.Ruleset ruleset = rules.build(ports);
      String wanted = ruleset.restoreInput(Set.of(), Set.of());
      if (!full && wanted.equals(lastApplied)) return;
      iptables.ensureJumps();
      iptables.restore(ruleset.restoreInput(iptables.chains("nat"), iptables.chains("filter")));
      lastApplied = wanted;
      syncs++;
      log.debug("proxy: applied rules for {} service ports", ports.size());
    } catch (IOException | RuntimeException e) {
      // keep the last good rules; the next event or resync tries again
      lastApplied = null;
      if (executor.isShutdown()) {
        // close() interrupted this sync: the rules stay as they were, nothing to retry
        log.debug("proxy: sync interrupted by close: {}", e.getMessage());
        return;
      }
      log.warn("proxy: sync failed: {}", e.getMessage());
      synchronized (this) {
        if (pending == null || pending.isDone()) {
          pending = executor.schedule(() -> sync(false), options.minSyncPeriod().toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  /** Stops watching; the rules stay (see {@link #cleanup()}). */
  @Override
  public void close() {
    if (services != null) services.close();
    if (slices != null) slices.close();
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Removes every rule and chain the proxy makes (upstream's --cleanup). */
  public static void cleanup() throws IOException {
    new Iptables().cleanup();
  }
}
