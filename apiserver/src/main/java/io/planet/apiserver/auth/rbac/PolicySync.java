package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.apiserver.storage.WatchCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link PolicyIndex} current from the API server's own watch caches of the four RBAC resources: a watch
 * from "now" replays the cached objects as ADDED under the cache's lock and then delivers every change, so no
 * extra etcd traffic is needed. When a cache relists (its etcd watch broke) the kind is read again.
 */
public final class PolicySync implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PolicySync.class);

  private final PolicyIndex index;
  private final Function<String, WatchCache> caches;
  private final ScheduledExecutorService timers;
  private final List<WatchCache.Watcher> watchers = new ArrayList<>();
  private volatile boolean closed;

  /** @param caches the watch cache of a storage prefix (e.g. rbac.authorization.k8s.io/roles) */
  public PolicySync(PolicyIndex index, Function<String, WatchCache> caches, ScheduledExecutorService timers) {
    this.index = index;
    this.caches = caches;
    this.timers = timers;
  }

  public PolicySync start() {
    for (PolicyIndex.Kind k : PolicyIndex.Kind.values()) follow(k);
    return this;
  }

  private synchronized void follow(PolicyIndex.Kind kind) {
    if (closed) return;
    WatchCache cache = caches.apply(kind.storagePrefix);
    index.clear(kind);
    watchers.add(cache.watch(cache.prefix(), -1, o -> true, new WatchCache.Sink() {
      @Override
      public void event(String type, WatchCache.CachedEvent e, ObjectNode object) {
        if (type.equals("DELETED")) {
          index.remove(kind, object.path("metadata").path("namespace").asText(""),
              object.path("metadata").path("name").asText(""));
        } else {
          index.put(kind, object);
        }
      }

      @Override
      public void bookmark(long revision) {}

      @Override
      public void close(ApiException error) {
        if (closed) return;
        logger.info("watch cache of {} restarted; reading it again", kind.storagePrefix);
        // the cache relists on its own thread; give it a moment before reading it again
        try {
          timers.schedule(() -> follow(kind), 1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
          // the server is stopping
        }
      }
    }));
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (WatchCache.Watcher w : watchers) w.close();
    watchers.clear();
  }
}
