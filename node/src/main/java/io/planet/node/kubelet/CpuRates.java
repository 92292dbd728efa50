package io.planet.node.kubelet;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * usageNanoCores of the stats summary: CPU time is cumulative, so a rate needs two samples. The previous sample of
 * each cgroup is kept; a request reports the rate since it (none on the first). The kept sample is replaced only once
 * it is a second old, so clients polling quickly still see a rate over a window of at least that.
 */
final class CpuRates {
  static final long MIN_WINDOW_NANOS = 1_000_000_000L;

  private record Sample(long monotonicNanos, long usageNanos) {}

  private final Map<String, Sample> previous = new ConcurrentHashMap<>();

  /** Records {@code usageNanos} of {@code key} taken at {@code monotonicNanos}; the rate since the kept sample. */
  OptionalLong rate(String key, long monotonicNanos, long usageNanos) {
    Sample before = previous.get(key);
    if (before == null || usageNanos < before.usageNanos) {
      // first sight, or a new cgroup under the same name (its counter restarted)
      previous.put(key, new Sample(monotonicNanos, usageNanos));
      return OptionalLong.empty();
    }
    long window = monotonicNanos - before.monotonicNanos;
    if (window >= MIN_WINDOW_NANOS) previous.put(key, new Sample(monotonicNanos, usageNanos));
    if (window <= 0) return OptionalLong.empty();
    return OptionalLong.of(Math.round((usageNanos - before.usageNanos) * 1e9 / window));
  }

  /** Forgets the samples of cgroups that are gone. */
  void retain(Set<String> keys) {
    previous.keySet().retainAll(keys);
  }
}
