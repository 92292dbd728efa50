package io.planet.api;

import io.planet.api.strategy.Strategies;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every resource the API server serves: the built-in ones and those custom resource definitions add.
 * Looked up by group/version/plural (URLs) or group/kind (bodies). Thread-safe; CRDs come and go at run time.
 */
public final class ResourceRegistry {
  private final Map<String, ResourceType> byGvr = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<ResourceType> ordered = new CopyOnWriteArrayList<>();
  private final List<Consumer<ResourceRegistry>> listeners = new CopyOnWriteArrayList<>();
  /** Preferred-first versions per group, in the order groups were added. */
  private final Map<String, List<String>> groupVersions = new LinkedHashMap<>();

  public static ResourceRegistry builtins() {
    ResourceRegistry r = new ResourceRegistry();
    BuiltinResources.register(r);
    return r;
  }

  private static String key(String group, String version, String plural) {
    return group + "/" + version + "/" + plural;
  }

  public synchronized void add(ResourceType t) {
    ResourceType prev = byGvr.put(key(t.group(), t.version(), t.plural()), t);
    if (prev != null) ordered.remove(prev);
    ordered.add(t);
    List<String> versions = groupVersions.computeIfAbsent(t.group(), g -> new ArrayList<>());
    if (!versions.contains(t.version())) versions.add(t.version());
    fire();
  }

  /** Removes every version of group/plural (a deleted CRD). */
  public synchronized void remove(String group, String plural) {
    ordered.removeIf(t -> t.group().equals(group) && t.plural().equals(plural));
    byGvr.values().removeIf(t -> t.group().equals(group) && t.plural().equals(plural));
    List<String> versions = groupVersions.get(group);
    if (versions != null) {
      versions.removeIf(v -> ordered.stream().noneMatch(t -> t.group().equals(group) && t.version().equals(v)));
      if (versions.isEmpty()) groupVersions.remove(group);
    }
    fire();
  }

  /** Sets the version order of a group (preferred first), as a CRD's versions list does. */
  public synchronized void setVersionOrder(String group, List<String> versions) {
    groupVersions.put(group, new ArrayList<>(versions));
  }

  public void onChange(Consumer<ResourceRegistry> listener) {
    listeners.add(listener);
  }

  private void fire() {
    for (Consumer<ResourceRegistry> l : listeners) l.accept(this);
  }

  public Optional<ResourceType> get(String group, String version, String plural) {
    return Optional.ofNullable(byGvr.get(key(group, version, plural)));
  }

  /** By plural, singular or short name within a group/version (URLs use the plural). */
  public Optional<ResourceType> byKind(String group, String version, String kind) {
    for (ResourceType t : ordered) {
      if (t.group().equals(group) && t.version().equals(version) && t.kind().equals(kind)) return Optional.of(t);
    }
    return Optional.empty();
  }

  /** By apiVersion ("v1", "apps/v1") and kind, as found in a request body. */
  public Optional<ResourceType> byApiVersionKind(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    return byKind(group, version, kind);
  }

  public List<ResourceType> all() {
    return List.copyOf(ordered);
  }

  public synchronized Set<String> groups() {
    return new LinkedHashSet<>(groupVersions.keySet());
  }

  /** Versions of a group, preferred first. */
  public synchronized List<String> versions(String group) {
    return List.copyOf(groupVersions.getOrDefault(group, List.of()));
  }

  public List<ResourceType> resources(String group, String version) {
    List<ResourceType> out = new ArrayList<>();
    for (ResourceType t : ordered) {
      if (t.group().equals(group) && t.version().equals(version)) out.add(t);
    }
    return out;
  }

  /** Every resource type sharing a storage location (all versions of one group/resource). */
  public List<ResourceType> byStoragePrefix(String prefix) {
    List<ResourceType> out = new ArrayList<>();
    for (ResourceType t : ordered) if (t.storagePrefix().equals(prefix)) out.add(t);
    return out;
  }

  public Collection<String> storagePrefixes() {
    Set<String> s = new LinkedHashSet<>();
    for (ResourceType t : ordered) s.add(t.storagePrefix());
    return s;
  }

  /** The type a group/resource is stored as. */
  public ResourceType storageType(ResourceType t) {
    if (t.version().equals(t.storageVersion()) && storageGroupOf(t).equals(t.group())) return t;
    return get(storageGroupOf(t), t.storageVersion(), t.plural()).orElse(t);
  }

  private static String storageGroupOf(ResourceType t) {
    // events.k8s.io events are stored as core/v1 events (one etcd location, as upstream)
    if (t.group().equals("events.k8s.io") && t.plural().equals("events")) return "";
    return t.group();
  }

  static ResourceStrategy strategyFor(String group, String kind) {
    return Strategies.forKind(group, kind);
  }
}
