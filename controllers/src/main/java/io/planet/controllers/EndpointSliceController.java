package io.planet.controllers;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Upstream's endpointslice controller: for every Service with a selector, discovery.k8s.io/v1 EndpointSlices (at
 * most {@code maxEndpointsPerSlice} endpoints each, one port set per slice) listing the selected pods, with
 * ready/serving/terminating conditions. Endpoints stay in the slice they are in, so an unrelated change rewrites
 * nothing; a Service without endpoints keeps one empty placeholder slice, as upstream.
 */
public final class EndpointSliceController extends Controller {
  static final String SERVICE_NAME = "kubernetes.io/service-name";
  static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
  static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
  static final int DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

  private final KubernetesClient client;
  private final int maxEndpointsPerSlice;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Pod> pods;

  public EndpointSliceController(KubernetesClient client) {
    this(client, DEFAULT_MAX_ENDPOINTS_PER_SLICE);
  }

  /** {@code maxEndpointsPerSlice}: upstream's --max-endpoints-per-slice. */
  public EndpointSliceController(KubernetesClient client, int maxEndpointsPerSlice) {
    super("endpointslice", 5);
    this.client = client;
    this.maxEndpointsPerSlice = maxEndpointsPerSlice;
  }

  @Override
  protected void register(Informers informers) {
    services = informers.informer(Service.class);
    pods = informers.informer(Pod.class);
    SharedIndexInformer<EndpointSlice> slices = informers.informer(EndpointSlice.class);
    services.addEventHandler(enqueueing());
    pods.addEventHandler(ServicePods.enqueueSelectingServices(services, svc -> enqueue(key(svc))));
    // a slice of ours changed or went away behind our back: look at its service again
    slices.addEventHandler(handler(s -> {
      Map<String, String> l = s.getMetadata().getLabels();
      if (l != null && CONTROLLER_NAME.equals(l.get(MANAGED_BY)) && l.get(SERVICE_NAME) != null) {
        enqueue(s.getMetadata().getNamespace() + "/" + l.get(SERVICE_NAME));
      }
    }));
  }


  /** The endpoints of one port set, keyed by pod. */
  private record Group(List<EndpointPort> ports, Map<String, Endpoint> endpoints) {}

