package io.planet.apiserver.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory copy of one resource's keys (upstream's cacher): one etcd watch keeps a sorted map of the current
 * objects and a window of recent events, from which lists at "any" revision are served and every API watch is fanned
 * out. Cached objects are shared and must never be mutated by readers.
 */
public final class WatchCache implements Storage.WatchListener {
  private static final Logger logger = LoggerFactory.getLogger(WatchCache.class);

  /** An event as API watchers see it. {@code object} is the new state, or the last state for DELETED. */
  public static final class CachedEvent {
    public final String type;
    public final String key;
    public final ObjectNode object;
    public final ObjectNode previous;
    public final long revision;
    /** Serialized forms shared by every watcher that receives this event in the same shape. */
    public final Map<String, byte[]> encoded = new ConcurrentHashMap<>(2);

    CachedEvent(String type, String key, ObjectNode object, ObjectNode previous, long revision) {
      this.type = type;
      this.key = key;
      this.object = object;
      this.previous = previous;
      this.revision = revision;
    }
  }

  /** Receives a watcher's events; must not block (it writes to a network channel). */
  public interface Sink {
    /** {@code type} may differ from the cache event's when a selector transition turns it into ADDED/DELETED. */
    void event(String type, CachedEvent event, ObjectNode object);

    void bookmark(long revision);

    /** The watch ends (cache reset or error); the client re-watches. */
    void close(ApiException error);
  }

  /** One API watch on this cache. */
  public final class Watcher implements AutoCloseable {
    final Predicate<ObjectNode> filter;
    final Sink sink;
    final String keyPrefix;
    volatile boolean closed;

    Watcher(String keyPrefix, Predicate<ObjectNode> filter, Sink sink) {
      this.keyPrefix = keyPrefix;
      this.filter = filter;
      this.sink = sink;
    }

