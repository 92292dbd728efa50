package io.planet.controllers;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Upstream's endpoint controller: for every Service with a selector, an Endpoints object of the same name listing
 * the selected pods' addresses (ready ones in {@code addresses}, others in {@code notReadyAddresses}), grouped into
 * subsets by the ports each pod serves.
 */
public final class EndpointsController extends Controller {
  static final String MANAGED_BY = "endpoints.kubernetes.io/managed-by";
  static final String CONTROLLER_NAME = "endpoint-controller";
  static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
  static final String HEADLESS = "service.kubernetes.io/headless";
  static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
  /** Upstream's cap on addresses in one Endpoints object; EndpointSlices carry the rest. */
  static final int MAX_CAPACITY = 1000;

  private final KubernetesClient client;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Endpoints> endpoints;

  public EndpointsController(KubernetesClient client) {
    super("endpoint", 5);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    services = informers.informer(Service.class);
    pods = informers.informer(Pod.class);
    endpoints = informers.informer(Endpoints.class);
    services.addEventHandler(enqueueing());
    pods.addEventHandler(ServicePods.enqueueSelectingServices(services, svc -> enqueue(key(svc))));
    // someone deleted or edited our Endpoints: put it back
    endpoints.addEventHandler(enqueueing());
  }


  @Override
  protected void reconcile(String key) {
    String ns = key.substring(0, key.indexOf('/'));
    String name = key.substring(key.indexOf('/') + 1);
    Service svc = services.getStore().getByKey(key);
    Endpoints current = endpoints.getStore().getByKey(key);
    if (svc == null) {
      if (current != null) {
        try {
          client.endpoints().inNamespace(ns).withName(name).delete();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) throw e;
        }
      }
      return;
    }
    if (!ServicePods.hasSelector(svc)) return;

