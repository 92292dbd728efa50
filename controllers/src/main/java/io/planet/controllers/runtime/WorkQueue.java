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
 * a per-key exponential back-off. Delayed adds of every queue share one timer thread; a listener set with
 * {@link #onReady} hears of each key that becomes ready, so that workers can run only while there is work.
 */
public final class WorkQueue {
  /** One timer thread for the delayed adds of all queues (a controller-manager has dozens of queues). */
  private static final ScheduledExecutorService DELAYER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "workqueue-delay");
    t.setDaemon(true);
    return t;
  });

  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> processing = new HashSet<>();
  private final RateLimiter limiter;
  private volatile Runnable onReady = () -> { };
  private final Counter adds;
  private final Counter retries;
  private boolean shuttingDown;

  public WorkQueue(String name, RateLimiter limiter, MeterRegistry registry) {
    this.limiter = limiter;
    Gauge.builder("workqueue.depth", this, WorkQueue::depth).tag("name", name)
        .description("Current depth of the work queue").register(registry);
    this.adds = Counter.builder("workqueue.adds").tag("name", name).description("Keys added").register(registry);
    this.retries = Counter.builder("workqueue.retries").tag("name", name).description("Rate-limited re-adds").register(registry);
  }

  /** Called (outside the queue's lock) whenever a key becomes ready to be taken. */
  public void onReady(Runnable listener) {
    this.onReady = listener;
  }

  public void add(String key) {
    synchronized (this) {
      if (shuttingDown || dirty.contains(key)) return;
      adds.increment();
      dirty.add(key);
      if (processing.contains(key)) return;
      queue.add(key);
      notifyAll();
    }
    onReady.run();
  }

  public void addAfter(String key, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      add(key);
      return;
    }
    synchronized (this) {
      if (shuttingDown) return;
    }
    DELAYER.schedule(() -> add(key), delay.toNanos(), TimeUnit.NANOSECONDS);
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
    return poll();
  }

  /** The next key to process, or null when none is ready (or the queue shut down); never blocks. */
  public synchronized String poll() {
    if (queue.isEmpty()) return null;
    String key = queue.poll();
    processing.add(key);
    dirty.remove(key);
    return key;
  }

  /** Marks a key processed; if it was added meanwhile it is queued again. */
  public void done(String key) {
    synchronized (this) {
      processing.remove(key);
      if (!dirty.contains(key)) return;
      queue.add(key);
      notifyAll();
    }
    onReady.run();
  }

  public synchronized int depth() {
    return queue.size();
  }

  public synchronized void shutDown() {
    shuttingDown = true;
    notifyAll();
  }

  public synchronized boolean isShuttingDown() {
    return shuttingDown;
  }
}
