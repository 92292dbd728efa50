package io.planet.cli.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits for a condition with a deadline (the cli module has no Awaitility on its test classpath): polls every 50 ms
 * and fails with the last assertion error once the deadline has passed.
 */
final class Eventually {
  interface Check {
    void run() throws Exception;
  }

  private final Duration atMost;

  private Eventually(Duration atMost) {
    this.atMost = atMost;
  }

  static Eventually atMost(Duration d) {
    return new Eventually(d);
  }

  void until(Callable<Boolean> condition) throws Exception {
    untilAsserted(() -> {
      if (!Boolean.TRUE.equals(condition.call())) throw new AssertionError("condition not met within " + atMost);
    });
  }

  void untilAsserted(Check check) throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) throw e;
      }
      Thread.sleep(50);
    }
  }
}
