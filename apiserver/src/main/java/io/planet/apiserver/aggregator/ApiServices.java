package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Meta;
import io.planet.apiserver.storage.WatchCache;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every APIService, kept in memory from the apiservices watch cache (upstream's APIService lister), and the remote
 * ones indexed by group and version so that routing a request costs one map lookup.
 */
public final class ApiServices {
  private final WatchCache cache;
  private final Runnable resync;
  /** name → APIService; replaced whole on every change, read without locks. */
  private volatile Map<String, ObjectNode> byName = Map.of();
  /** group → version → APIService with spec.service. */
  private volatile Map<String, Map<String, ObjectNode>> remote = Map.of();
  private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean stopped;

  /** @param resync re-runs {@link #start()} later, when the cache relists (the server's timer decides when) */
  public ApiServices(WatchCache cache, Consumer<Runnable> resync) {
    this.cache = cache;
    this.resync = () -> resync.accept(this::start);
  }

  /** Loads the current APIServices and follows changes. */
  public void start() {
    if (stopped) return;
    WatchCache.Snapshot snapshot = cache.list(cache.prefix(), o -> true);
    synchronized (this) {
      Map<String, ObjectNode> all = new HashMap<>();
      for (ObjectNode o : snapshot.items()) all.put(Meta.name(o), o);
      publish(all);
    }
    // from the snapshot's revision: nothing between the list and the watch is missed
    cache.watch(cache.prefix(), snapshot.revision(), o -> true, new WatchCache.Sink() {
      @Override
      public void event(String type, WatchCache.CachedEvent e, ObjectNode object) {
        synchronized (ApiServices.this) {
          Map<String, ObjectNode> all = new HashMap<>(byName);
          if (type.equals("DELETED")) all.remove(Meta.name(object));
          else all.put(Meta.name(object), object);
          publish(all);
        }
        for (Consumer<ObjectNode> l : listeners) l.accept(object);
      }

      @Override
      public void bookmark(long revision) {}

      @Override
      public void close(ApiException error) {
        if (!stopped) resync.run();
      }
    });
  }

  public void stop() {
    stopped = true;
  }

  private void publish(Map<String, ObjectNode> all) {
    Map<String, Map<String, ObjectNode>> byGroup = new HashMap<>();
    for (ObjectNode o : all.values()) {
      JsonNode spec = o.path("spec");
      if (!spec.path("service").isObject()) continue;
      byGroup.computeIfAbsent(spec.path("group").asText(), g -> new HashMap<>()).put(spec.path("version").asText(), o);
    }
    byName = Map.copyOf(all);
    remote = byGroup;
  }

  /** Called with each changed APIService (also deleted ones), after the indexes are updated. Must not block. */
  public void onChange(Consumer<ObjectNode> listener) {
    listeners.add(listener);
  }

  /** The APIService with spec.service for this group/version, or null (then the request is not proxied). */
  public ObjectNode remote(String group, String version) {
    Map<String, ObjectNode> versions = remote.get(group);
    return versions == null ? null : versions.get(version);
  }

  /** Whether any APIService names a backend (most clusters: none, and routing skips the lookup). */
  public boolean anyRemote() {
    return !remote.isEmpty();
  }

  /** The remote APIServices of a group, or an empty map. */
  public Map<String, ObjectNode> remoteVersions(String group) {
    return remote.getOrDefault(group, Map.of());
  }

  public Collection<String> remoteGroups() {
    return new ArrayList<>(remote.keySet());
  }

  public Collection<ObjectNode> all() {
    return byName.values();
  }

  public ObjectNode get(String name) {
    return byName.get(name);
  }
}
