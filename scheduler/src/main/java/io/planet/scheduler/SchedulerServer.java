package io.planet.scheduler;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scheduler process: the API client, the informers, /healthz and /metrics, and leader election on the Lease
 * kube-system/kube-scheduler (only the leader schedules). Used by {@code planet scheduler} and by tests in-process.
 */
public final class SchedulerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchedulerServer.class);

  /** A start-up problem the user can fix, with a one-line message. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message) {
      super(message);
    }
  }

  private final KubernetesClient client;
  private final Scheduler scheduler;
  private final HealthServer health;
  private final ExecutorService electionExecutor;
  private final LeaderElectionConfig electionConfig;
  private volatile CompletableFuture<?> election;
  private volatile boolean closed;
  private final SchedulerOptions options;

  private SchedulerServer(KubernetesClient client, SchedulerOptions options) {
    this.client = client;
    this.options = options;
    try {
      client.getKubernetesVersion();
    } catch (RuntimeException e) {
      client.close();
      throw new StartupException("cannot reach the API server at " + client.getConfiguration().getMasterUrl() + ": "
          + rootMessage(e));
    }
    scheduler = new Scheduler(client, options.identity());
    try {
      scheduler.start(Duration.ofSeconds(60));
    } catch (IllegalStateException e) {
      client.close();
      throw new StartupException(e.getMessage());
    }
    try {
      health = new HealthServer(options.bindAddress(), options.port(), scheduler.metrics()::scrape);
    } catch (IOException e) {
      scheduler.close();
      client.close();
      throw new StartupException("cannot serve health on " + options.bindAddress() + ":" + options.port() + ": " + e.getMessage());
    }
    if (options.leaderElect()) {
      electionExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scheduler-leader-election");
        t.setDaemon(true);
        return t;
      });
      electionConfig = new LeaderElectionConfig(
          new LeaseLock(SchedulerOptions.LEASE_NAMESPACE, SchedulerOptions.LEASE_NAME, options.identity()),
          options.leaseDuration(), options.renewDeadline(), options.retryPeriod(),
          new LeaderCallbacks(scheduler::startScheduling, scheduler::stopScheduling,
              leader -> log.info("leader is now {}", leader)),
          true, "kube-scheduler");
      elect();
    } else {
      electionExecutor = null;
      electionConfig = null;
      scheduler.startScheduling();
    }
  }

  /**
   * Campaigns for the lease. fabric8's elector ends once leadership is lost (upstream's scheduler exits then); in-process
   * we stop scheduling and campaign again, so an API server outage longer than the renew deadline does not end it.
   */
  private void elect() {
    if (closed) return;
    election = new LeaderElector(client, electionConfig, electionExecutor).start();
    election.whenComplete((ok, err) -> {
      if (closed) return;
      log.warn("lost the lease {}/{}; campaigning again", SchedulerOptions.LEASE_NAMESPACE, SchedulerOptions.LEASE_NAME);
      elect();
    });
  }

  /** Starts a scheduler with the API server named in a kubeconfig file. */
  public static SchedulerServer start(Path kubeconfig, SchedulerOptions options) {
    String contents;
    try {
      contents = Files.readString(kubeconfig);
    } catch (NoSuchFileException e) {
      throw new StartupException("kubeconfig " + kubeconfig + " does not exist");
    } catch (IOException e) {
      throw new StartupException("cannot read kubeconfig " + kubeconfig + ": " + e.getMessage());
    }
    Config config;
    try {
      config = Config.fromKubeconfig(contents);
    } catch (RuntimeException e) {
      throw new StartupException("invalid kubeconfig " + kubeconfig + ": " + rootMessage(e));
    }
    config.setRequestRetryBackoffLimit(3);
    return start(config, options);
  }

  public static SchedulerServer start(Config config, SchedulerOptions options) {
    return start(new KubernetesClientBuilder().withConfig(config).build(), options);
  }

  /** On a client made by the caller (which may share its serialization with the other clients of the process). */
  public static SchedulerServer start(KubernetesClient client, SchedulerOptions options) {
    return new SchedulerServer(client, options);
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public String identity() {
    return options.identity();
  }

  /** The port /healthz and /metrics are served on. */
  public int port() {
    return health.port();
  }

  /** Stops scheduling, gives up the lease (so another instance takes over at once) and disconnects. */
  @Override
  public void close() {
    closed = true;
    CompletableFuture<?> e = election;
    if (e != null) e.cancel(true);
    scheduler.close();
    health.close();
    if (electionExecutor != null) electionExecutor.shutdownNow();
    client.close();
  }

  /** The most telling message in a cause chain (fabric8 wraps network errors in "An error has occurred."). */
  private static String rootMessage(Throwable e) {
    String last = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
        return "connection refused";
      }
      if (t instanceof java.net.UnknownHostException) return "unknown host " + t.getMessage();
      if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
        return "timed out";
      }
      if (t.getMessage() != null) last = t.getMessage();
    }
    if (last == null) return e.getClass().getSimpleName();
    int nl = last.indexOf('\n');
    return nl < 0 ? last : last.substring(0, nl).trim();
  }
}
