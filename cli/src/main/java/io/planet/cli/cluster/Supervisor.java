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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the components running: checks each one's health every few seconds and, after
 * {@link Supervised#FAILURES_BEFORE_RESTART} failed checks in a row, restarts it with exponential back-off (1 s
 * doubling to 60 s). Writes what it sees to a file {@code planet status} reads. Components stop in reverse order.
 */
final class Supervisor implements AutoCloseable {
  static final Duration CHECK_PERIOD = Duration.ofSeconds(3);

  private final List<Supervised<?>> components = new ArrayList<>();
  private final Path stateFile;
  private final Consumer<String> log;
  private ScheduledExecutorService checks;

  Supervisor(Path stateFile, Consumer<String> log) {
    this.stateFile = stateFile;
    this.log = log;
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
    return c;
  }

  void watch() {
    checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "planet-supervisor");
      t.setDaemon(true);
      return t;
    });
    checks.scheduleWithFixedDelay(this::round, CHECK_PERIOD.toMillis(), CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void round() {
    List<Supervised<?>> snapshot;
    synchronized (components) {
      snapshot = List.copyOf(components);
    }
    for (Supervised<?> c : snapshot) {
      if (c.check() || c.failedChecks < Supervised.FAILURES_BEFORE_RESTART || Instant.now().isBefore(c.notBefore)) continue;
      String reason = c.failedChecks + " failed health checks" + (c.lastFailure.isEmpty() ? "" : " (" + c.lastFailure + ")");
      log.accept("supervisor: restarting " + c.name + " after " + reason + " (restart " + (c.restarts + 1)
          + ", next back-off " + c.backoff.toSeconds() + " s)");
      c.restart(reason);
    }
    try {
      save(snapshot);
    } catch (IOException e) {
      log.accept("supervisor: cannot write " + stateFile + ": " + e.getMessage());
    }
  }

  void save() throws IOException {
    synchronized (components) {
      save(List.copyOf(components));
    }
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
    if (checks != null) {
      checks.shutdownNow();
      try {
        checks.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
    java.util.Collections.reverse(reversed);
    for (Supervised<?> c : reversed) {
      long t0 = System.nanoTime();
      c.stop();
      log.accept("stopped " + c.name + " (" + Phases.seconds(t0) + ")");
    }
  }
}