    void deliver(CachedEvent e) {
      if (closed || !e.key.startsWith(keyPrefix)) return;
      boolean now = e.object != null && !e.type.equals("DELETED") && filter.test(e.object);
      boolean before = e.previous != null && filter.test(e.previous);
      switch (e.type) {
        case "DELETED" -> {
          if (before) sink.event("DELETED", e, e.object);
        }
        default -> {
          if (now && before) sink.event("MODIFIED", e, e.object);
          else if (now) sink.event("ADDED", e, e.object);
          else if (before) sink.event("DELETED", e, e.object);
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      watchers.remove(this);
    }
  }

  private final Storage storage;
  private final String prefix;
  private final int capacity;
  private final NavigableMap<String, ObjectNode> objects = new TreeMap<>();
  private final ArrayDeque<CachedEvent> events = new ArrayDeque<>();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private long revision;
  /** Every event after this revision is still in {@link #events}. */
  private long oldestRevision;
  private Storage.Watch etcdWatch;
  private volatile boolean stopped;
  /** Threads in {@link #awaitRevision}: only then do revision changes wake anybody. */
  private int freshnessWaiters;

  public WatchCache(Storage storage, String prefix, int capacity) {
    this.storage = storage;
    this.prefix = prefix;
    this.capacity = capacity;
  }

  public String prefix() {
    return prefix;
  }

  /** Lists the prefix and starts watching after the list's revision. */
  public synchronized void start() {
    stopped = false;
    objects.clear();
    events.clear();
    String start = null;
    long rev = 0;
    while (true) {
      Storage.Page page = storage.list(prefix, start, 1000, rev);
      rev = page.revision();
      for (Storage.Item i : page.items()) objects.put(i.key(), i.object());
      if (!page.more() || page.items().isEmpty()) break;
      start = page.items().get(page.items().size() - 1).key() + "\0";
    }
    revision = rev;
    oldestRevision = rev;
    etcdWatch = storage.watch(prefix, rev, this);
    ready.countDown();
  }

  public boolean awaitReady(long millis) throws InterruptedException {
    return ready.await(millis, TimeUnit.MILLISECONDS);
  }

  public synchronized void stop() {
    stopped = true;
    if (etcdWatch != null) etcdWatch.close();
    for (Watcher w : watchers) w.sink.close(null);
    watchers.clear();
  }

  @Override
  public synchronized void onEvent(Storage.Event e) {
    if (stopped || e.revision() <= revision && e.revision() <= oldestRevision) return;
    CachedEvent ce;
    if (e.type() == Storage.Event.Type.DELETE) {
      ObjectNode last = e.previous() != null ? e.previous() : objects.get(e.key());
      objects.remove(e.key());
      if (last == null) {
        advance(e.revision());
        return;
      }
      ObjectNode deleted = last.deepCopy();
      io.planet.api.Json.with(deleted, "metadata").put("resourceVersion", Long.toString(e.revision()));
      ce = new CachedEvent("DELETED", e.key(), deleted, last, e.revision());
    } else {
      ObjectNode prev = objects.put(e.key(), e.object());
      ce = new CachedEvent(prev == null ? "ADDED" : "MODIFIED", e.key(), e.object(), prev, e.revision());
    }
    advance(e.revision());
    events.addLast(ce);
    while (events.size() > capacity) oldestRevision = events.removeFirst().revision;
    for (Watcher w : watchers) {
      try {
        w.deliver(ce);
      } catch (RuntimeException ex) {
        logger.warn("watcher failed on {}: {}", prefix, ex.toString());
        w.close();
      }
    }
  }

  @Override
  public synchronized void onProgress(long rev) {
    if (rev > revision) advance(rev);
  }

  private void advance(long rev) {
    revision = rev;
    if (freshnessWaiters > 0) notifyAll();
  }

  /**
   * Waits until this cache has seen revision {@code rev} (upstream's waitUntilFreshAndBlock): a newer revision may
   * belong to another resource, so etcd is asked for progress rather than waiting for an event of this one.
   * False when the cache is still behind after {@code millis}.
   */
  public boolean awaitRevision(long rev, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (this) {
      freshnessWaiters++;
      try {
        while (revision < rev) {
          long left = deadline - System.nanoTime();
          if (left <= 0) return false;
          // etcd answers a progress request only once the watch has caught up: ask again until it does
          if (etcdWatch != null) etcdWatch.requestProgress();
          wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
        }
        return true;
      } finally {
        freshnessWaiters--;
      }
    }
  }

  @Override
  public void onError(Throwable error) {
    if (stopped) return;
    logger.warn("etcd watch on {} broke ({}); relisting", prefix, EtcdStorage.rootMessage(error));
    synchronized (this) {
      if (etcdWatch != null) etcdWatch.close();
      for (Watcher w : watchers) w.sink.close(null);
      watchers.clear();
    }
    // relist on a fresh thread: the failing watch's callback thread must not block on etcd
    Thread t = new Thread(() -> {
      while (!stopped) {
        try {
          start();
          return;
        } catch (RuntimeException e) {
          logger.warn("relist of {} failed: {}", prefix, e.toString());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "watchcache-relist");
    t.setDaemon(true);
    t.start();
  }

  /** The latest revision this cache has seen. */
  public synchronized long revision() {
    return revision;
  }

  /** Current objects under {@code keyPrefix} matching {@code filter}, in key order, with the cache's revision. */
  public synchronized Snapshot list(String keyPrefix, Predicate<ObjectNode> filter) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode o : range(keyPrefix).values()) if (filter.test(o)) out.add(o);
    return new Snapshot(out, revision);
  }

  public record Snapshot(List<ObjectNode> items, long revision) {}

  public synchronized ObjectNode get(String key) {
    return objects.get(key);
  }

  public synchronized int size() {
    return objects.size();
  }

  private NavigableMap<String, ObjectNode> range(String keyPrefix) {
    if (keyPrefix.equals(prefix)) return objects;
    return objects.subMap(keyPrefix, true, EtcdStorage.prefixEnd(keyPrefix), false);
  }

  /**
   * Starts a watch of keys under {@code keyPrefix}. {@code fromRevision} &lt; 0: send the current state as ADDED
   * events first (resourceVersion unset or "0"); otherwise every change after that revision. A revision older than
   * the window yields an ERROR event (410 Expired), as upstream's cacher.
   */
  public synchronized Watcher watch(String keyPrefix, long fromRevision, Predicate<ObjectNode> filter, Sink sink) {
    Watcher w = new Watcher(keyPrefix, filter, sink);
    if (fromRevision < 0) {
      for (Map.Entry<String, ObjectNode> e : range(keyPrefix).entrySet()) {
        ObjectNode o = e.getValue();
        if (filter.test(o)) {
          long rv = Long.parseLong(o.path("metadata").path("resourceVersion").asText("0"));
          sink.event("ADDED", new CachedEvent("ADDED", e.getKey(), o, null, rv), o);
        }
      }
    } else {
      if (fromRevision < oldestRevision) {
        sink.close(ApiException.gone("too old resource version: " + fromRevision + " (" + (oldestRevision + 1) + ")"));
        w.closed = true;
        return w;
      }
      for (Iterator<CachedEvent> it = events.iterator(); it.hasNext(); ) {
        CachedEvent e = it.next();
        if (e.revision > fromRevision) w.deliver(e);
      }
    }
    watchers.add(w);
    return w;
  }

  /** Sends a bookmark with the cache's revision to the given watchers. */
  public synchronized void bookmark(Watcher w) {
    if (!w.closed) w.sink.bookmark(revision);
  }

  public int watcherCount() {
    return watchers.size();
  }
}
