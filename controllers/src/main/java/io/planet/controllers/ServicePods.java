package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/** What the endpoints and endpointslice controllers share: which pods back a Service, and on which ports. */
final class ServicePods {
  private ServicePods() {}

  /**
   * Pod events as work for the services selecting the pod: before and after an update, since a label change can move
   * the pod from one service to another.
   */
  static ResourceEventHandler<Pod> enqueueSelectingServices(SharedIndexInformer<Service> services, Consumer<Service> enqueue) {
    Consumer<Pod> servicesOf = pod -> {
      for (Service s : services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
        if (selects(s, pod.getMetadata().getLabels())) enqueue.accept(s);
      }
    };
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod p) {
        servicesOf.accept(p);
      }

      @Override
      public void onUpdate(Pod old, Pod p) {
        servicesOf.accept(old);
        servicesOf.accept(p);
      }

      @Override
      public void onDelete(Pod p, boolean deletedFinalStateUnknown) {
        servicesOf.accept(p);
      }
    };
  }

  /** A Service with a non-empty selector; others have their endpoints managed by someone else. */
  static boolean hasSelector(Service svc) {
    return svc.getSpec() != null && svc.getSpec().getSelector() != null && !svc.getSpec().getSelector().isEmpty();
  }

  static boolean selects(Service svc, Map<String, String> podLabels) {
    return hasSelector(svc) && Selectors.matches(svc.getSpec().getSelector(), podLabels);
  }

  static boolean publishNotReady(Service svc) {
    return Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
  }

  static boolean headless(Service svc) {
    return "None".equals(svc.getSpec().getClusterIP());
  }

  static String ip(Pod pod) {
    if (pod.getStatus() == null) return null;
    String ip = pod.getStatus().getPodIP();
    return ip == null || ip.isEmpty() ? null : ip;
  }

  /**
   * Upstream's ShouldPodBeInEndpoints: the pod has an IP, has not finished, and is not being deleted (unless the
   * Service publishes not-ready addresses, which includes terminating ones).
   */
  static boolean belongs(Pod pod, boolean includeTerminating) {
    if (ip(pod) == null) return false;
    String phase = PodStatus.phase(pod);
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) return false;
    return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
  }

  /** The pod port a service port targets: a number as is, a name looked up among the containers' ports; or null. */
  static Integer findPort(Pod pod, ServicePort sp) {
    IntOrString target = sp.getTargetPort();
    if (target == null) return sp.getPort();
    if (target.getStrVal() == null) return target.getIntVal();
    String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() == null) continue;
      for (ContainerPort p : c.getPorts()) {
        String pp = p.getProtocol() == null ? "TCP" : p.getProtocol();
        if (target.getStrVal().equals(p.getName()) && protocol.equals(pp)) return p.getContainerPort();
      }
    }
    return null;
  }

  /** When the pod last changed in a way endpoints care about (upstream's trigger time): its Ready transition. */
  static Instant lastChange(Pod pod) {
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("Ready".equals(c.getType()) && c.getLastTransitionTime() != null) return Instant.parse(c.getLastTransitionTime());
      }
    }
    String created = pod.getMetadata().getCreationTimestamp();
    return created == null ? null : Instant.parse(created);
  }
}
