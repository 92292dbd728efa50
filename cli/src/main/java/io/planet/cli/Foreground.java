package io.planet.cli;

import java.util.concurrent.CountDownLatch;

/** Long-running commands stay in the foreground until the process is asked to stop (Ctrl-C, SIGTERM). */
final class Foreground {
  private Foreground() {}

  /** Blocks until shutdown, running {@code onShutdown} (closing the component) before the process exits. */
  static void awaitShutdown(Runnable onShutdown) {
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      onShutdown.run();
      done.countDown();
    }));
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
