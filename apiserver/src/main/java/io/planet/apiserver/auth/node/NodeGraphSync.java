package io.planet.apiserver.auth.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Meta;
import io.planet.apiserver.storage.WatchCache;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link NodeGraph} current from the API server's own watch caches (upstream's graph populator on informers):
 * pods, persistent volumes and, when the server stores them, volume attachments. A watch from "now" replays the
 * cached objects as ADDED and then delivers every change; when a cache relists, its kind is read again.
 */
public final class NodeGraphSync implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(NodeGraphSync.class);

  /** A followed resource: its storage prefix and what its events do to the graph. */
  private enum Source {
    PODS("pods"), PERSISTENT_VOLUMES("persistentvolumes"), VOLUME_ATTACHMENTS("storage.k8s.io/volumeattachments");

    final String storagePrefix;

    Source(String storagePrefix) {
      this.storagePrefix = storagePrefix;
    }
  }

  private final NodeGraph graph;
  private final Function<String, WatchCache> caches;
  private final Collection<String> storedPrefixes;
  private final ScheduledExecutorService timers;
  private final List<WatchCache.Watcher> watchers = new ArrayList<>();
  private volatile boolean closed;

  /**
   * @param caches the watch cache of a storage prefix
   * @param storedPrefixes the prefixes the server stores (resources it does not serve are not followed)
   */
  public NodeGraphSync(NodeGraph graph, Function<String, WatchCache> caches, Collection<String> storedPrefixes,
      ScheduledExecutorService timers) {
    this.graph = graph;
    this.caches = caches;
    this.storedPrefixes = storedPrefixes;
    this.timers = timers;
  }

  public NodeGraphSync start() {
    for (Source s : Source.values()) if (storedPrefixes.contains(s.storagePrefix)) follow(s);
    return this;
  }

  private synchronized void follow(Source source) {
    if (closed) return;
    WatchCache cache = caches.apply(source.storagePrefix);
    clear(source);
    watchers.add(cache.watch(cache.prefix(), -1, o -> true, new WatchCache.Sink() {
      @Override
      public void event(String type, WatchCache.CachedEvent e, ObjectNode object) {
        if (type.equals("DELETED")) remove(source, object);
        else put(source, object);
      }

      @Override
      public void bookmark(long revision) {}

      @Override
      public void close(ApiException error) {
        if (closed) return;
        logger.info("watch cache of {} restarted; reading it again for the node authorizer", source.storagePrefix);
        try {
          timers.schedule(() -> follow(source), 1, TimeUnit.SECONDS);
        } catch (RejectedExecutionException ignored) {
          // the server is stopping
        }
      }
    }));
  }

  private void put(Source source, ObjectNode o) {
    switch (source) {
      case PODS -> graph.putPod(o);
      case PERSISTENT_VOLUMES -> graph.putPersistentVolume(o);
      case VOLUME_ATTACHMENTS -> graph.putVolumeAttachment(o);
    }
  }

  private void remove(Source source, ObjectNode o) {
    switch (source) {
      case PODS -> graph.removePod(Meta.namespace(o), Meta.name(o));
      case PERSISTENT_VOLUMES -> graph.removePersistentVolume(Meta.name(o));
      case VOLUME_ATTACHMENTS -> graph.removeVolumeAttachment(Meta.name(o));
    }
  }

  private void clear(Source source) {
    switch (source) {
      case PODS -> graph.clearPods();
      case PERSISTENT_VOLUMES -> graph.clearPersistentVolumes();
      case VOLUME_ATTACHMENTS -> graph.clearVolumeAttachments();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (WatchCache.Watcher w : watchers) w.close();
    watchers.clear();
  }
}
