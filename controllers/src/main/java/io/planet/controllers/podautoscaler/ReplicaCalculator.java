package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's ReplicaCalculator: a replica count proposal for one metric. Ratios within the tolerance keep the
 * current count; pods that are pending, or (for cpu) not yet ready, are left out of the average; pods without a
 * sample count as 100% of target on a scale-down and 0% on a scale-up, so missing data never amplifies a change.
 */
public final class ReplicaCalculator {
  /** The pods of a namespace that a selector picks (the informer cache). */
  @FunctionalInterface
  public interface PodLister {
    List<Pod> list(String namespace, Selector selector);
  }

  /** A proposal: replicas, the current value (utilization % or milli-value) and its raw average, the sample time. */
  public record Proposal(int replicas, long usage, long rawAverage, Instant timestamp) {}

  private final MetricsClient metrics;
  private final PodLister pods;
  private final AutoscalerSettings settings;
  private final Clock clock;

  public ReplicaCalculator(MetricsClient metrics, PodLister pods, AutoscalerSettings settings, Clock clock) {
    this.metrics = metrics;
    this.pods = pods;
    this.settings = settings;
    this.clock = clock;
  }

  /** Resource metric with a Utilization target (percentage of requests); usage is the utilization %. */
  public Proposal resourceReplicas(int currentReplicas, int targetUtilization, String resource, String namespace,
      Selector selector, String container) throws MetricsUnavailable {
    PodMetrics m = resourceMetric(resource, namespace, selector, container);
    List<Pod> podList = pods.list(namespace, selector);
    if (podList.isEmpty()) throw new MetricsUnavailable("no pods returned by selector while calculating replica count");
    Map<String, PodMetric> samples = new HashMap<>(m.byPod());
    Groups g = group(podList, samples, resource);
    samples.keySet().removeAll(g.ignored);
    Map<String, Long> requests = requests(podList, resource, container);
    if (samples.isEmpty()) throw new MetricsUnavailable("did not receive metrics for any ready pods");
    Utilization u = utilization(samples, requests, targetUtilization);
    boolean rebalanceIgnored = !g.ignored.isEmpty() && u.ratio > 1.0;
    if (!rebalanceIgnored && g.missing.isEmpty()) {
      if (withinTolerance(u.ratio)) return new Proposal(currentReplicas, u.percent, u.rawAverage, m.timestamp());
      return new Proposal(ceil(u.ratio * g.ready), u.percent, u.rawAverage, m.timestamp());
    }
    if (!g.missing.isEmpty()) {
      for (String pod : g.missing) {
        if (u.ratio < 1.0) samples.put(pod, new PodMetric(requests.getOrDefault(pod, 0L), null, null));
        else if (u.ratio > 1.0) samples.put(pod, new PodMetric(0, null, null));
      }
    }
    if (rebalanceIgnored) {
      for (String pod : g.ignored) samples.put(pod, new PodMetric(0, null, null));
    }
    double newRatio = utilization(samples, requests, targetUtilization).ratio;
    if (withinTolerance(newRatio) || flips(u.ratio, newRatio)) {
      return new Proposal(currentReplicas, u.percent, u.rawAverage, m.timestamp());
    }
    int proposed = ceil(newRatio * samples.size());
    if (newRatio < 1.0 && proposed > currentReplicas || newRatio > 1.0 && proposed < currentReplicas) {
      // counting the rebalanced pods would move against the direction the metrics point
      return new Proposal(currentReplicas, u.percent, u.rawAverage, m.timestamp());
    }
    return new Proposal(proposed, u.percent, u.rawAverage, m.timestamp());
  }

  /** Resource metric with an AverageValue target (milli-units per pod). */
  public Proposal rawResourceReplicas(int currentReplicas, long targetAverage, String resource, String namespace,
      Selector selector, String container) throws MetricsUnavailable {
    PodMetrics m = resourceMetric(resource, namespace, selector, container);
    return plainMetricReplicas(m, currentReplicas, targetAverage, namespace, selector, resource);
  }

