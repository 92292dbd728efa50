package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resource amounts as the kubelet's admission counts them (upstream's scheduler framework Resource): cpu in
 * millicores, everything else (memory, ephemeral-storage, pods, hugepages, extended resources) in whole units,
 * rounded up. Keyed by resource name; a missing name is zero.
 */
final class PodRequests {
  static final String CPU = "cpu";
  static final String MEMORY = "memory";
  static final String EPHEMERAL_STORAGE = "ephemeral-storage";
  static final String PODS = "pods";

  private PodRequests() {}

  /** A resource list (a node's allocatable, a container's requests) in admission units. */
  static Map<String, Long> of(Map<String, Quantity> list) {
    Map<String, Long> out = new TreeMap<>();
    if (list == null) return out;
    for (Map.Entry<String, Quantity> e : list.entrySet()) {
      if (e.getValue() == null) continue;
      out.put(e.getKey(), amount(e.getKey(), e.getValue()));
    }
    return out;
  }

  static long amount(String name, Quantity q) {
    BigDecimal v = q.getNumericalAmount();
    if (name.equals(CPU)) v = v.multiply(BigDecimal.valueOf(1000));
    return v.setScale(0, RoundingMode.CEILING).longValue();
  }

  /**
   * A pod's effective requests, as upstream's resource helper computes them: the app containers' sum, or the largest
   * init container when that is more (a regular init container runs beside the restartable "sidecar" init containers
   * started before it, and sidecars also run beside the app containers), plus the pod overhead.
   */
  static Map<String, Long> of(Pod pod) {
    Map<String, Long> total = new TreeMap<>();
    if (pod.getSpec() == null) return total;
    for (Container c : list(pod.getSpec().getContainers())) add(total, requests(c));
    Map<String, Long> sidecars = new TreeMap<>();
    Map<String, Long> init = new TreeMap<>();
    for (Container c : list(pod.getSpec().getInitContainers())) {
      Map<String, Long> own = requests(c);
      Map<String, Long> whileRunning;
      if ("Always".equals(c.getRestartPolicy())) {
        add(total, own);
        add(sidecars, own);
        whileRunning = new TreeMap<>(sidecars);
      } else {
        whileRunning = new TreeMap<>(own);
        add(whileRunning, sidecars);
      }
      max(init, whileRunning);
    }
    max(total, init);
    add(total, of(pod.getSpec().getOverhead()));
    return total;
  }

  /** The summed requests of {@code pods}, with their number under "pods". */
  static Map<String, Long> used(java.util.Collection<Pod> pods) {
    Map<String, Long> out = new TreeMap<>();
    for (Pod p : pods) add(out, of(p));
    out.put(PODS, (long) pods.size());
    return out;
  }

  private static Map<String, Long> requests(Container c) {
    return of(c.getResources() == null ? null : c.getResources().getRequests());
  }

  static void add(Map<String, Long> into, Map<String, Long> more) {
    more.forEach((k, v) -> into.merge(k, v, Long::sum));
  }

  private static void max(Map<String, Long> into, Map<String, Long> other) {
    other.forEach((k, v) -> into.merge(k, v, Math::max));
  }

  /** Upstream's IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not a quota "requests." one. */
  static boolean extended(String name) {
    return name.contains("/") && !name.contains("kubernetes.io/") && !name.startsWith("requests.");
  }

  /** Upstream's scalar resources: extended, hugepages-*, attachable-volumes-* and kubernetes.io/-prefixed ones. */
  static boolean scalar(String name) {
    return extended(name) || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-") || name.contains("/");
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
