package io.planet.node.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Answers kept for a while (each with its own time to live), bounded so a flood of distinct keys cannot grow it. */
final class ExpiringCache<K, V> {
  private record Entry<V>(V value, Instant expires) {}

  private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int maxSize;

  ExpiringCache(Clock clock, int maxSize) {
    this.clock = clock;
    this.maxSize = maxSize;
  }

  V get(K key) {
    Entry<V> e = entries.get(key);
    if (e == null) return null;
    if (clock.instant().isBefore(e.expires())) return e.value();
    entries.remove(key, e);
    return null;
  }

  void put(K key, V value, Duration ttl) {
    if (ttl.isZero() || ttl.isNegative()) return;
    Instant now = clock.instant();
    if (entries.size() >= maxSize) {
      entries.values().removeIf(e -> !now.isBefore(e.expires()));
      if (entries.size() >= maxSize) entries.clear();
    }
    entries.put(key, new Entry<>(value, now.plus(ttl)));
  }
}