  /** A Pods metric: a custom metric per pod with an AverageValue target. */
  public Proposal podsMetricReplicas(int currentReplicas, long targetAverage, String metric, String namespace,
      Selector selector, Selector metricSelector) throws MetricsUnavailable {
    PodMetrics m;
    try {
      m = metrics.podsMetric(metric, namespace, selector, metricSelector);
    } catch (MetricsUnavailable e) {
      throw new MetricsUnavailable("unable to get metric " + metric + ": " + e.getMessage());
    }
    return plainMetricReplicas(m, currentReplicas, targetAverage, namespace, selector, "");
  }

  /** An Object metric with a Value target: the object's value against the target, scaled by ready pods. */
  public Proposal objectMetricReplicas(int currentReplicas, long target, String metric, String namespace,
      CrossVersionObjectReference object, Selector selector, Selector metricSelector) throws MetricsUnavailable {
    MetricsClient.Sample s = objectSample(metric, namespace, object, metricSelector);
    int replicas = usageRatioReplicas(currentReplicas, (double) s.value() / target, namespace, selector);
    return new Proposal(replicas, s.value(), s.value(), s.timestamp());
  }

  /** An Object metric with an AverageValue target: the object's value divided over the current pods. */
  public Proposal objectPerPodMetricReplicas(int statusReplicas, long targetAverage, String metric, String namespace,
      CrossVersionObjectReference object, Selector metricSelector) throws MetricsUnavailable {
    MetricsClient.Sample s = objectSample(metric, namespace, object, metricSelector);
    return perPod(statusReplicas, targetAverage, s.value(), s.timestamp());
  }

  /** An External metric with a Value target: the sum of the matching series against the target. */
  public Proposal externalMetricReplicas(int currentReplicas, long target, String metric, String namespace,
      Selector metricSelector, Selector podSelector) throws MetricsUnavailable {
    MetricsClient.ExternalSamples s = external(metric, namespace, metricSelector);
    long sum = s.values().stream().mapToLong(Long::longValue).sum();
    int replicas = usageRatioReplicas(currentReplicas, (double) sum / target, namespace, podSelector);
    return new Proposal(replicas, sum, sum, s.timestamp());
  }

  /** An External metric with an AverageValue target: the sum divided over the current pods. */
  public Proposal externalPerPodMetricReplicas(int statusReplicas, long targetAverage, String metric, String namespace,
      Selector metricSelector) throws MetricsUnavailable {
    MetricsClient.ExternalSamples s = external(metric, namespace, metricSelector);
    long sum = s.values().stream().mapToLong(Long::longValue).sum();
    return perPod(statusReplicas, targetAverage, sum, s.timestamp());
  }

  private PodMetrics resourceMetric(String resource, String namespace, Selector selector, String container)
      throws MetricsUnavailable {
    try {
      return metrics.resourceMetric(resource, namespace, selector, container);
    } catch (MetricsUnavailable e) {
      throw new MetricsUnavailable("unable to get metrics for resource " + resource + ": " + e.getMessage());
    }
  }

  private MetricsClient.Sample objectSample(String metric, String namespace, CrossVersionObjectReference object,
      Selector metricSelector) throws MetricsUnavailable {
    try {
      return metrics.objectMetric(metric, namespace, object, metricSelector);
    } catch (MetricsUnavailable e) {
      throw new MetricsUnavailable("unable to get metric " + metric + ": " + object.getKind() + " on " + namespace + " "
          + object.getName() + "/" + e.getMessage());
    }
  }

  private MetricsClient.ExternalSamples external(String metric, String namespace, Selector metricSelector)
      throws MetricsUnavailable {
    try {
      return metrics.externalMetric(metric, namespace, metricSelector);
    } catch (MetricsUnavailable e) {
      throw new MetricsUnavailable("unable to get external metric " + namespace + "/" + metric + "/"
          + metricSelector + ": " + e.getMessage());
    }
  }

