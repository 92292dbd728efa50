package io.planet.cli;

import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet scheduler}: assigns pending pods to nodes until interrupted. */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
    description = "Assign pods to nodes, as a client of the API server.")
final class SchedulerCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", required = true, description = "kubeconfig file of the API server")
  Path kubeconfig;

  @Option(names = "--leader-elect", defaultValue = "true", arity = "0..1", fallbackValue = "true",
      description = "Elect a leader through the Lease kube-system/kube-scheduler; only the leader schedules (default: ${DEFAULT-VALUE})")
  boolean leaderElect;

  @Option(names = "--leader-elect-lease-duration", defaultValue = "15s", description = "How long a lease lasts without renewal (default: ${DEFAULT-VALUE})")
  String leaseDuration;

  @Option(names = "--leader-elect-renew-deadline", defaultValue = "10s", description = "How long the leader tries to renew before giving up (default: ${DEFAULT-VALUE})")
  String renewDeadline;

  @Option(names = "--leader-elect-retry-period", defaultValue = "2s", description = "Wait between attempts to acquire or renew (default: ${DEFAULT-VALUE})")
  String retryPeriod;

  @Option(names = "--bind-address", defaultValue = "127.0.0.1", description = "Address for /healthz and /metrics (default: ${DEFAULT-VALUE})")
  String bindAddress;

  @Option(names = {"--port", "--secure-port"}, defaultValue = "10259", description = "Port for /healthz and /metrics, plain HTTP (default: ${DEFAULT-VALUE})")
  int port;

  @Override
  public Integer call() {
    Duration lease;
    Duration renew;
    Duration retry;
    try {
      lease = Durations.parse(leaseDuration);
      renew = Durations.parse(renewDeadline);
      retry = Durations.parse(retryPeriod);
    } catch (IllegalArgumentException e) {
      System.err.println("planet scheduler: " + e.getMessage());
      return 2;
    }
    if (leaderElect && (renew.compareTo(lease) >= 0 || retry.compareTo(renew) >= 0)) {
      System.err.println("planet scheduler: need retry period < renew deadline < lease duration");
      return 2;
    }
    SchedulerOptions options = SchedulerOptions.defaults().withLeaderElection(leaderElect, lease, renew, retry)
        .withServing(bindAddress, port);
    SchedulerServer server;
    try {
      server = SchedulerServer.start(kubeconfig, options);
    } catch (SchedulerServer.StartupException e) {
      System.err.println("planet scheduler: " + e.getMessage());
      return 1;
    }
    System.err.println("planet scheduler: running as " + server.identity() + ", health and metrics on http://" + bindAddress
        + ":" + server.port() + (leaderElect ? ", waiting for the lease kube-system/kube-scheduler" : ""));
    Foreground.awaitShutdown(() -> server.close());
    return 0;
  }
}
