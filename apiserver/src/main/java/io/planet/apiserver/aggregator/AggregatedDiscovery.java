package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.apiserver.handlers.RemoteGroups;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Discovery of the groups served by APIService backends: their versions ordered by upstream's priorities, and each
 * backend's {@code /apis/<group>/<version>} APIResourceList, fetched with a timeout and cached briefly so that a slow
 * or dead backend never holds up the discovery documents (its group stays listed without resources).
 */
public final class AggregatedDiscovery implements RemoteGroups {
  static final Duration FRESH_FOR = Duration.ofSeconds(10);
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);
  /** How long a discovery request waits for a first fetch before answering without the backend's resources. */
  static final long WAIT_MILLIS = 1000;

  private final ApiServices apiServices;
  private final ServiceResolver resolver;
  private final BackendClients clients;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  /** One backend's last answer (null: it failed) and the fetch in flight, if any. */
  private record Entry(String resourceVersion, ObjectNode resourceList, long fetchedAtNanos, boolean answered,
      CompletableFuture<ObjectNode> inFlight) {}

  public AggregatedDiscovery(ApiServices apiServices, ServiceResolver resolver, BackendClients clients) {
    this.apiServices = apiServices;
    this.resolver = resolver;
    this.clients = clients;
    // a changed or deleted APIService is fetched afresh
    apiServices.onChange(o -> cache.remove(Meta.name(o)));
  }

  @Override
  public Map<String, List<String>> groups() {
    List<String> groups = new ArrayList<>(apiServices.remoteGroups());
    Map<String, Long> priority = new LinkedHashMap<>();
    for (String g : groups) {
      long p = 0;
      for (ObjectNode s : apiServices.remoteVersions(g).values()) p = Math.max(p, s.path("spec").path("groupPriorityMinimum").asLong());
      priority.put(g, p);
    }
    groups.sort(Comparator.comparing((String g) -> -priority.get(g)).thenComparing(g -> g));
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String g : groups) {
      Map<String, ObjectNode> versions = apiServices.remoteVersions(g);
      List<String> vs = new ArrayList<>(versions.keySet());
      vs.sort(Comparator.comparing((String v) -> -versions.get(v).path("spec").path("versionPriority").asLong())
          .thenComparing(VersionPriority.ORDER));
      if (!vs.isEmpty()) out.put(g, vs);
    }
    return out;
  }

  @Override
  public ObjectNode resourceList(String group, String version) {
    ObjectNode apiService = apiServices.remote(group, version);
    if (apiService == null) return null;
    String name = Meta.name(apiService);
    String rv = Meta.resourceVersion(apiService);
    long now = System.nanoTime();
    Entry e = cache.compute(name, (n, old) -> {
      if (old == null || !old.resourceVersion.equals(rv)) return refresh(n, rv, apiService, null, false);
      if (old.inFlight == null && now - old.fetchedAtNanos > FRESH_FOR.toNanos()) {
        return refresh(n, rv, apiService, old.resourceList, true);
      }
      return old;
    });
    if (e.answered || e.inFlight == null) return e.resourceList;
    // only the first fetch of an APIService is waited for, and briefly
    try {
      return e.inFlight.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (Exception timeoutOrFailure) {
      return null;
    }
  }

  /** A pending entry that keeps serving {@code previous} until the fetch completes. */
  private Entry refresh(String name, String rv, ObjectNode apiService, ObjectNode previous, boolean answered) {
    CompletableFuture<ObjectNode> f = new CompletableFuture<>();
    Entry pending = new Entry(rv, previous, System.nanoTime(), answered, f);
    // async: the fetch may already be done, and this runs inside the cache's compute
    fetch(apiService).whenCompleteAsync((list, err) -> {
      cache.replace(name, pending, new Entry(rv, err == null ? list : null, System.nanoTime(), true, null));
      f.complete(err == null ? list : null);
    });
    return pending;
  }

  /** GET /apis/<group>/<version> from one endpoint; completes with null when the backend does not answer 200. */
  private CompletableFuture<ObjectNode> fetch(ObjectNode apiService) {
    if (!ApiProxy.available(apiService)) return CompletableFuture.completedFuture(null);
    JsonNode spec = apiService.path("spec");
    URI endpoint;
    try {
      endpoint = resolver.resolve(spec.path("service").path("namespace").asText(), spec.path("service").path("name").asText(),
          spec.path("service").path("port").asInt(443));
    } catch (ServiceResolver.Unavailable e) {
      return CompletableFuture.completedFuture(null);
    }
    HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint + "/apis/" + spec.path("group").asText() + "/"
            + spec.path("version").asText()))
        .timeout(FETCH_TIMEOUT).header("Accept", "application/json").GET().build();
    return clients.forApiService(apiService).sendAsync(req, BodyHandlers.ofByteArray())
        .thenApply(r -> {
          if (r.statusCode() != 200) return null;
          try {
            JsonNode list = Json.parse(r.body());
            return list instanceof ObjectNode o && o.path("resources").isArray() ? o : null;
          } catch (Exception notJson) {
            return null;
          }
        })
        .exceptionally(t -> null);
  }
}
