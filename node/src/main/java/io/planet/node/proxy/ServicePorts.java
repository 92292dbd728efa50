package io.planet.node.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns Services and EndpointSlices into the service ports the proxy programs (upstream's ServiceChangeTracker and
 * EndpointsChangeTracker, done from scratch each sync). IPv4 only.
 */
public final class ServicePorts {
  /** The EndpointSlice label naming its Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  /** Services (and slices) meant for another proxy implementation carry this label; kube-proxy skips them. */
  static final String SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
  static final int DEFAULT_AFFINITY_SECONDS = 10800;

  private ServicePorts() {}

  /** Every port of every proxied Service, in a stable order, with its usable endpoints. */
  public static List<ServicePort> of(Collection<Service> services, Collection<EndpointSlice> slices) {
    Map<String, List<EndpointSlice>> byService = new LinkedHashMap<>();
    for (EndpointSlice s : slices) {
      Map<String, String> labels = s.getMetadata().getLabels();
      if (labels == null || labels.get(SERVICE_NAME_LABEL) == null || labels.containsKey(SERVICE_PROXY_NAME_LABEL)) continue;
      if (!"IPv4".equals(s.getAddressType())) continue;
      byService.computeIfAbsent(s.getMetadata().getNamespace() + "/" + labels.get(SERVICE_NAME_LABEL), k -> new ArrayList<>())
          .add(s);
    }
    List<Service> sorted = new ArrayList<>(services);
    sorted.sort(Comparator.comparing((Service s) -> s.getMetadata().getNamespace()).thenComparing(s -> s.getMetadata().getName()));
    List<ServicePort> out = new ArrayList<>();
    for (Service svc : sorted) {
      ServiceSpec spec = svc.getSpec();
      if (spec == null || !proxied(svc)) continue;
      String ns = svc.getMetadata().getNamespace();
      String name = svc.getMetadata().getName();
      int affinity = 0;
      if ("ClientIP".equals(spec.getSessionAffinity())) {
        affinity = DEFAULT_AFFINITY_SECONDS;
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
            && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
          affinity = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
      }
      List<String> externalIPs = spec.getExternalIPs() == null ? List.of()
          : spec.getExternalIPs().stream().filter(ip -> !ip.contains(":")).toList();
      for (io.fabric8.kubernetes.api.model.ServicePort p : spec.getPorts()) {
        String portName = p.getName() == null ? "" : p.getName();
        String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
        int nodePort = p.getNodePort() == null ? 0 : p.getNodePort();
        List<ServicePort.Endpoint> eps = usableEndpoints(byService.getOrDefault(ns + "/" + name, List.of()), portName, protocol);
        out.add(new ServicePort(ns, name, portName, protocol, spec.getClusterIP(), p.getPort(), nodePort, externalIPs,
            affinity, eps));
      }
    }
    return out;
  }

  /** Headless, ExternalName, IPv6-only and other-proxy Services get no rules (as upstream). */
  static boolean proxied(Service svc) {
    ServiceSpec spec = svc.getSpec();
    Map<String, String> labels = svc.getMetadata().getLabels();
    if (labels != null && labels.containsKey(SERVICE_PROXY_NAME_LABEL)) return false;
    if ("ExternalName".equals(spec.getType())) return false;
    String ip = spec.getClusterIP();
    return ip != null && !ip.isEmpty() && !"None".equals(ip) && !ip.contains(":") && spec.getPorts() != null;
  }

  /**
   * The endpoints traffic may go to, as upstream's CategorizeEndpoints for the Cluster traffic policy: the ready ones
   * (ready unset means ready); when there are none, the serving ones that are terminating, so connections keep
   * reaching pods shutting down gracefully until they are gone (KEP-1669). Deduplicated across slices, sorted for
   * stable rules.
   */
  static List<ServicePort.Endpoint> usableEndpoints(List<EndpointSlice> slices, String portName, String protocol) {
    List<ServicePort.Endpoint> ready = endpoints(slices, portName, protocol, c -> c == null || !Boolean.FALSE.equals(c.getReady()));
    if (!ready.isEmpty()) return ready;
    // serving unset means: as ready (EndpointConditions); terminating unset means not terminating
    return endpoints(slices, portName, protocol, c -> c != null && Boolean.TRUE.equals(c.getTerminating())
        && (c.getServing() != null ? c.getServing() : !Boolean.FALSE.equals(c.getReady())));
  }

  private static List<ServicePort.Endpoint> endpoints(List<EndpointSlice> slices, String portName, String protocol,
      Predicate<EndpointConditions> usable) {
    Set<ServicePort.Endpoint> eps = new LinkedHashSet<>();
    for (EndpointSlice s : slices) {
      Integer port = null;
      for (EndpointPort ep : s.getPorts() == null ? List.<EndpointPort>of() : s.getPorts()) {
        String n = ep.getName() == null ? "" : ep.getName();
        String proto = ep.getProtocol() == null ? "TCP" : ep.getProtocol();
        if (n.equals(portName) && proto.equals(protocol) && ep.getPort() != null) port = ep.getPort();
      }
      if (port == null || s.getEndpoints() == null) continue;
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : s.getEndpoints()) {
        if (!usable.test(e.getConditions())) continue;
        if (e.getAddresses() == null || e.getAddresses().isEmpty()) continue;
        eps.add(new ServicePort.Endpoint(e.getAddresses().get(0), port));
      }
    }
    List<ServicePort.Endpoint> sorted = new ArrayList<>(eps);
    sorted.sort(Comparator.comparing(ServicePort.Endpoint::toString));
    return sorted;
  }
}
