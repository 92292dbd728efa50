package io.planet.cli.cluster;

import java.io.PrintStream;
import java.util.Locale;

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

  void line(String text) {
    out.println(prefix + ": " + text);
    out.flush();
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
