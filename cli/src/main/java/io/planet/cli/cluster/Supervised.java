package io.planet.cli.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * One component of the cluster under supervision: how to start it (giving something to close), how to tell it is
 * healthy, and what happened to it (restarts, the last failure), which {@code planet status} shows.
 */
final class Supervised<T extends AutoCloseable> {
  /** After this many failed checks in a row the component is restarted. */
  static final int FAILURES_BEFORE_RESTART = 3;
  static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
  static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
  /** Healthy this long after a restart, the back-off starts over. */
  static final Duration BACKOFF_RESET = Duration.ofMinutes(5);

  final String name;
  private final Callable<T> starter;
  private final Predicate<T> health;
  private volatile T instance;
  volatile int restarts;
  volatile int failedChecks;
  volatile String lastFailure = "";
  volatile Instant lastRestart;
  volatile boolean healthy;
  volatile Duration backoff = BACKOFF_INITIAL;
  volatile Instant notBefore = Instant.EPOCH;

  Supervised(String name, Callable<T> starter, Predicate<T> health) {
    this.name = name;
    this.starter = starter;
    this.health = health;
  }

  T instance() {
    return instance;
  }

  void start() throws Exception {
    instance = starter.call();
    healthy = true;
    failedChecks = 0;
  }

  /** One health check; false also when it throws. */
  boolean check() {
    T i = instance;
    boolean ok;
    try {
      ok = i != null && health.test(i);
    } catch (RuntimeException e) {
      ok = false;
      lastFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    healthy = ok;
    if (ok) {
      failedChecks = 0;
      if (lastRestart != null && Instant.now().isAfter(lastRestart.plus(BACKOFF_RESET))) backoff = BACKOFF_INITIAL;
    } else {
      failedChecks++;
    }
    return ok;
  }

  void stop() {
    T i = instance;
    instance = null;
    if (i == null) return;
    try {
      i.close();
    } catch (Exception e) {
      // stopping anyway: what could not be closed is cleaned up by the node reset
    }
  }

  /** Stops and starts again; on failure the next attempt waits out a doubled back-off. */
  void restart(String reason) {
    lastFailure = reason;
    restarts++;
    lastRestart = Instant.now();
    stop();
    try {
      start();
    } catch (Exception e) {
      lastFailure = reason + "; restart failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      healthy = false;
    }
    notBefore = Instant.now().plus(backoff);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : doubled;
  }
}
