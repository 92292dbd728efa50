package io.planet.controllers.runtime;

import java.time.Duration;

/**
 * Lease-based leader election settings (upstream's --leader-elect* flags and defaults).
 *
 * @param enabled whether to elect at all; a lone manager may run without
 * @param namespace and name the Lease that holds the lock
 * @param identity this instance's holder identity
 */
public record LeaderElection(boolean enabled, String namespace, String name, String identity,
    Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

  public static LeaderElection defaults(String identity) {
    return new LeaderElection(true, "kube-system", "kube-controller-manager", identity,
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  public LeaderElection withTimings(Duration lease, Duration renew, Duration retry) {
    return new LeaderElection(enabled, namespace, name, identity, lease, renew, retry);
  }

  public LeaderElection withEnabled(boolean e) {
    return new LeaderElection(e, namespace, name, identity, leaseDuration, renewDeadline, retryPeriod);
  }
}
