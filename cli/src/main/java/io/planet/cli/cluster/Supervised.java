package io.planet.cli.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One component of the cluster under supervision: how to start it (giving something to close), how to tell it is
 * healthy, optionally how to learn at once that it exited (a child process), and what happened to it (restarts, the
 * last failure, the back-off before its next restart), which {@code planet status} shows.
 */
final class Supervised<T extends AutoCloseable> {
  /** After this many failed checks in a row the component is restarted. */
  static final int FAILURES_BEFORE_RESTART = 3;
  static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
  static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
  /** Healthy this long after a restart, the back-off starts over. */
  static final Duration BACKOFF_RESET = Duration.ofMinutes(5);

  /** running: healthy; unhealthy: failing checks, not yet restarted; back-off: down, waiting to be restarted. */
  enum State { RUNNING, UNHEALTHY, BACKOFF }

  final String name;
  private final Callable<T> starter;
  private final Predicate<T> health;
  private Function<T, CompletableFuture<String>> exit;
  private volatile T instance;
  volatile int restarts;
  volatile int failedChecks;
  volatile String lastFailure = "";
  volatile Instant lastRestart;
  volatile boolean healthy;
  volatile State state = State.UNHEALTHY;
  /** The wait before the next restart; doubles with every restart up to {@link #BACKOFF_MAX}. */
  volatile Duration backoff = BACKOFF_INITIAL;
  /** When the pending restart is due (state BACKOFF). */
  volatile Instant restartAt;

  Supervised(String name, Callable<T> starter, Predicate<T> health) {
    this.name = name;
    this.starter = starter;
    this.health = health;
  }

  /** {@code exit} completes, with why, when the instance exits (a process), so it is restarted without waiting for checks. */
  Supervised<T> exitedWhen(Function<T, CompletableFuture<String>> exit) {
    this.exit = exit;
    return this;
  }

  T instance() {
    return instance;
  }

  /** The current instance's exit, or null when it has none to tell. */
  CompletableFuture<String> exit() {
    T i = instance;
    return i == null || exit == null ? null : exit.apply(i);
  }

  void start() throws Exception {
    instance = starter.call();
    healthy = true;
    failedChecks = 0;
    state = State.RUNNING;
  }

  /** One health check; false also when it throws or the instance exited. */
  boolean check() {
    T i = instance;
    boolean ok;
    try {
      CompletableFuture<String> e = exit();
      ok = i != null && (e == null || !e.isDone()) && health.test(i);
    } catch (RuntimeException e) {
      ok = false;
      lastFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    healthy = ok;
    if (ok) {
      failedChecks = 0;
      state = State.RUNNING;
      if (lastRestart != null && Instant.now().isAfter(lastRestart.plus(BACKOFF_RESET))) backoff = BACKOFF_INITIAL;
    } else {
      failedChecks++;
      state = State.UNHEALTHY;
    }
    return ok;
  }

  /** Why the instance exited, when it did. */
  String exitReason() {
    CompletableFuture<String> e = exit();
    return e != null && e.isDone() ? e.getNow("exited") : null;
  }

  /** Down for {@code reason}: its restart is due after the current back-off. */
  Duration down(String reason) {
    lastFailure = reason;
    healthy = false;
    state = State.BACKOFF;
    Duration delay = backoff;
    restartAt = Instant.now().plus(delay);
    return delay;
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

  /** Stops and starts again; counted as a restart whether or not the start works, and the back-off doubles. */
  void restart() throws Exception {
    restarts++;
    lastRestart = Instant.now();
    restartAt = null;
    backoff = next(backoff);
    stop();
    start();
  }

  /** 1 s, 2 s, 4 s … 60 s. */
  static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : doubled;
  }
}
