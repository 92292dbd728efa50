package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import io.planet.apiserver.storage.WatchCache;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's AvailableConditionController: keeps each APIService's {@code Available} condition current. Local
 * APIServices are always available; a remote one needs its Service, the Service port, a ready endpoint with that port,
 * and a 200 from {@code /apis/<group>/<version>} on it. Runs on every change of an APIService or of a Service,
 * Endpoints or EndpointSlice in a namespace an APIService points into, and every {@code period}.
 */
public final class AvailableConditionController implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AvailableConditionController.class);
  static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(5);
  private static final WriteOptions STATUS_WRITE = WriteOptions.DEFAULT.withManager("kube-apiserver");

  private final ApiServices apiServices;
  private final ServiceResolver resolver;
  private final BackendClients clients;
  private final Store store;
  private final Duration period;
  private final List<WatchCache> serviceCaches;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "apiservice-availability");
    t.setDaemon(true);
    return t;
  });
  /** Names queued and not yet checked: a burst of changes costs one check. */
  private final Set<String> queued = ConcurrentHashMap.newKeySet();

  /**
   * @param store the apiservices store (status is written through its status subresource)
   * @param serviceCaches the services, endpoints and endpointslices caches, whose changes trigger checks
   */
  public AvailableConditionController(ApiServices apiServices, ServiceResolver resolver, BackendClients clients,
      Store store, Duration period, List<WatchCache> serviceCaches) {
    this.apiServices = apiServices;
    this.resolver = resolver;
    this.clients = clients;
    this.store = store;
    this.period = period;
    this.serviceCaches = serviceCaches;
  }

  public AvailableConditionController start() {
    apiServices.onChange(o -> enqueue(Meta.name(o)));
    for (WatchCache c : serviceCaches) follow(c);
    long ms = Math.max(period.toMillis(), 1);
    worker.scheduleWithFixedDelay(() -> apiServices.all().forEach(o -> enqueue(Meta.name(o))), 0, ms, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Checks the APIServices whose Service lives in the namespace of a changed Service/Endpoints/EndpointSlice. */
  private void follow(WatchCache cache) {
    if (worker.isShutdown()) return;
    cache.watch(cache.prefix(), cache.revision(), o -> true, new WatchCache.Sink() {
      @Override
      public void event(String type, WatchCache.CachedEvent e, ObjectNode object) {
        String ns = Meta.namespace(object);
        for (ObjectNode s : apiServices.all()) {
          if (s.path("spec").path("service").path("namespace").asText().equals(ns)) enqueue(Meta.name(s));
        }
      }

      @Override
      public void bookmark(long revision) {}

      @Override
      public void close(ApiException error) {
        if (!worker.isShutdown()) worker.schedule(() -> follow(cache), 1, TimeUnit.SECONDS);
      }
    });
  }

  private void enqueue(String name) {
    if (worker.isShutdown() || !queued.add(name)) return;
    worker.execute(() -> {
      queued.remove(name);
      try {
        sync(name);
      } catch (RuntimeException e) {
        logger.warn("checking the availability of APIService {} failed: {}", name, e.toString());
      }
    });
  }

  private void sync(String name) {
    ObjectNode apiService = apiServices.get(name);
    if (apiService == null) return;
    ObjectNode condition = check(apiService);
    if (sameCondition(current(apiService), condition)) return;
    try {
      store.update("", name, "status", STATUS_WRITE, latest -> {
        JsonNode before = current(latest);
        if (before != null && before.path("status").asText().equals(condition.path("status").asText())) {
          condition.put("lastTransitionTime", before.path("lastTransitionTime").asText(Meta.now()));
        }
        ArrayNode conditions = Json.array();
        for (JsonNode c : latest.path("status").path("conditions")) {
          if (!c.path("type").asText().equals("Available")) conditions.add(c);
        }
        conditions.add(condition);
        Json.with(latest, "status").set("conditions", conditions);
        return latest;
      });
    } catch (ApiException e) {
      if (e.code() != 404) throw e;
    }
  }

  private static JsonNode current(JsonNode apiService) {
    for (JsonNode c : apiService.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Available")) return c;
    }
    return null;
  }

  private static boolean sameCondition(JsonNode a, JsonNode b) {
    return a != null && a.path("status").asText().equals(b.path("status").asText())
        && a.path("reason").asText().equals(b.path("reason").asText())
        && a.path("message").asText().equals(b.path("message").asText());
  }

  /** The Available condition this APIService should have now. */
  ObjectNode check(ObjectNode apiService) {
    JsonNode spec = apiService.path("spec");
    JsonNode svc = spec.path("service");
    if (!svc.isObject()) return condition("True", "Local", "Local APIServices are always available");
    URI endpoint;
    try {
      endpoint = resolver.resolve(svc.path("namespace").asText(), svc.path("name").asText(), svc.path("port").asInt(443));
    } catch (ServiceResolver.Unavailable e) {
      return condition("False", e.reason(), e.getMessage());
    }
    URI discovery = URI.create(endpoint + "/apis/" + spec.path("group").asText() + "/" + spec.path("version").asText());
    try {
      HttpRequest req = HttpRequest.newBuilder(discovery).timeout(DISCOVERY_TIMEOUT).header("Accept", "application/json")
          .header("X-Remote-User", ApiProxy.REMOTE_USER).GET().build();
      int code = clients.forApiService(apiService).send(req, BodyHandlers.discarding()).statusCode();
      if (code != 200) {
        return condition("False", "FailedDiscoveryCheck",
            "failing or missing response from " + discovery + ": bad status from " + discovery + ": " + code);
      }
    } catch (java.io.IOException e) {
      return condition("False", "FailedDiscoveryCheck", "failing or missing response from " + discovery + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return condition("False", "FailedDiscoveryCheck", "failing or missing response from " + discovery + ": interrupted");
    }
    return condition("True", "Passed", "all checks passed");
  }

  private static ObjectNode condition(String status, String reason, String message) {
    ObjectNode c = Json.object();
    c.put("type", "Available");
    c.put("status", status);
    c.put("lastTransitionTime", Meta.now());
    c.put("reason", reason);
    c.put("message", message);
    return c;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
