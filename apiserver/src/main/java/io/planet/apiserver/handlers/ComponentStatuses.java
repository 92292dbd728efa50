package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import io.planet.api.selector.FieldSelector;
import io.planet.api.selector.LabelSelector;
import io.planet.api.strategy.Strategies;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Responses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * v1 ComponentStatus, deprecated in 1.19 and still served: get and list only, each answered by probing the
 * components live (scheduler, controller-manager, etcd-0), nothing stored. As upstream's componentstatus REST: one
 * Healthy condition per item, list probes in parallel then filters by label and field selectors, an empty list
 * metadata (no resourceVersion), and every answer carries the deprecation Warning.
 */
public final class ComponentStatuses {
  public static final String RESOURCE = "componentstatuses";
  static final String DEPRECATION = "v1 ComponentStatus is deprecated in v1.19+";

  /** Served with get and list only, as upstream's REST implements just Getter and Lister. */
  private static final ResourceStrategy GET_LIST = new ResourceStrategy() {
    @Override
    public List<String> verbs(ResourceType type) {
      return List.of("get", "list");
    }
  };

  private final ResourceType type;
  private final Map<String, ComponentProbe> components;
  private final Features features;
  // probes block for up to their timeout: on their own threads, never a Netty event loop
  private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "component-status-probe");
    t.setDaemon(true);
    return t;
  });

  /** @param components the probes by component name, in the order lists show them */
  public ComponentStatuses(ResourceRegistry registry, Map<String, ComponentProbe> components, Features features) {
    this.type = registry.get("", "v1", RESOURCE).orElseThrow();
    this.components = new LinkedHashMap<>(components);
    this.features = features;
  }

  /** Adds componentstatuses (short name cs, cluster-scoped) to the registry, so discovery lists it. */
  public static void register(ResourceRegistry registry) {
    registry.add(new ResourceType("", "v1", "ComponentStatus", RESOURCE, "componentstatus", false, List.of("cs"),
        List.of(), Set.of(), RESOURCE, "v1", GET_LIST, null));
  }

  public static boolean serves(ResourcePath p) {
    return p.group().isEmpty() && p.version().equals("v1") && p.resource().equals(RESOURCE);
  }

  public void handle(ApiRequest req, ResourcePath p) {
    if (!p.namespace().isEmpty() || !p.subresource().isEmpty() || p.legacyWatch()) {
      throw ResourceHandler.notFoundPath(req);
    }
    // upstream routes only GET here; other verbs never reach its handler (so no deprecation warning either)
    if (!req.method().equals("GET")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    List<String> warnings = List.of(DEPRECATION);
    Negotiation neg = Negotiation.of(req.accept());
    try {
      if (neg == null) {
        throw new ApiException(406, "NotAcceptable", "only the following media types are accepted: application/json, "
            + "application/yaml, application/vnd.kubernetes.protobuf");
      }
      if (p.name().isEmpty()) {
        if (req.flag("watch")) throw watchNotSupported();
        list(req, neg, warnings);
      } else {
        get(req, p.name(), neg, warnings);
      }
    } catch (ApiException e) {
      Responses.json(req, e.code(), e.toStatus(), "application/json", warnings);
    }
  }

  private void get(ApiRequest req, String name, Negotiation neg, List<String> warnings) {
    ComponentProbe probe = components.get(name);
    // upstream answered 500 "Component not found" until 1.33 made it this NotFound (kubernetes#129870)
    if (probe == null) throw ApiException.notFound("", "componentstatus", name);
    ObjectNode status = typed(status(name, probe.check()));
    if (neg.shape() == Negotiation.Shape.TABLE) {
      ObjectNode table = features.table(type, List.of(status), req.param("includeObject"), true, "", "", null, Instant.now());
      if (!"v1".equals(neg.tableVersion())) table.put("apiVersion", "meta.k8s.io/" + neg.tableVersion());
      Responses.json(req, 200, table, neg.mediaType(), warnings);
    } else if (neg.shape() == Negotiation.Shape.PARTIAL_METADATA) {
      Responses.json(req, 200, ResourceHandler.partialMetadata(status, neg.tableVersion()), neg.mediaType(), warnings);
    } else {
      Responses.json(req, 200, status, neg.mediaType(), warnings);
    }
  }

  private void list(ApiRequest req, Negotiation neg, List<String> warnings) {
    LabelSelector labels = LabelSelector.parse(req.param("labelSelector"));
    FieldSelector fields = FieldSelector.parse(req.param("fieldSelector"));
    for (FieldSelector.Requirement r : fields.requirements()) {
      if (!Strategies.supportedFieldSelectors("", type.kind()).contains(r.field())) {
        throw ApiException.badRequest(Strategies.unsupportedFieldSelectorMessage("", type.kind(), r.field(), false));
      }
    }
    List<ObjectNode> items = new ArrayList<>();
    for (ObjectNode status : probeAll()) {
      // items carry no labels and only a name, so most selectors leave the list empty (as upstream's predicate)
      Map<String, String> fieldSet = Map.of("metadata.name", status.path("metadata").path("name").asText(),
          "metadata.namespace", "");
      if (labels.matches(Map.of()) && fields.matches(fieldSet)) items.add(status);
    }
    if (neg.shape() == Negotiation.Shape.TABLE) {
      ObjectNode table = features.table(type, items, req.param("includeObject"), true, "", "", null, Instant.now());
      if (!"v1".equals(neg.tableVersion())) table.put("apiVersion", "meta.k8s.io/" + neg.tableVersion());
      Responses.json(req, 200, table, neg.mediaType(), warnings);
      return;
    }
    boolean partial = neg.shape() == Negotiation.Shape.PARTIAL_METADATA;
    ObjectNode list = Json.object();
    list.put("kind", partial ? "PartialObjectMetadataList" : type.listKind());
    list.put("apiVersion", partial ? "meta.k8s.io/" + neg.tableVersion() : "v1");
    list.putObject("metadata");
    ArrayNode out = list.putArray("items");
    for (ObjectNode i : items) out.add(partial ? ResourceHandler.partialMetadata(i, neg.tableVersion()) : i);
    Responses.json(req, 200, list, neg.mediaType(), warnings);
  }

  /** Every component's status, probed in parallel, in the components' order. */
  private List<ObjectNode> probeAll() {
    Map<String, CompletableFuture<ComponentProbe.Result>> running = new LinkedHashMap<>();
    components.forEach((name, probe) -> running.put(name, CompletableFuture.supplyAsync(probe::check, probes)));
    List<ObjectNode> out = new ArrayList<>();
    running.forEach((name, result) -> out.add(status(name, result.join())));
    return out;
  }

  /** A ComponentStatus as upstream's getComponentStatus builds it: a name and one Healthy condition. */
  static ObjectNode status(String name, ComponentProbe.Result result) {
    ObjectNode cs = Json.object();
    ObjectNode meta = cs.putObject("metadata");
    meta.put("name", name);
    meta.putNull("creationTimestamp");
    ObjectNode c = cs.putArray("conditions").addObject();
    c.put("type", "Healthy");
    c.put("status", result.status());
    if (!result.message().isEmpty()) c.put("message", result.message());
    if (!result.error().isEmpty()) c.put("error", result.error());
    return cs;
  }

  /** kind and apiVersion first, as a single object is served. */
  private static ObjectNode typed(ObjectNode status) {
    ObjectNode o = Json.object();
    o.put("kind", "ComponentStatus");
    o.put("apiVersion", "v1");
    o.set("metadata", status.get("metadata"));
    o.set("conditions", status.get("conditions"));
    return o;
  }

  private static ApiException watchNotSupported() {
    ObjectNode details = Json.object();
    details.put("kind", RESOURCE);
    return new ApiException(405, "MethodNotAllowed",
        "watch is not supported on resources of kind \"" + RESOURCE + "\"", details);
  }

  /** Stops the probe threads. */
  public void close() {
    probes.shutdownNow();
  }
}
