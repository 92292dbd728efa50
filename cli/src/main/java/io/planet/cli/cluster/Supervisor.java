package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the components running: checks each one's health every few seconds and, after
 * {@link Supervised#FAILURES_BEFORE_RESTART} failed checks in a row (at once when a child process exits), restarts it
 * after a back-off that doubles with every restart (1 s, 2 s, 4 s … 60 s; back to 1 s after 5 minutes healthy),
 * like the kubelet's CrashLoopBackOff. A restart whose start fails is tried again after the next back-off. Writes
 * what it sees to a file {@code planet status} reads. Components stop in reverse order.
 */
final class Supervisor implements AutoCloseable {
  static final Duration CHECK_PERIOD = Duration.ofSeconds(3);

  private final List<Supervised<?>> components = new ArrayList<>();
  private final Path stateFile;
  private final Consumer<String> log;
  private final Duration checkPeriod;
  /** Checks, restarts and exits are handled one at a time on this thread. */
  private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "planet-supervisor");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean watching;

  Supervisor(Path stateFile, Consumer<String> log) {
    this(stateFile, log, CHECK_PERIOD);
  }

  Supervisor(Path stateFile, Consumer<String> log, Duration checkPeriod) {
    this.stateFile = stateFile;
    this.log = log;
    this.checkPeriod = checkPeriod;
  }

  /**
   * Adds {@code c}, not yet started, to the components: they stop in reverse order of registration whatever order
   * their (concurrent) starts end in, and a component whose start is still running is stopped with the others.
   */
  <T extends AutoCloseable> Supervised<T> register(Supervised<T> c) {
    synchronized (components) {
      components.add(c);
    }
    return c;
  }

  /** Starts {@code c} now (failing the start when it fails) and supervises it from then on. */
  <T extends AutoCloseable> Supervised<T> start(Supervised<T> c) throws Exception {
    synchronized (components) {
      if (!components.contains(c)) components.add(c);
    }
    c.start();
    onExit(c);
    return c;
  }

  void watch() {
    watching = true;
    checks.scheduleWithFixedDelay(this::round, checkPeriod.toMillis(), checkPeriod.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** When the current instance exits, it goes down at once (not after three checks). */
  private void onExit(Supervised<?> c) {
    CompletableFuture<String> exit = c.exit();
    if (exit == null) return;
    Object instance = c.instance();
    exit.whenComplete((reason, e) -> {
      if (!watching || checks.isShutdown()) return;
      try {
        checks.execute(() -> {
          if (c.instance() != instance || c.state == Supervised.State.BACKOFF) return;
          c.check();
          down(c, reason == null ? "exited" : reason);
        });
      } catch (RejectedExecutionException stopping) {
        // the supervisor is closing
      }
    });
  }

  private void round() {
    try {
      for (Supervised<?> c : snapshot()) {
        if (c.state == Supervised.State.BACKOFF) continue; // its restart is scheduled
        if (c.check()) continue;
        String exited = c.exitReason();
        if (exited != null) {
          down(c, exited);
        } else if (c.failedChecks >= Supervised.FAILURES_BEFORE_RESTART) {
          down(c, c.failedChecks + " failed health checks" + (c.lastFailure.isEmpty() ? "" : " (" + c.lastFailure + ")"));
        }
      }
      saveQuietly();
    } catch (RuntimeException e) {
      log.accept("supervisor: check failed: " + e);
    }
  }

  /** Schedules {@code c}'s restart after its back-off. */
  private void down(Supervised<?> c, String reason) {
    Duration delay = c.down(reason);
    log.accept("supervisor: " + c.name + " is down (" + reason + "); restarting it in " + delay.toSeconds()
        + " s (back-off; restart " + (c.restarts + 1) + ")");
    saveQuietly();
    try {
      checks.schedule(() -> restart(c), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // the supervisor is closing
    }
  }

  private void restart(Supervised<?> c) {
    if (checks.isShutdown()) return;
    long t0 = System.nanoTime();
    try {
      c.restart();
      log.accept("supervisor: restarted " + c.name + " (restart " + c.restarts + ", " + Phases.seconds(t0)
          + "); next back-off " + c.backoff.toSeconds() + " s");
      onExit(c);
      saveQuietly();
    } catch (Exception e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      down(c, "restart " + c.restarts + " failed: " + why);
    }
  }

  private List<Supervised<?>> snapshot() {
    synchronized (components) {
      return List.copyOf(components);
    }
  }

  private void saveQuietly() {
    try {
      save();
    } catch (IOException e) {
      log.accept("supervisor: cannot write " + stateFile + ": " + e.getMessage());
    }
  }

  synchronized void save() throws IOException {
    save(snapshot());
  }

  private void save(List<Supervised<?>> snapshot) throws IOException {
    ObjectNode root = ClusterConfig.JSON.createObjectNode();
    root.put("updated", Instant.now().toString());
    ArrayNode list = root.putArray("components");
    for (Supervised<?> c : snapshot) {
      ObjectNode o = list.addObject();
      o.put("name", c.name);
      o.put("healthy", c.healthy);
      o.put("restarts", c.restarts);
      o.put("lastFailure", c.lastFailure);
      o.put("lastRestart", c.lastRestart == null ? "" : c.lastRestart.toString());
      o.put("state", c.state.name().toLowerCase(Locale.ROOT).replace("backoff", "back-off"));
      o.put("backoffSeconds", c.backoff.toSeconds());
      o.put("restartAt", c.restartAt == null ? "" : c.restartAt.toString());
    }
    Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
    Files.createDirectories(stateFile.getParent());
    ClusterConfig.JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
    Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Stops supervising, then the components started from {@code name} on, latest first. */
  void closeUntil(String name, Consumer<String> out) {
    stopChecks();
    while (true) {
      Supervised<?> last;
      synchronized (components) {
        if (components.isEmpty()) return;
        last = components.remove(components.size() - 1);
      }
      long t0 = System.nanoTime();
      last.stop();
      out.accept("stopped " + last.name + " (" + Phases.seconds(t0) + ")");
      if (last.name.equals(name)) return;
    }
  }

  private void stopChecks() {
    watching = false;
    checks.shutdownNow();
    try {
      checks.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops supervising, then every component in reverse start order. */
  @Override
  public void close() {
    stopChecks();
    List<Supervised<?>> reversed;
    synchronized (components) {
      reversed = new ArrayList<>(components);
    }
    Collections.reverse(reversed);
    for (Supervised<?> c : reversed) {
      long t0 = System.nanoTime();
      c.stop();
      log.accept("stopped " + c.name + " (" + Phases.seconds(t0) + ")");
    }
  }
}
