package io.planet.cli.cluster;

import java.util.List;

/** A started component and what to close to stop it (the component, then its API client), in that order. */
record Handle<T>(T value, List<AutoCloseable> closers) implements AutoCloseable {
  static <T> Handle<T> of(T value, AutoCloseable... closers) {
    return new Handle<>(value, List.of(closers));
  }

  @Override
  public void close() {
    for (AutoCloseable c : closers) {
      try {
        c.close();
      } catch (Exception ignored) {
        // stopping regardless
      }
    }
  }
}
