package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Pods waiting for a node. Active pods are handed out by priority, then age. A pod no node fits is parked as
 * unschedulable until a cluster event could change the answer ({@link #moveAllToActive}); moved pods still wait out their
 * backoff (1 s doubling to 10 s). If an event arrives while a pod is being scheduled, its failure sends it back at once
 * instead of parking it, so the event is not missed.
 */
public final class SchedulingQueue {
  static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  static final Duration UNSCHEDULABLE_TIMEOUT = Duration.ofSeconds(60);

  /** A queued pod and its scheduling history. */
  public static final class Entry {
    Pod pod;
    final long addedNanos;
    int attempts;
    long readyAtNanos;
    long parkedAtNanos;
    long lastAttemptNanos;
    long cycle;

    Entry(Pod pod, long now) {
      this.pod = pod;
      this.addedNanos = now;
    }

    public Pod pod() {
      return pod;
    }

    public int attempts() {
      return attempts;
    }

    public long addedNanos() {
      return addedNanos;
    }
  }

  private final PriorityQueue<Entry> active = new PriorityQueue<>((a, b) -> {
    int pa = priority(a.pod);
    int pb = priority(b.pod);
    if (pa != pb) return Integer.compare(pb, pa);
    return Long.compare(a.addedNanos, b.addedNanos);
  });
  private final PriorityQueue<Entry> backoff = new PriorityQueue<>(Comparator.comparingLong(e -> e.readyAtNanos));
  private final Map<String, Entry> all = new HashMap<>();
  private final Map<String, Entry> unschedulable = new HashMap<>();
  private final Map<String, Entry> inFlight = new HashMap<>();
  private long schedulingCycle;
  private long moveRequestCycle = -1;
  private boolean closed;
  private final java.util.function.LongSupplier clock;

  public SchedulingQueue() {
    this(System::nanoTime);
  }

  SchedulingQueue(java.util.function.LongSupplier clock) {
    this.clock = clock;
  }

  /** A new or changed pending pod: (re)queued as active, keeping its history. */
  public synchronized void add(Pod pod) {
    String key = Pods.key(pod);
    Entry e = inFlight.get(key);
    if (e != null) {
      e.pod = pod;
      return;
    }
    e = all.get(key);
    if (e == null) {
      e = new Entry(pod, clock.getAsLong());
      all.put(key, e);
      active.add(e);
      notifyAll();
      return;
    }
    e.pod = pod;
    if (unschedulable.remove(key) != null) {
      // the pod itself changed: it may fit now
      toActiveOrBackoff(e);
    }
  }

  /** A status-only change of a queued pod: keep the newest object without moving it. */
  public synchronized void refresh(Pod pod) {
    String key = Pods.key(pod);
    Entry e = inFlight.get(key);
    if (e == null) e = all.get(key);
    if (e != null) e.pod = pod;
    else add(pod);
  }

  public synchronized void delete(String key) {
    Entry e = all.remove(key);
    if (e == null) {
      inFlight.remove(key);
      return;
    }
    active.remove(e);
    backoff.remove(e);
    unschedulable.remove(key);
  }

  /** Blocks for the next pod to schedule; null once closed or on timeout. */
  public synchronized Entry pop(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      if (closed) return null;
      flushBackoff();
      Entry e = active.poll();
      if (e != null) {
        all.remove(Pods.key(e.pod));
        e.attempts++;
        e.lastAttemptNanos = clock.getAsLong();
        e.cycle = ++schedulingCycle;
        inFlight.put(Pods.key(e.pod), e);
        return e;
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return null;
      Entry first = backoff.peek();
      long wait = left;
      if (first != null) wait = Math.max(1, Math.min(left, (first.readyAtNanos - clock.getAsLong()) / 1_000_000));
      wait(wait);
    }
  }

  /** The pod was bound (or dropped): forget it. */
  public synchronized void done(Entry e) {
    inFlight.remove(Pods.key(e.pod));
  }

  /** No node fits: park the pod, unless a cluster event came in since it was popped. */
  public synchronized void unschedulable(Entry e) {
    String key = Pods.key(e.pod);
    if (inFlight.remove(key) == null) return; // deleted meanwhile
    all.put(key, e);
    if (moveRequestCycle >= e.cycle) {
      toActiveOrBackoff(e);
    } else {
      e.parkedAtNanos = clock.getAsLong();
      unschedulable.put(key, e);
    }
  }

  /** Something (binding, a transient API error) failed: try again after the backoff. */
  public synchronized void retry(Entry e) {
    String key = Pods.key(e.pod);
    if (inFlight.remove(key) == null) return;
    all.put(key, e);
    toActiveOrBackoff(e);
  }

  /** A cluster event that could make parked pods fit (a node added or changed, a pod deleted...). */
  public synchronized void moveAllToActive() {
    for (Entry e : unschedulable.values()) toActiveOrBackoff(e);
    unschedulable.clear();
    moveRequestCycle = schedulingCycle;
  }

  /** The slow safety net: pods parked longer than the unschedulable timeout are retried anyway. */
  public synchronized void flushUnschedulableLeftover() {
    long now = clock.getAsLong();
    for (Iterator<Entry> it = unschedulable.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (now - e.parkedAtNanos >= UNSCHEDULABLE_TIMEOUT.toNanos()) {
        it.remove();
        toActiveOrBackoff(e);
      }
    }
  }

  private void toActiveOrBackoff(Entry e) {
    long delay = INITIAL_BACKOFF.toNanos() << Math.min(20, Math.max(0, e.attempts - 1));
    delay = Math.min(delay, MAX_BACKOFF.toNanos());
    // the backoff runs from the last attempt, so a pod parked longer than it is ready at once
    e.readyAtNanos = e.attempts == 0 ? 0 : e.lastAttemptNanos + delay;
    if (e.readyAtNanos <= clock.getAsLong()) {
      active.add(e);
    } else {
      backoff.add(e);
    }
    notifyAll();
  }

  private void flushBackoff() {
    long now = clock.getAsLong();
    while (!backoff.isEmpty() && backoff.peek().readyAtNanos <= now) active.add(backoff.poll());
  }

  public synchronized int activeCount() {
    return active.size();
  }

  public synchronized int backoffCount() {
    return backoff.size();
  }

  public synchronized int unschedulableCount() {
    return unschedulable.size();
  }

  public synchronized void close() {
    closed = true;
    notifyAll();
  }

  private static int priority(Pod pod) {
    Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
    return p == null ? 0 : p;
  }
}