  @Override
  protected void reconcile(String key) {
    String ns = key.substring(0, key.indexOf('/'));
    String name = key.substring(key.indexOf('/') + 1);
    Service svc = services.getStore().getByKey(key);
    if (svc == null || !ServicePods.hasSelector(svc)) return; // the garbage collector removes owned slices
    // read slices from the server, not the cache: a slice created a moment ago must not be created twice
    List<EndpointSlice> existing = new ArrayList<>(client.discovery().v1().endpointSlices().inNamespace(ns)
        .withLabel(SERVICE_NAME, name).withLabel(MANAGED_BY, CONTROLLER_NAME).list().getItems());
    existing.sort(Comparator.comparing(s -> s.getMetadata().getName()));
    String addressType = addressType(svc);
    Map<String, Group> desired = desired(svc, ns, addressType);
    Map<String, String> labels = labels(svc);
    int total = desired.values().stream().mapToInt(g -> g.endpoints().size()).sum();

    if (total == 0) {
      reconcilePlaceholder(svc, existing, labels, addressType);
      return;
    }
    List<EndpointSlice> kept = new ArrayList<>();
    for (EndpointSlice slice : existing) {
      Group g = addressType.equals(slice.getAddressType()) ? desired.get(portKey(slice.getPorts())) : null;
      if (g == null) {
        delete(slice);
        continue;
      }
      List<Endpoint> now = new ArrayList<>();
      for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        Endpoint want = g.endpoints().remove(podKey(e));
        if (want != null) now.add(want);
      }
      if (now.isEmpty()) {
        delete(slice);
        continue;
      }
      kept.add(slice);
      writeIfChanged(slice, now, labels);
    }
    // the rest: first into slices of the same port set with room, then into new slices
    for (Map.Entry<String, Group> entry : desired.entrySet()) {
      List<Endpoint> rest = new ArrayList<>(entry.getValue().endpoints().values());
      if (rest.isEmpty()) continue;
      for (EndpointSlice slice : kept) {
        if (rest.isEmpty()) break;
        if (!portKey(slice.getPorts()).equals(entry.getKey())) continue;
        List<Endpoint> now = new ArrayList<>(current(slice));
        int room = maxEndpointsPerSlice - now.size();
        if (room <= 0) continue;
        List<Endpoint> add = rest.subList(0, Math.min(room, rest.size()));
        now.addAll(add);
        add.clear();
        writeIfChanged(slice, now, labels);
      }
      for (int i = 0; i < rest.size(); i += maxEndpointsPerSlice) {
        create(svc, labels, addressType, entry.getValue().ports(),
            rest.subList(i, Math.min(rest.size(), i + maxEndpointsPerSlice)));
      }
    }
  }

  /** No endpoints: exactly one slice, without endpoints or ports, so consumers see the Service as known and empty. */
  private void reconcilePlaceholder(Service svc, List<EndpointSlice> existing, Map<String, String> labels,
      String addressType) {
    EndpointSlice placeholder = null;
    for (EndpointSlice s : existing) {
      boolean empty = (s.getEndpoints() == null || s.getEndpoints().isEmpty())
          && (s.getPorts() == null || s.getPorts().isEmpty()) && addressType.equals(s.getAddressType());
      if (placeholder == null && empty) {
        placeholder = s;
        writeIfChanged(s, List.of(), labels);
      } else {
        delete(s);
      }
    }
    if (placeholder == null) create(svc, labels, addressType, List.of(), List.of());
  }

  /** What the slice holds, after our writes in this reconcile. */
  private static List<Endpoint> current(EndpointSlice slice) {
    return slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
  }

  private void writeIfChanged(EndpointSlice slice, List<Endpoint> endpoints, Map<String, String> labels) {
    Map<String, String> have = slice.getMetadata().getLabels();
    if (labels.equals(have) && compareKeys(current(slice)).equals(compareKeys(endpoints))) return;
    slice.getMetadata().setLabels(labels);
    slice.setEndpoints(new ArrayList<>(endpoints));
    EndpointSlice written = client.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
        .resource(slice).update();
    slice.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
  }

  private void create(Service svc, Map<String, String> labels, String addressType, List<EndpointPort> ports,
      List<Endpoint> endpoints) {
    String ns = svc.getMetadata().getNamespace();
    String name = svc.getMetadata().getName();
    // upstream caps the prefix so that the generated name stays a valid DNS label
    String prefix = (name.length() > 57 ? name.substring(0, 57) : name) + "-";
    client.discovery().v1().endpointSlices().inNamespace(ns).resource(new EndpointSliceBuilder()
        .withNewMetadata().withGenerateName(prefix).withNamespace(ns).withLabels(labels)
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service").withName(name)
              .withUid(svc.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withAddressType(addressType).withPorts(ports.isEmpty() ? null : ports).withEndpoints(new ArrayList<>(endpoints))
        .build()).create();
  }

  private void delete(EndpointSlice slice) {
    try {
      client.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
          .withName(slice.getMetadata().getName()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }

  /** The selected pods as endpoints, grouped by the ports they serve (sorted keys, so slices fill in a stable order). */
  private Map<String, Group> desired(Service svc, String ns, String addressType) {
    List<ServicePort> servicePorts = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
    Map<String, Group> groups = new TreeMap<>();
    List<Pod> selected = new ArrayList<>();
    for (Pod p : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns)) {
      // terminating pods stay, marked terminating: slices tell consumers about graceful shutdown
      if (ServicePods.selects(svc, p.getMetadata().getLabels()) && ServicePods.belongs(p, true)
          && family(ServicePods.ip(p)).equals(addressType)) {
        selected.add(p);
      }
    }
    selected.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    for (Pod p : selected) {
      List<EndpointPort> ports = new ArrayList<>();
      for (ServicePort sp : servicePorts) {
        Integer port = ServicePods.findPort(p, sp);
        if (port == null) continue;
        ports.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName()).withPort(port)
            .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol()).withAppProtocol(sp.getAppProtocol())
            .build());
      }
      if (ports.isEmpty() && !servicePorts.isEmpty()) continue;
      ports.sort(Comparator.comparing((EndpointPort e) -> e.getName()).thenComparing(EndpointPort::getPort));
      String k = portKey(ports);
      groups.computeIfAbsent(k, x -> new Group(ports, new LinkedHashMap<>()))
          .endpoints().put(p.getMetadata().getName(), endpoint(svc, p));
    }
    return groups;
  }

  private static Endpoint endpoint(Service svc, Pod p) {
    boolean serving = PodStatus.ready(p);
    boolean terminating = p.getMetadata().getDeletionTimestamp() != null;
    // a terminating endpoint is never ready, unless the service publishes not-ready addresses (as upstream)
    boolean ready = ServicePods.publishNotReady(svc) || serving && !terminating;
    EndpointBuilder b = new EndpointBuilder().withAddresses(ServicePods.ip(p))
        .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions()
        .withNodeName(p.getSpec().getNodeName())
        .withNewTargetRef().withKind("Pod").withNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName()).withUid(p.getMetadata().getUid()).endTargetRef();
    String hostname = p.getSpec().getHostname();
    if (hostname != null && !hostname.isEmpty() && svc.getMetadata().getName().equals(p.getSpec().getSubdomain())) {
      b.withHostname(hostname);
    }
    return b.build();
  }

  private static String podKey(Endpoint e) {
    return e.getTargetRef() == null ? "ip:" + e.getAddresses() : e.getTargetRef().getName();
  }

  /** What makes two endpoints the same for consumers; compared instead of the objects, which the server may decorate. */
  private static List<String> compareKeys(List<Endpoint> endpoints) {
    List<String> out = new ArrayList<>();
    for (Endpoint e : endpoints) {
      var c = e.getConditions();
      out.add(String.join("|", String.valueOf(e.getAddresses()), String.valueOf(c == null ? null : c.getReady()),
          String.valueOf(c == null ? null : c.getServing()), String.valueOf(c == null ? null : c.getTerminating()),
          Objects.toString(e.getNodeName()), Objects.toString(e.getHostname()),
          e.getTargetRef() == null ? "" : e.getTargetRef().getName() + "/" + e.getTargetRef().getUid()));
    }
    return out;
  }

  private static String portKey(List<EndpointPort> ports) {
    if (ports == null || ports.isEmpty()) return "";
    List<String> parts = new ArrayList<>();
    for (EndpointPort p : ports) {
      parts.add(Objects.toString(p.getName(), "") + ":" + p.getPort() + "/" + Objects.toString(p.getProtocol(), "TCP")
          + "/" + Objects.toString(p.getAppProtocol(), ""));
    }
    parts.sort(null);
    return String.join(",", parts);
  }

  private static String addressType(Service svc) {
    List<String> families = svc.getSpec().getIpFamilies();
    return families != null && !families.isEmpty() && "IPv6".equals(families.get(0)) ? "IPv6" : "IPv4";
  }

  private static String family(String ip) {
    return ip != null && ip.contains(":") ? "IPv6" : "IPv4";
  }

  /** The Service's labels (the controller's own keys win) and upstream's labels linking slice to service. */
  private static Map<String, String> labels(Service svc) {
    Map<String, String> labels = new TreeMap<>();
    if (svc.getMetadata().getLabels() != null) labels.putAll(svc.getMetadata().getLabels());
    labels.put(SERVICE_NAME, svc.getMetadata().getName());
    labels.put(MANAGED_BY, CONTROLLER_NAME);
    if (ServicePods.headless(svc)) labels.put(EndpointsController.HEADLESS, "");
    else labels.remove(EndpointsController.HEADLESS);
    return labels;
  }
}