    Instant trigger = svc.getMetadata().getCreationTimestamp() == null ? null
        : Instant.parse(svc.getMetadata().getCreationTimestamp());
    List<Pod> selected = new ArrayList<>();
    for (Pod p : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns)) {
      if (!ServicePods.selects(svc, p.getMetadata().getLabels())) continue;
      if (!ServicePods.belongs(p, ServicePods.publishNotReady(svc))) continue;
      selected.add(p);
      Instant changed = ServicePods.lastChange(p);
      if (changed != null && (trigger == null || changed.isAfter(trigger))) trigger = changed;
    }
    List<EndpointSubset> subsets = subsets(svc, selected);
    boolean truncated = count(subsets) > MAX_CAPACITY;
    if (truncated) subsets = truncate(subsets, MAX_CAPACITY);
    Map<String, String> labels = labels(svc);

    boolean wasTruncated = current != null && current.getMetadata().getAnnotations() != null
        && current.getMetadata().getAnnotations().containsKey(OVER_CAPACITY);
    if (current != null && labels.equals(current.getMetadata().getLabels()) && truncated == wasTruncated
        && subsets.equals(normalize(current.getSubsets()))) {
      return;
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    if (current != null && current.getMetadata().getAnnotations() != null) {
      annotations.putAll(current.getMetadata().getAnnotations());
    }
    if (truncated) annotations.put(OVER_CAPACITY, "truncated");
    else annotations.remove(OVER_CAPACITY);
    if (trigger != null) {
      annotations.put(TRIGGER_TIME, DateTimeFormatter.ISO_INSTANT.format(trigger.truncatedTo(ChronoUnit.SECONDS)));
    }
    if (current == null) {
      client.endpoints().inNamespace(ns).resource(new EndpointsBuilder()
          .withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).withAnnotations(annotations).endMetadata()
          .withSubsets(subsets).build()).create();
    } else {
      Endpoints updated = new EndpointsBuilder(current).editMetadata().withLabels(labels).withAnnotations(annotations)
          .endMetadata().withSubsets(subsets).build();
      client.endpoints().inNamespace(ns).resource(updated).update();
    }
  }

  /** The Service's labels plus the controller's own (and the headless marker, as upstream). */
  private static Map<String, String> labels(Service svc) {
    Map<String, String> labels = new TreeMap<>();
    if (svc.getMetadata().getLabels() != null) labels.putAll(svc.getMetadata().getLabels());
    labels.put(MANAGED_BY, CONTROLLER_NAME);
    if (ServicePods.headless(svc)) labels.put(HEADLESS, "");
    else labels.remove(HEADLESS);
    return labels;
  }

  /** One address per pod, grouped into subsets of pods serving the same ports, in a stable order. */
  static List<EndpointSubset> subsets(Service svc, List<Pod> selected) {
    boolean publishNotReady = ServicePods.publishNotReady(svc);
    List<ServicePort> servicePorts = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
    if (servicePorts.isEmpty() && !ServicePods.headless(svc)) return List.of();
    // port set (as a sorted key) -> its ports, ready addresses, not-ready addresses
    Map<String, List<EndpointPort>> portsByKey = new TreeMap<>();
    Map<String, List<EndpointAddress>> ready = new HashMap<>();
    Map<String, List<EndpointAddress>> notReady = new HashMap<>();
    for (Pod p : selected) {
      List<EndpointPort> ports = new ArrayList<>();
      for (ServicePort sp : servicePorts) {
        Integer port = ServicePods.findPort(p, sp);
        if (port == null) continue;
        ports.add(new EndpointPortBuilder().withName(sp.getName()).withPort(port)
            .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol()).withAppProtocol(sp.getAppProtocol()).build());
      }
      if (ports.isEmpty() && !servicePorts.isEmpty()) continue;
      ports.sort(Comparator.comparing((EndpointPort e) -> Objects.toString(e.getName(), ""))
          .thenComparing(EndpointPort::getPort).thenComparing(EndpointPort::getProtocol));
      String k = ports.toString();
      portsByKey.putIfAbsent(k, ports);
      boolean isReady = publishNotReady || PodStatus.ready(p);
      (isReady ? ready : notReady).computeIfAbsent(k, x -> new ArrayList<>()).add(address(svc, p));
    }
    List<EndpointSubset> out = new ArrayList<>();
    Comparator<EndpointAddress> byIp = Comparator.comparing(EndpointAddress::getIp);
    for (Map.Entry<String, List<EndpointPort>> e : portsByKey.entrySet()) {
      List<EndpointAddress> r = ready.getOrDefault(e.getKey(), new ArrayList<>());
      List<EndpointAddress> n = notReady.getOrDefault(e.getKey(), new ArrayList<>());
      r.sort(byIp);
      n.sort(byIp);
      out.add(new EndpointSubsetBuilder().withAddresses(r.isEmpty() ? null : r)
          .withNotReadyAddresses(n.isEmpty() ? null : n)
          .withPorts(e.getValue().isEmpty() ? null : e.getValue()).build());
    }
    return out;
  }

  private static int count(List<EndpointSubset> subsets) {
    int n = 0;
    for (EndpointSubset s : subsets) n += size(s.getAddresses()) + size(s.getNotReadyAddresses());
    return n;
  }

  private static int size(List<EndpointAddress> a) {
    return a == null ? 0 : a.size();
  }

  /**
   * Upstream's truncation of an over-capacity Endpoints: ready addresses are kept before not-ready ones, and each
   * kind is cut across subsets in proportion to their size.
   */
  static List<EndpointSubset> truncate(List<EndpointSubset> subsets, int max) {
    int ready = 0;
    for (EndpointSubset s : subsets) ready += size(s.getAddresses());
    int readyBudget = Math.min(ready, max);
    int notReady = count(subsets) - ready;
    int notReadyBudget = max - readyBudget;
    List<EndpointSubset> out = new ArrayList<>();
    for (EndpointSubset s : subsets) {
      List<EndpointAddress> r = keep(s.getAddresses(), ready, readyBudget);
      List<EndpointAddress> n = keep(s.getNotReadyAddresses(), notReady, notReadyBudget);
      readyBudget -= size(r);
      ready -= size(s.getAddresses());
      notReadyBudget -= size(n);
      notReady -= size(s.getNotReadyAddresses());
      if (r == null && n == null) continue;
      out.add(new EndpointSubsetBuilder(s).withAddresses(r).withNotReadyAddresses(n).build());
    }
    return out;
  }

  /** This subset's share of the budget left for the addresses left (the last subset takes what remains). */
  private static List<EndpointAddress> keep(List<EndpointAddress> a, int remaining, int budget) {
    if (a == null || a.isEmpty() || budget <= 0) return null;
    int n = remaining <= budget ? a.size() : (int) Math.ceil((double) a.size() * budget / remaining);
    n = Math.min(Math.min(n, budget), a.size());
    return new ArrayList<>(a.subList(0, n));
  }

  private static EndpointAddress address(Service svc, Pod p) {
    EndpointAddressBuilder b = new EndpointAddressBuilder().withIp(ServicePods.ip(p))
        .withNodeName(p.getSpec().getNodeName())
        .withNewTargetRef().withKind("Pod").withNamespace(p.getMetadata().getNamespace())
        .withName(p.getMetadata().getName()).withUid(p.getMetadata().getUid()).endTargetRef();
    // a pod naming the service as its subdomain gets DNS under its hostname
    String hostname = p.getSpec().getHostname();
    if (hostname != null && !hostname.isEmpty() && svc.getMetadata().getName().equals(p.getSpec().getSubdomain())) {
      b.withHostname(hostname);
    }
    return b.build();
  }

  /** The server's copy with empty lists as null, so it compares equal to what {@link #subsets} builds. */
  private static List<EndpointSubset> normalize(List<EndpointSubset> subsets) {
    if (subsets == null) return List.of();
    List<EndpointSubset> out = new ArrayList<>();
    for (EndpointSubset s : subsets) {
      out.add(new EndpointSubsetBuilder()
          .withAddresses(s.getAddresses() == null || s.getAddresses().isEmpty() ? null : s.getAddresses())
          .withNotReadyAddresses(s.getNotReadyAddresses() == null || s.getNotReadyAddresses().isEmpty()
              ? null : s.getNotReadyAddresses())
          .withPorts(s.getPorts() == null || s.getPorts().isEmpty() ? null : s.getPorts()).build());
    }
    return out;
  }
}
