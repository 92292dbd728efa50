package io.planet.scheduler;

import java.time.Duration;

/** How a scheduler process runs: leader election and where /healthz and /metrics are served (port 0: any free port). */
public record SchedulerOptions(boolean leaderElect, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
    String bindAddress, int port, String identity) {
  public static final String LEASE_NAMESPACE = "kube-system";
  public static final String LEASE_NAME = "kube-scheduler";

  /** Upstream's defaults: lease 15 s, renew deadline 10 s, retry 2 s; health on 127.0.0.1:10259. */
  public static SchedulerOptions defaults() {
    return new SchedulerOptions(true, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2),
        "127.0.0.1", 10259, defaultIdentity());
  }

  /** The host name plus a random suffix, as upstream's leader election identity. */
  public static String defaultIdentity() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host + "_" + java.util.UUID.randomUUID();
  }

  public SchedulerOptions withLeaderElection(boolean on, Duration lease, Duration renew, Duration retry) {
    return new SchedulerOptions(on, lease, renew, retry, bindAddress, port, identity);
  }

  public SchedulerOptions withServing(String address, int p) {
    return new SchedulerOptions(leaderElect, leaseDuration, renewDeadline, retryPeriod, address, p, identity);
  }

  public SchedulerOptions withIdentity(String id) {
    return new SchedulerOptions(leaderElect, leaseDuration, renewDeadline, retryPeriod, bindAddress, port, id);
  }
}
