package io.planet.controllers.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * client-go's rate-limited work queue: a key waits at most once in the queue (dirty set), a key being processed is not
 * handed to a second worker (it goes back in the queue when {@link #done} is called), and failed keys come back after
 * a per-key exponential back-off.
 */
public final class WorkQueue {
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> processing = new HashSet<>();
  private final RateLimiter limiter;
  private final ScheduledExecutorService delayer;
  private final Counter adds;
  private final Counter retries;
  private boolean shuttingDown;

  public WorkQueue(String name, RateLimiter limiter, MeterRegistry registry) {
    this.limiter = limiter;
    this.delayer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-queue-delay");
      t.setDaemon(true);
      return t;
    });
    Gauge.builder("workqueue.depth", this, WorkQueue::depth).tag("name", name)
        .description("Current depth of the work queue").register(registry);
    this.adds = Counter.builder("workqueue.adds").tag("name", name).description("Keys added").register(registry);
    this.retries = Counter.builder("workqueue.retries").tag("name", name).description("Rate-limited re-adds").register(registry);
  }

  public synchronized void add(String key) {
    if (shuttingDown || dirty.contains(key)) return;
    adds.increment();
    dirty.add(key);
    if (processing.contains(key)) return;
    queue.add(key);
    notifyAll();
  }

  public void addAfter(String key, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      add(key);
      return;
    }
    synchronized (this) {
      if (shuttingDown) return;
    }
    delayer.schedule(() -> add(key), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Re-adds a key after its back-off (a failed reconcile). */
  public void addRateLimited(String key) {
    retries.increment();
    addAfter(key, limiter.when(key));
  }

  public void forget(String key) {
    limiter.forget(key);
  }

  public int numRequeues(String key) {
    return limiter.retries(key);
  }

  /** The next key to process, or null once the queue shuts down; blocks while empty. */
  public synchronized String get() throws InterruptedException {
    while (queue.isEmpty() && !shuttingDown) wait();
    if (queue.isEmpty()) return null;
    String key = queue.poll();
    processing.add(key);
    dirty.remove(key);
    return key;
  }

  /** Marks a key processed; if it was added meanwhile it is queued again. */
  public synchronized void done(String key) {
    processing.remove(key);
    if (dirty.contains(key)) {
      queue.add(key);
      notifyAll();
    }
  }

  public synchronized int depth() {
    return queue.size();
  }

  public synchronized void shutDown() {
    shuttingDown = true;
    delayer.shutdownNow();
    notifyAll();
  }

  public synchronized boolean isShuttingDown() {
    return shuttingDown;
  }
}
