package io.planet.apiserver.handlers;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The etcd-N component: a read through the API server's etcd client, as upstream's storage prober (a GET of the
 * health key) since 1.23; healthy answers "ok", a failed read is unhealthy with "error getting data from etcd: ...".
 */
public final class EtcdComponentProbe implements ComponentProbe {
  private final Consumer<Duration> read;
  private final Duration timeout;

  /** @param read reads from etcd within the given time, throwing when it cannot */
  public EtcdComponentProbe(Consumer<Duration> read, Duration timeout) {
    this.read = read;
    this.timeout = timeout;
  }

  @Override
  public Result check() {
    try {
      read.accept(timeout);
      return Result.healthy("ok");
    } catch (RuntimeException e) {
      String m = String.valueOf(e.getMessage()).replaceFirst("^etcd is unreachable: ", "");
      return Result.unhealthy("", "error getting data from etcd: " + m);
    }
  }
}
