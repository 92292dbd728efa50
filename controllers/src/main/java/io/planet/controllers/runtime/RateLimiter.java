package io.planet.controllers.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * client-go's default controller rate limiter: the larger of a per-item exponential back-off (5 ms doubling up to
 * 1000 s) and an overall token bucket (10 qps, burst 100) shared by every item.
 */
public final class RateLimiter {
  private final long baseNanos;
  private final long maxNanos;
  private final double qps;
  private final int burst;
  private final Map<String, Integer> failures = new HashMap<>();
  private double tokens;
  private long lastRefill = System.nanoTime();

  public RateLimiter(Duration base, Duration max, double qps, int burst) {
    this.baseNanos = base.toNanos();
    this.maxNanos = max.toNanos();
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
  }

  public static RateLimiter controllerDefault() {
    return new RateLimiter(Duration.ofMillis(5), Duration.ofSeconds(1000), 10, 100);
  }

  /** How long the item should wait before its next try; counts a failure. */
  public synchronized Duration when(String item) {
    int n = failures.merge(item, 1, Integer::sum) - 1;
    long backoff = n >= 62 ? maxNanos : (long) Math.min((double) maxNanos, baseNanos * Math.pow(2, n));
    return Duration.ofNanos(Math.max(backoff, bucketDelay()));
  }

  public synchronized int retries(String item) {
    return failures.getOrDefault(item, 0);
  }

  /** The item succeeded: its back-off starts again from the base delay. */
  public synchronized void forget(String item) {
    failures.remove(item);
  }

  /** Takes a token; with none left the bucket goes into debt (Go's rate.Limiter) and the wait pays it back. */
  private long bucketDelay() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastRefill) / 1e9 * qps);
    lastRefill = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) (-tokens / qps * 1e9);
  }
}