  private Proposal plainMetricReplicas(PodMetrics m, int currentReplicas, long target, String namespace,
      Selector selector, String resource) throws MetricsUnavailable {
    List<Pod> podList = pods.list(namespace, selector);
    if (podList.isEmpty()) throw new MetricsUnavailable("no pods returned by selector while calculating replica count");
    Map<String, PodMetric> samples = new HashMap<>(m.byPod());
    Groups g = group(podList, samples, resource);
    samples.keySet().removeAll(g.ignored);
    if (samples.isEmpty()) throw new MetricsUnavailable("did not receive metrics for any ready pods");
    long usage = average(samples);
    double ratio = (double) usage / target;
    boolean rebalanceIgnored = !g.ignored.isEmpty() && ratio > 1.0;
    if (!rebalanceIgnored && g.missing.isEmpty()) {
      if (withinTolerance(ratio)) return new Proposal(currentReplicas, usage, usage, m.timestamp());
      return new Proposal(ceil(ratio * g.ready), usage, usage, m.timestamp());
    }
    if (!g.missing.isEmpty()) {
      for (String pod : g.missing) samples.put(pod, new PodMetric(ratio < 1.0 ? target : 0, null, null));
    }
    if (rebalanceIgnored) {
      for (String pod : g.ignored) samples.put(pod, new PodMetric(0, null, null));
    }
    double newRatio = (double) average(samples) / target;
    if (withinTolerance(newRatio) || flips(ratio, newRatio)) return new Proposal(currentReplicas, usage, usage, m.timestamp());
    return new Proposal(ceil(newRatio * samples.size()), usage, usage, m.timestamp());
  }

  /** Scale by ready pods, or from zero straight to ceil(ratio) (scaling from zero needs no pods). */
  private int usageRatioReplicas(int currentReplicas, double ratio, String namespace, Selector selector)
      throws MetricsUnavailable {
    if (currentReplicas == 0) return ceil(ratio);
    if (withinTolerance(ratio)) return currentReplicas;
    List<Pod> podList = pods.list(namespace, selector);
    if (podList.isEmpty()) {
      throw new MetricsUnavailable("unable to calculate ready pods: no pods returned by selector while calculating replica count");
    }
    long ready = podList.stream().filter(p -> "Running".equals(phase(p)) && ready(p)).count();
    return ceil(ratio * ready);
  }

  private Proposal perPod(int statusReplicas, long targetAverage, long total, Instant timestamp) {
    int replicas = statusReplicas;
    double ratio = total / ((double) targetAverage * replicas);
    if (Math.abs(1.0 - ratio) > settings.tolerance()) replicas = ceil((double) total / targetAverage);
    long usage = (long) Math.ceil((double) total / statusReplicas);
    return new Proposal(replicas, usage, usage, timestamp);
  }

  private boolean withinTolerance(double ratio) {
    return Math.abs(1.0 - ratio) <= settings.tolerance();
  }

  /** The rebalanced ratio points the other way: do nothing rather than scale against the metrics. */
  private static boolean flips(double ratio, double newRatio) {
    return ratio < 1.0 && newRatio > 1.0 || ratio > 1.0 && newRatio < 1.0;
  }

  private static int ceil(double d) {
    return (int) Math.ceil(d);
  }

  private record Groups(int ready, Set<String> ignored, Set<String> missing) {}

