package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import io.planet.apiserver.storage.WatchCache;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds where an APIService's backing Service really listens, from the API server's own caches (upstream's
 * --enable-aggregator-routing=true): the Service port numbered spec.service.port, then a ready address of the Service's
 * EndpointSlices (or, without slices, its Endpoints) with a port of the same name.
 */
public final class ServiceResolver {
  private final WatchCache services;
  private final WatchCache endpoints;
  private final WatchCache endpointSlices;

  public ServiceResolver(WatchCache services, WatchCache endpoints, WatchCache endpointSlices) {
    this.services = services;
    this.endpoints = endpoints;
    this.endpointSlices = endpointSlices;
  }

  /** Why a Service cannot be reached, with the Available condition's reason and message. */
  public static final class Unavailable extends Exception {
    private final String reason;

    Unavailable(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  /** An https URI (scheme, host and port only) of one ready endpoint; throws with the reason when there is none. */
  public URI resolve(String namespace, String name, int port) throws Unavailable {
    ObjectNode svc = services.get(services.prefix() + namespace + "/" + name);
    if (svc == null) throw new Unavailable("ServiceNotFound", "service/" + name + " in \"" + namespace + "\" is not present");
    String type = svc.path("spec").path("type").asText("ClusterIP");
    if (type.equals("ExternalName")) {
      throw new Unavailable("ServiceNotFound", "service/" + name + " in \"" + namespace + "\" has unsupported type \"ExternalName\"");
    }
    JsonNode servicePort = null;
    for (JsonNode p : svc.path("spec").path("ports")) {
      if (p.path("port").asInt() == port) servicePort = p;
    }
    if (servicePort == null) {
      throw new Unavailable("ServicePortError",
          "service/" + name + " in \"" + namespace + "\" is not listening on port " + port);
    }
    String portName = servicePort.path("name").asText("");
    List<URI> candidates = fromSlices(namespace, name, portName);
    if (candidates == null) candidates = fromEndpoints(namespace, name, portName);
    if (candidates == null) {
      throw new Unavailable("EndpointsNotFound", "cannot find endpoints for service/" + name + " in \"" + namespace + "\"");
    }
    if (candidates.isEmpty()) {
      throw new Unavailable("MissingEndpoints", "endpoints for service/" + name + " in \"" + namespace
          + "\" have no addresses with port name \"" + portName + "\"");
    }
    return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
  }

  /** Null when the Service has no EndpointSlices. */
  private List<URI> fromSlices(String namespace, String name, String portName) {
    List<ObjectNode> slices = endpointSlices.list(endpointSlices.prefix() + namespace + "/",
        s -> name.equals(Meta.labels(s).get("kubernetes.io/service-name"))).items();
    if (slices.isEmpty()) return null;
    List<URI> out = new ArrayList<>();
    for (ObjectNode slice : slices) {
      String addressType = slice.path("addressType").asText();
      if (addressType.equals("FQDN")) continue;
      int port = -1;
      for (JsonNode p : slice.path("ports")) {
        if (p.path("name").asText("").equals(portName) && p.hasNonNull("port")) port = p.path("port").asInt();
      }
      if (port < 0) continue;
      for (JsonNode ep : slice.path("endpoints")) {
        // a nil ready condition means ready
        if (!ep.path("conditions").path("ready").asBoolean(true)) continue;
        for (JsonNode a : ep.path("addresses")) out.add(uri(a.asText(), port));
      }
    }
    return out;
  }

  /** Null when the Service has no Endpoints object. */
  private List<URI> fromEndpoints(String namespace, String name, String portName) {
    ObjectNode eps = endpoints.get(endpoints.prefix() + namespace + "/" + name);
    if (eps == null) return null;
    List<URI> out = new ArrayList<>();
    for (JsonNode subset : eps.path("subsets")) {
      for (JsonNode p : subset.path("ports")) {
        if (!p.path("name").asText("").equals(portName)) continue;
        for (JsonNode a : subset.path("addresses")) out.add(uri(a.path("ip").asText(), p.path("port").asInt()));
      }
    }
    return out;
  }

  private static URI uri(String ip, int port) {
    return URI.create("https://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
  }
}
