package io.planet.controllers.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a set of controllers against one API server: one shared informer factory, controllers started only while this
 * instance holds the Lease, and /healthz + /metrics on a small HTTP port.
 */
public final class ControllerManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);

  private final KubernetesClient client;
  private final Map<String, Function<KubernetesClient, Controller>> factories;
  private final LeaderElection election;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HealthServer health;
  private final CompletableFuture<Void> lostLeadership = new CompletableFuture<>();
  private CompletableFuture<?> electing;
  private final ExecutorService electionThreads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "leader-election");
    t.setDaemon(true);
    return t;
  });
  private Informers informers;
  private final List<Controller> running = new ArrayList<>();
  private volatile boolean leading;
  private volatile boolean closing;

  /**
   * @param factories the enabled controllers by name, in start order
   * @param port the /healthz and /metrics port (0 picks a free one)
   */
  public ControllerManager(KubernetesClient client, Map<String, Function<KubernetesClient, Controller>> factories,
      LeaderElection election, String bindAddress, int port) throws IOException {
    this.client = client;
    this.factories = factories;
    this.election = election;
    this.health = new HealthServer(bindAddress, port, registry, () -> true);
  }

  public int port() {
    return health.port();
  }

  public boolean isLeader() {
    return leading;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Completes when this instance held the lease and lost it (upstream then exits). */
  public CompletableFuture<Void> lostLeadership() {
    return lostLeadership;
  }

  public ControllerManager start() {
    if (!election.enabled()) {
      startControllers();
      return this;
    }
    LeaseLock lock = new LeaseLock(election.namespace(), election.name(), election.identity());
    LeaderElectionConfig config = new LeaderElectionConfig(lock, election.leaseDuration(), election.renewDeadline(),
        election.retryPeriod(), new LeaderCallbacks(this::startControllers, this::stopLeading,
            leader -> LOG.info("leader is now {}", leader)), true, election.name());
    electing = new LeaderElector(client, config, electionThreads).start();
    return this;
  }

  private synchronized void startControllers() {
    LOG.info("{}: starting controllers {}", election.identity(), factories.keySet());
    informers = new Informers(client, registry, election.identity());
    for (Map.Entry<String, Function<KubernetesClient, Controller>> e : factories.entrySet()) {
      Controller c = e.getValue().apply(client);
      c.setUp(informers);
      running.add(c);
    }
    informers.start();
    running.forEach(c -> c.start(registry));
    leading = true;
  }

  private void stopLeading() {
    boolean was = leading;
    stopControllers();
    if (was && !closing) {
      LOG.warn("{}: leader election lost", election.identity());
      lostLeadership.complete(null);
    }
  }

  private synchronized void stopControllers() {
    leading = false;
    running.forEach(Controller::stop);
    running.clear();
    if (informers != null) informers.stop();
    informers = null;
  }

  @Override
  public void close() {
    closing = true;
    if (electing != null) electing.cancel(true);
    stopControllers();
    electionThreads.shutdown();
    health.close();
  }
}