  /** groupPods: which pods count, which are ignored (pending; cpu: not ready yet) and which have no sample. */
  private Groups group(List<Pod> podList, Map<String, PodMetric> samples, String resource) {
    int ready = 0;
    Set<String> ignored = new HashSet<>();
    Set<String> missing = new HashSet<>();
    Instant now = clock.instant();
    for (Pod p : podList) {
      String name = p.getMetadata().getName();
      if (p.getMetadata().getDeletionTimestamp() != null || "Failed".equals(phase(p))) continue;
      if ("Pending".equals(phase(p))) {
        ignored.add(name);
        continue;
      }
      PodMetric sample = samples.get(name);
      if (sample == null) {
        missing.add(name);
        continue;
      }
      if ("cpu".equals(resource) && ignoreCpuSample(p, sample, now)) {
        ignored.add(name);
        continue;
      }
      ready++;
    }
    return new Groups(ready, ignored, missing);
  }

  /**
   * CPU samples of starting pods are noisy: inside the initialization period a sample counts only once the pod is
   * ready and a full metric window has passed since; after it, only pods that never became ready are left out.
   */
  private boolean ignoreCpuSample(Pod p, PodMetric sample, Instant now) {
    PodCondition c = readyCondition(p);
    String start = p.getStatus() == null ? null : p.getStatus().getStartTime();
    if (c == null || start == null || start.isEmpty()) return true;
    Instant started = Instant.parse(start);
    Instant transition = c.getLastTransitionTime() == null ? Instant.EPOCH : Instant.parse(c.getLastTransitionTime());
    if (started.plus(settings.cpuInitializationPeriod()).isAfter(now)) {
      Instant ts = sample.timestamp() == null ? Instant.EPOCH : sample.timestamp();
      return "False".equals(c.getStatus())
          || ts.isBefore(transition.plus(sample.window() == null ? Duration.ZERO : sample.window()));
    }
    return "False".equals(c.getStatus()) && started.plus(settings.initialReadinessDelay()).isAfter(transition);
  }

  /** Requests per pod in milli-units (one container's, or the sum over containers); a missing request is an error. */
  private static Map<String, Long> requests(List<Pod> podList, String resource, String container)
      throws MetricsUnavailable {
    Map<String, Long> out = new HashMap<>();
    for (Pod p : podList) {
      long sum = 0;
      for (Container c : p.getSpec().getContainers()) {
        if (container != null && !container.isEmpty() && !container.equals(c.getName())) continue;
        Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
        if (req == null || !req.containsKey(resource)) {
          throw new MetricsUnavailable("missing request for " + resource + " in container " + c.getName()
              + " of Pod " + p.getMetadata().getName());
        }
        sum += Quantities.milli(req.get(resource));
      }
      out.put(p.getMetadata().getName(), sum);
    }
    return out;
  }

  private record Utilization(double ratio, int percent, long rawAverage) {}

  /** GetResourceUtilizationRatio: total usage over total requests of the pods that have both. */
  private static Utilization utilization(Map<String, PodMetric> samples, Map<String, Long> requests, int target)
      throws MetricsUnavailable {
    long usage = 0;
    long requested = 0;
    int n = 0;
    for (Map.Entry<String, PodMetric> e : samples.entrySet()) {
      Long r = requests.get(e.getKey());
      if (r == null) continue; // a sample for a pod we do not know: extraneous
      usage += e.getValue().value();
      requested += r;
      n++;
    }
    if (requested == 0) throw new MetricsUnavailable("no metrics returned matched known pods");
    int percent = (int) (usage * 100 / requested);
    return new Utilization((double) percent / target, percent, usage / n);
  }

  private static long average(Map<String, PodMetric> samples) {
    long total = 0;
    for (PodMetric m : samples.values()) total += m.value();
    return total / samples.size();
  }

  private static String phase(Pod p) {
    return p.getStatus() == null || p.getStatus().getPhase() == null ? "" : p.getStatus().getPhase();
  }

  private static boolean ready(Pod p) {
    PodCondition c = readyCondition(p);
    return c != null && "True".equals(c.getStatus());
  }

  private static PodCondition readyCondition(Pod p) {
    if (p.getStatus() == null || p.getStatus().getConditions() == null) return null;
    return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
  }
}
