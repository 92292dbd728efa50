package io.planet.cli.cluster;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/** One progress line per phase of start or stop, with its timing: "planet start: etcd ready (0.4 s)". */
final class Phases {
  private final String prefix;
  private final PrintStream out;
  private final long started = System.nanoTime();

  Phases(String prefix, PrintStream out) {
    this.prefix = prefix;
    this.out = out;
  }

  /** Runs one phase and prints its line when done. */
  <T> T run(String what, PhaseBody<T> body) throws Exception {
    long t0 = System.nanoTime();
    T result = body.run();
    line(what + (result instanceof String s ? ": " + s : "") + " (" + seconds(t0) + ")");
    return result;
  }

  /** Runs one phase on {@code executor}; its line is printed when it is done, so concurrent phases print in the order they end. */
  <T> CompletableFuture<T> async(String what, Executor executor, PhaseBody<T> body) {
    CompletableFuture<T> f = new CompletableFuture<>();
    executor.execute(() -> {
      try {
        f.complete(run(what, body));
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  /** Waits for every phase (none is left running behind a failure), then throws the first failure. */
  static void await(List<? extends CompletableFuture<?>> phases) throws Exception {
    Exception first = null;
    for (CompletableFuture<?> p : phases) {
      try {
        p.get();
      } catch (ExecutionException e) {
        if (first == null) first = e.getCause() instanceof Exception c ? c : e;
      }
    }
    if (first != null) throw first;
  }

  void line(String text) {
    synchronized (out) {
      out.println(prefix + ": " + text);
      out.flush();
    }
  }

  String total() {
    return seconds(started);
  }

  static String seconds(long t0) {
    return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
  }

  interface PhaseBody<T> {
    T run() throws Exception;
  }
}
