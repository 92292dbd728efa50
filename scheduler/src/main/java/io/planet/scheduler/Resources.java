package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The resources the scheduler accounts: milli-CPU, bytes of memory and ephemeral storage, and a pod count.
 * Immutable; arithmetic returns new values.
 */
public record Resources(long milliCpu, long memory, long ephemeralStorage, long pods) {
  public static final Resources ZERO = new Resources(0, 0, 0, 0);
  /** What scoring assumes for a container that requests nothing, as upstream's non-zero defaults. */
  static final long DEFAULT_MILLI_CPU = 100;
  static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

  public Resources plus(Resources o) {
    return new Resources(milliCpu + o.milliCpu, memory + o.memory, ephemeralStorage + o.ephemeralStorage, pods + o.pods);
  }

  public Resources minus(Resources o) {
    return new Resources(milliCpu - o.milliCpu, memory - o.memory, ephemeralStorage - o.ephemeralStorage, pods - o.pods);
  }

  private Resources max(Resources o) {
    return new Resources(Math.max(milliCpu, o.milliCpu), Math.max(memory, o.memory),
        Math.max(ephemeralStorage, o.ephemeralStorage), Math.max(pods, o.pods));
  }

  /** A node's status.allocatable (falling back to capacity, as a node that reports no allocatable offers its capacity). */
  public static Resources of(Map<String, Quantity> list) {
    if (list == null) return ZERO;
    return new Resources(milli(list.get("cpu")), whole(list.get("memory")), whole(list.get("ephemeral-storage")),
        whole(list.get("pods")));
  }

  /**
   * A pod's effective request, as upstream computes it: the larger of the sum over app containers and the largest
   * init container (restartable "sidecar" init containers add to both), plus the pod overhead. Counts one pod.
   */
  public static Resources requests(Pod pod) {
    return requests(pod, false);
  }

  /** Like {@link #requests} but a container without a cpu or memory request counts upstream's defaults (for scoring). */
  public static Resources nonZeroRequests(Pod pod) {
    return requests(pod, true);
  }

  private static Resources requests(Pod pod, boolean nonZero) {
    PodSpec spec = pod.getSpec();
    if (spec == null) return new Resources(0, 0, 0, 1);
    Resources apps = ZERO;
    for (Container c : list(spec.getContainers())) apps = apps.plus(container(c, nonZero));
    Resources init = ZERO;
    Resources sidecars = ZERO;
    for (Container c : list(spec.getInitContainers())) {
      Resources r = container(c, nonZero);
      if ("Always".equals(c.getRestartPolicy())) {
        sidecars = sidecars.plus(r);
        apps = apps.plus(r);
      } else {
        init = init.max(sidecars.plus(r));
      }
    }
    Resources total = apps.max(init);
    if (spec.getOverhead() != null) total = total.plus(of(spec.getOverhead()).withPods(0));
    return total.withPods(1);
  }

  private Resources withPods(long n) {
    return new Resources(milliCpu, memory, ephemeralStorage, n);
  }

  private static Resources container(Container c, boolean nonZero) {
    Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
    Resources r = of(req);
    if (nonZero) {
      boolean hasCpu = req != null && req.containsKey("cpu");
      boolean hasMem = req != null && req.containsKey("memory");
      r = new Resources(hasCpu ? r.milliCpu : DEFAULT_MILLI_CPU, hasMem ? r.memory : DEFAULT_MEMORY, r.ephemeralStorage, 0);
    }
    return r.withPods(0);
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  static long milli(Quantity q) {
    if (q == null) return 0;
    return q.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING).longValue();
  }

  static long whole(Quantity q) {
    if (q == null) return 0;
    return q.getNumericalAmount().setScale(0, java.math.RoundingMode.CEILING).longValue();
  }
}
