package io.planet.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor with real in-process components: a component whose health fails is restarted after three failed
 * checks, the back-off doubles with every restart, restarts are counted in the state file {@code planet status}
 * reads, a component that keeps failing shows unhealthy, a restart whose start throws is tried again later, and a
 * component that exits is restarted without waiting for checks.
 */
class SupervisorTest {
  static final Duration PERIOD = Duration.ofMillis(100);

  @TempDir Path dir;
  final List<String> log = new CopyOnWriteArrayList<>();
  Supervisor supervisor;

  /** A component: healthy until told otherwise, exits when told to; remembers when each instance started. */
  static final class Component implements AutoCloseable {
    final long startedNanos = System.nanoTime();
    volatile boolean healthy;
    final CompletableFuture<String> exit = new CompletableFuture<>();
    volatile boolean closed;

    Component(boolean healthy) {
      this.healthy = healthy;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Starts components; the first starts healthy, later ones as {@code laterHealthy}; the starts listed in failing throw. */
  static final class Starter {
    final List<Component> started = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean laterHealthy;
    final List<Integer> failing = new ArrayList<>();

    Component start() throws IOException {
      int n = calls.incrementAndGet();
      if (failing.contains(n)) throw new IOException("start " + n + " failed on purpose");
      Component c = new Component(started.isEmpty() || laterHealthy);
      started.add(c);
      return c;
    }
  }

  Supervisor supervisor() {
    supervisor = new Supervisor(dir.resolve("components.json"), log::add, PERIOD);
    return supervisor;
  }

  @AfterEach
  void close() {
    if (supervisor != null) supervisor.close();
  }

  JsonNode state(String name) throws IOException {
    for (JsonNode c : ClusterConfig.JSON.readTree(dir.resolve("components.json").toFile()).path("components")) {
      if (c.path("name").asText().equals(name)) return c;
    }
    throw new AssertionError("no " + name + " in the state file");
  }

  @Test
  void failingHealthRestartsWithDoublingBackOffAndKeepsFailingShowsUnhealthy() throws Exception {
    Starter starter = new Starter();
    Supervisor s = supervisor();
    Supervised<Component> c = s.start(new Supervised<>("flaky", starter::start, x -> x.healthy));
    s.watch();
    long failedAt = System.nanoTime();
    starter.started.get(0).healthy = false;

    // three failed checks (0.3 s), then the first back-off (1 s)
    Eventually.atMost(Duration.ofSeconds(10)).until(() -> starter.started.size() == 2);
    assertThat(starter.started.get(0).closed).isTrue();
    assertThat((starter.started.get(1).startedNanos - failedAt) / 1e9).isBetween(1.2, 3.0);
    assertThat(log).anyMatch(l -> l.contains("supervisor: flaky is down (3 failed health checks); restarting it in 1 s (back-off; restart 1)"));

    // the new instances stay unhealthy: the waits before restarts 2, 3 and 4 are 2, 4 and 8 s
    Eventually.atMost(Duration.ofSeconds(30)).until(() -> starter.started.size() == 4);
    double second = (starter.started.get(2).startedNanos - starter.started.get(1).startedNanos) / 1e9;
    double third = (starter.started.get(3).startedNanos - starter.started.get(2).startedNanos) / 1e9;
    assertThat(second).isBetween(2.2, 4.0);
    assertThat(third).isBetween(4.2, 6.0);
    assertThat(log).anyMatch(l -> l.contains("restarting it in 4 s (back-off; restart 3)"));
    assertThat(c.restarts).isEqualTo(3);
    assertThat(c.backoff).isEqualTo(Duration.ofSeconds(8));

    // what planet status reads: counted restarts, unhealthy, waiting out its back-off
    Eventually.atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonNode o = state("flaky");
      assertThat(o.path("restarts").asInt()).isEqualTo(3);
      assertThat(o.path("healthy").asBoolean()).isFalse();
      assertThat(o.path("state").asText()).isEqualTo("back-off");
      assertThat(o.path("backoffSeconds").asInt()).isEqualTo(8);
      assertThat(o.path("lastFailure").asText()).contains("failed health checks");
    });

    // healthy again: running, the restarts stay counted
    starter.started.get(3).healthy = true;
    starter.laterHealthy = true;
    Eventually.atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      JsonNode o = state("flaky");
      assertThat(o.path("state").asText()).isEqualTo("running");
      assertThat(o.path("healthy").asBoolean()).isTrue();
      assertThat(o.path("restarts").asInt()).isGreaterThanOrEqualTo(3);
    });
  }

  @Test
  void backOffDoublesUpToOneMinute() {
    List<Long> seconds = new ArrayList<>();
    Duration d = Supervised.BACKOFF_INITIAL;
    for (int i = 0; i < 9; i++) {
      seconds.add(d.toSeconds());
      d = Supervised.next(d);
    }
    assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
  }

  @Test
  void aRestartWhoseStartThrowsIsTriedAgainLater() throws Exception {
    Starter starter = new Starter();
    starter.laterHealthy = true;
    starter.failing.add(2); // the first restart's start throws
    Supervisor s = supervisor();
    Supervised<Component> c = s.start(new Supervised<>("stubborn", starter::start, x -> x.healthy));
    s.watch();
    starter.started.get(0).healthy = false;

    Eventually.atMost(Duration.ofSeconds(15)).until(() -> starter.started.size() == 2);
    assertThat(starter.calls.get()).isEqualTo(3);
    assertThat(log).anyMatch(l -> l.contains("supervisor: stubborn is down (restart 1 failed: start 2 failed on purpose);"
        + " restarting it in 2 s (back-off; restart 2)"));
    Eventually.atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonNode o = state("stubborn");
      assertThat(o.path("state").asText()).isEqualTo("running");
      assertThat(o.path("restarts").asInt()).isEqualTo(2);
    });
    assertThat(c.instance()).isSameAs(starter.started.get(1));
  }

  @Test
  void anExitedComponentIsRestartedWithoutWaitingForChecks() throws Exception {
    Starter starter = new Starter();
    starter.laterHealthy = true;
    // checks every 10 s: only the exit can bring the restart this soon
    supervisor = new Supervisor(dir.resolve("components.json"), log::add, Duration.ofSeconds(10));
    Supervised<Component> c = supervisor.start(new Supervised<>("child", starter::start, x -> x.healthy)
        .exitedWhen(x -> x.exit));
    supervisor.watch();
    long t0 = System.nanoTime();
    starter.started.get(0).exit.complete("child exited with 137 (signal 9)");

    // the restart is logged once the new instance's start has returned
    Eventually.atMost(Duration.ofSeconds(5)).until(() -> starter.started.size() == 2
        && log.stream().anyMatch(l -> l.startsWith("supervisor: restarted child (restart 1,")));
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
    assertThat(log).anyMatch(l -> l.contains("supervisor: child is down (child exited with 137 (signal 9)); restarting it in 1 s"));
    // the new instance's exit is watched too
    starter.started.get(1).exit.complete("child exited with 1");
    Eventually.atMost(Duration.ofSeconds(6)).until(() -> starter.started.size() == 3);
    assertThat(c.restarts).isEqualTo(2);
    assertThat(Files.exists(dir.resolve("components.json"))).isTrue();
  }
}
