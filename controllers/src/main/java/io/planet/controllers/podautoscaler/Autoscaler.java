package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.client.events.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HPA's reconcile, as upstream's reconcileAutoscaler: read the target's scale, clamp to min/max or compute the
 * metrics' proposal (the largest over all metrics), normalize it (stabilization, behavior), write the scale when it
 * changes, then the status (current/desired replicas, current metrics, conditions) when that changed.
 */
public final class Autoscaler {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  /** The reconcile did its bookkeeping but could not do its job; the message is what upstream logs. */
  public static final class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  private final KubernetesClient client;
  private final ScaleClient scales;
  private final ReplicaCalculator calculator;
  private final ScaleNormalizer normalizer;
  private final HpaEvents events;
  private final ReplicaCalculator.PodLister pods;
  private final Clock clock;
  /** Each HPA's pod selector, to find pods that two HPAs would both control. */
  private final Map<String, Selector> selectors = new ConcurrentHashMap<>();

  public Autoscaler(KubernetesClient client, ReplicaCalculator.PodLister pods, AutoscalerSettings settings, Clock clock,
      EventRecorder events) {
    this(client, null, pods, settings, clock, events);
  }

  /** With a given metrics client (null: the REST one against the API server). */
  public Autoscaler(KubernetesClient client, MetricsClient metrics, ReplicaCalculator.PodLister pods,
      AutoscalerSettings settings, Clock clock, EventRecorder events) {
    ApiRequests api = new ApiRequests(client);
    ApiResources resources = new ApiResources(client);
    this.client = client;
    this.scales = new ScaleClient(api, resources);
    this.calculator = new ReplicaCalculator(metrics != null ? metrics : new RestMetricsClient(api, resources), pods,
        settings, clock);
    this.normalizer = new ScaleNormalizer(clock, settings.downscaleStabilizationWindow());
    this.events = new HpaEvents(events);
    this.pods = pods;
    this.clock = clock;
  }

  /** The HPA was deleted: forget its recommendations, scale events and selector. */
  public void forget(String key) {
    normalizer.forget(key);
    selectors.remove(key);
  }

  public void reconcile(HorizontalPodAutoscaler shared, String key) throws Failed {
    HorizontalPodAutoscaler hpa = client.getKubernetesSerialization().clone(shared);
    if (hpa.getStatus() == null) hpa.setStatus(new HorizontalPodAutoscalerStatus());
    HorizontalPodAutoscalerStatus original = client.getKubernetesSerialization().clone(hpa.getStatus());
    String ns = hpa.getMetadata().getNamespace();
    CrossVersionObjectReference ref = hpa.getSpec().getScaleTargetRef();
    String reference = ref.getKind() + "/" + ns + "/" + ref.getName();

    ScaleClient.Scale scale;
    try {
      scale = scales.get(ns, ref.getApiVersion() == null ? "" : ref.getApiVersion(), ref.getKind(), ref.getName());
    } catch (ScaleClient.ScaleFailure e) {
      events.warning(hpa, "FailedGetScale", e.getMessage());
      condition(hpa, "AbleToScale", "False", "FailedGetScale",
          "the HPA controller was unable to get the target's current scale: " + e.getMessage());
      updateStatusIfNeeded(original, hpa);
      throw new Failed("failed to query scale subresource for " + reference + ": " + e.getMessage());
    }
    condition(hpa, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
    int currentReplicas = scale.specReplicas();
    normalizer.recordInitial(key, currentReplicas);

    int minReplicas = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
    int maxReplicas = hpa.getSpec().getMaxReplicas();
    int desiredReplicas = 0;
    String rescaleReason = "";
    boolean rescale = true;
    List<MetricStatus> metricStatuses = List.of();
    Failed partial = null;

    if (currentReplicas == 0 && minReplicas != 0) {
      desiredReplicas = 0;
      rescale = false;
      condition(hpa, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = "Current number of replicas above Spec.MaxReplicas";
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = "Current number of replicas below Spec.MinReplicas";
      desiredReplicas = minReplicas;
    } else {
      MetricsOutcome m = computeReplicasForMetrics(hpa, key, scale);
      metricStatuses = m.statuses;
      if (m.replicas == -1) {
        setStatus(hpa, currentReplicas, hpa.getStatus().getDesiredReplicas() == null ? 0
            : hpa.getStatus().getDesiredReplicas(), metricStatuses, false);
        updateStatusIfNeeded(original, hpa);
        events.warning(hpa, "FailedComputeMetricsReplicas", m.error);
        throw new Failed("failed to compute desired number of replicas based on listed metrics for " + reference + ": " + m.error);
      }
      if (m.error != null) partial = new Failed(m.error);
      String rescaleMetric = "";
      if (m.replicas > desiredReplicas) {
        desiredReplicas = m.replicas;
        rescaleMetric = m.metric;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = rescaleMetric + " above target";
      if (desiredReplicas < currentReplicas) rescaleReason = "All metrics below target";
      ScaleNormalizer.Outcome o = normalizer.normalize(key, hpa.getSpec().getBehavior(), currentReplicas,
          desiredReplicas, minReplicas, maxReplicas);
      condition(hpa, "AbleToScale", "True", o.ableReason(), o.ableMessage());
      condition(hpa, "ScalingLimited", o.limited() ? "True" : "False", o.limitReason(), o.limitMessage());
      desiredReplicas = o.replicas();
      rescale = desiredReplicas != currentReplicas;
    }

    if (rescale) {
      try {
        scales.update(scale, desiredReplicas);
      } catch (ScaleClient.ScaleFailure e) {
        events.warning(hpa, "FailedRescale", "New size: " + desiredReplicas + "; reason: " + rescaleReason
            + "; error: " + e.getMessage());
        condition(hpa, "AbleToScale", "False", "FailedUpdateScale",
            "the HPA controller was unable to update the target scale: " + e.getMessage());
        setStatus(hpa, currentReplicas, hpa.getStatus().getDesiredReplicas() == null ? 0
            : hpa.getStatus().getDesiredReplicas(), metricStatuses, false);
        updateStatusIfNeeded(original, hpa);
        throw new Failed("failed to rescale " + reference + ": " + e.getMessage());
      }
      condition(hpa, "AbleToScale", "True", "SucceededRescale",
          "the HPA controller was able to update the target scale to " + desiredReplicas);
      events.normal(hpa, "SuccessfulRescale", "New size: " + desiredReplicas + "; reason: " + rescaleReason);
      normalizer.recordScale(key, hpa.getSpec().getBehavior(), currentReplicas, desiredReplicas);
      LOG.info("rescaled {} from {} to {}: {}", reference, currentReplicas, desiredReplicas, rescaleReason);
    } else {
      desiredReplicas = currentReplicas;
    }
    setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    updateStatusIfNeeded(original, hpa);
    if (partial != null) throw partial;
  }

  private record MetricsOutcome(int replicas, String metric, List<MetricStatus> statuses, String error) {}

  /** A proposal for one metric, or the ScalingActive=False condition its failure sets. */
  private record MetricProposal(int replicas, String metric, MetricStatus status, String failReason,
      String conditionError, String error) {
    static MetricProposal of(int replicas, String metric, MetricStatus status) {
      return new MetricProposal(replicas, metric, status, null, null, null);
    }
  }

  private record SelectorCheck(Selector selector, String error) {}

  private MetricsOutcome computeReplicasForMetrics(HorizontalPodAutoscaler hpa, String key, ScaleClient.Scale scale) {
    SelectorCheck check = validateSelector(hpa, key, scale.selector());
    if (check.selector() == null) return new MetricsOutcome(-1, "", List.of(), check.error());
    Selector selector = check.selector();
    List<MetricSpec> specs = hpa.getSpec().getMetrics() == null ? List.of() : hpa.getSpec().getMetrics();
    List<MetricStatus> statuses = new ArrayList<>();
    int replicas = 0;
    String metric = "";
    int invalid = 0;
    MetricProposal firstInvalid = null;
    for (MetricSpec spec : specs) {
      MetricProposal p = computeReplicasForMetric(hpa, spec, scale, selector);
      // upstream leaves a zero entry for a failed metric; an entry without a type only confuses readers, so none
      if (p.status != null) statuses.add(p.status);
      if (p.error != null) {
        if (invalid == 0) firstInvalid = p;
        invalid++;
        continue;
      }
      if (replicas == 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metric = p.metric;
      }
    }
    String error = firstInvalid == null ? null
        : "invalid metrics (" + invalid + " invalid out of " + specs.size() + "), first error is: " + firstInvalid.error;
    if (invalid >= specs.size() || invalid > 0 && replicas < scale.specReplicas()) {
      condition(hpa, "ScalingActive", "False", firstInvalid.failReason,
          "the HPA was unable to compute the replica count: " + firstInvalid.conditionError);
      return new MetricsOutcome(-1, "", statuses, error);
    }
    condition(hpa, "ScalingActive", "True", "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from " + metric);
    return new MetricsOutcome(replicas, metric, statuses, error);
  }

  /** The scale's selector must be present, parse, and select pods no other HPA controls. */
  private SelectorCheck validateSelector(HorizontalPodAutoscaler hpa, String key, String selector) {
    if (selector.isEmpty()) {
      events.warning(hpa, "SelectorRequired", "selector is required");
      condition(hpa, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
      return new SelectorCheck(null, "selector is required");
    }
    Selector parsed;
    try {
      parsed = Selector.parse(selector);
    } catch (IllegalArgumentException e) {
      String msg = "couldn't convert selector into a corresponding internal selector object: " + e.getMessage();
      events.warning(hpa, "InvalidSelector", msg);
      condition(hpa, "ScalingActive", "False", "InvalidSelector", msg);
      return new SelectorCheck(null, msg);
    }
    selectors.put(key, parsed);
    String ns = hpa.getMetadata().getNamespace();
    List<String> controlling = new ArrayList<>();
    for (Map.Entry<String, Selector> e : selectors.entrySet()) {
      if (!e.getKey().startsWith(ns + "/")) continue;
      for (Pod p : pods.list(ns, parsed)) {
        if (e.getValue().matches(p.getMetadata().getLabels())) {
          controlling.add(e.getKey());
          break;
        }
      }
    }
    if (controlling.size() > 1) {
      String msg = "pods by selector " + selector + " are controlled by multiple HPAs: " + controlling;
      events.warning(hpa, "AmbiguousSelector", msg);
      condition(hpa, "ScalingActive", "False", "AmbiguousSelector", msg);
      return new SelectorCheck(null, msg);
    }
    return new SelectorCheck(parsed, null);
  }

  private MetricProposal computeReplicasForMetric(HorizontalPodAutoscaler hpa, MetricSpec spec, ScaleClient.Scale scale,
      Selector selector) {
    String ns = hpa.getMetadata().getNamespace();
    int specReplicas = scale.specReplicas();
    int statusReplicas = scale.statusReplicas();
    String type = spec.getType() == null ? "" : spec.getType();
    switch (type) {
      case "Object" -> {
        var src = spec.getObject();
        Selector metricSelector;
        try {
          metricSelector = Selector.of(src.getMetric().getSelector());
        } catch (IllegalArgumentException e) {
          return unable(hpa, "FailedGetObjectMetric", e.getMessage(), "failed to get object metric value: ");
        }
        MetricTarget t = src.getTarget();
        try {
          if ("Value".equals(t.getType()) && t.getValue() != null) {
            var p = calculator.objectMetricReplicas(specReplicas, Quantities.milli(t.getValue()), src.getMetric().getName(),
                ns, src.getDescribedObject(), selector, metricSelector);
            MetricStatus st = new MetricStatusBuilder().withType("Object").withNewObject()
                .withDescribedObject(src.getDescribedObject()).withMetric(src.getMetric())
                .withCurrent(new MetricValueStatusBuilder().withValue(Quantities.quantity(p.usage())).build())
                .endObject().build();
            return MetricProposal.of(p.replicas(), src.getDescribedObject().getKind() + " metric "
                + src.getMetric().getName(), st);
          }
          if ("AverageValue".equals(t.getType()) && t.getAverageValue() != null) {
            var p = calculator.objectPerPodMetricReplicas(statusReplicas, Quantities.milli(t.getAverageValue()),
                src.getMetric().getName(), ns, src.getDescribedObject(), metricSelector);
            MetricStatus st = new MetricStatusBuilder().withType("Object").withNewObject()
                .withDescribedObject(src.getDescribedObject()).withMetric(src.getMetric())
                .withCurrent(new MetricValueStatusBuilder().withAverageValue(Quantities.quantity(p.usage())).build())
                .endObject().build();
            return MetricProposal.of(p.replicas(), "external metric " + src.getMetric().getName() + "("
                + selectorText(src.getMetric().getSelector()) + ")", st);
          }
        } catch (MetricsUnavailable e) {
          return unable(hpa, "FailedGetObjectMetric", e.getMessage(), "failed to get object metric value: ");
        }
        return unable(hpa, "FailedGetObjectMetric", "invalid object metric source: neither a value target nor an "
            + "average value target was set", "failed to get object metric value: ");
      }
      case "Pods" -> {
        var src = spec.getPods();
        try {
          Selector metricSelector = Selector.of(src.getMetric().getSelector());
          var p = calculator.podsMetricReplicas(specReplicas, Quantities.milli(src.getTarget().getAverageValue()),
              src.getMetric().getName(), ns, selector, metricSelector);
          MetricStatus st = new MetricStatusBuilder().withType("Pods").withNewPods().withMetric(src.getMetric())
              .withCurrent(new MetricValueStatusBuilder().withAverageValue(Quantities.quantity(p.usage())).build())
              .endPods().build();
          return MetricProposal.of(p.replicas(), "pods metric " + src.getMetric().getName(), st);
        } catch (MetricsUnavailable | IllegalArgumentException e) {
          return unable(hpa, "FailedGetPodsMetric", e.getMessage(), "failed to get pods metric value: ");
        }
      }
      case "Resource", "ContainerResource" -> {
        boolean container = type.equals("ContainerResource");
        String name = container ? spec.getContainerResource().getName() : spec.getResource().getName();
        MetricTarget target = container ? spec.getContainerResource().getTarget() : spec.getResource().getTarget();
        String containerName = container ? spec.getContainerResource().getContainer() : "";
        String reason = container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
        String prefix = container ? "failed to get " + containerName + " container metric value: "
            : "failed to get " + name + " resource metric value: ";
        MetricValueStatus current;
        String metricName;
        int replicas;
        try {
          if (target.getAverageValue() != null) {
            var p = calculator.rawResourceReplicas(specReplicas, Quantities.milli(target.getAverageValue()), name, ns,
                selector, containerName);
            current = new MetricValueStatusBuilder().withAverageValue(Quantities.quantity(p.usage())).build();
            metricName = name + " resource";
            replicas = p.replicas();
          } else if (target.getAverageUtilization() != null) {
            var p = calculator.resourceReplicas(specReplicas, target.getAverageUtilization(), name, ns, selector,
                containerName);
            current = new MetricValueStatusBuilder().withAverageUtilization((int) p.usage())
                .withAverageValue(Quantities.quantity(p.rawAverage())).build();
            metricName = name + (container ? " container" : "") + " resource utilization (percentage of request)";
            replicas = p.replicas();
          } else {
            return unable(hpa, reason, "invalid resource metric source: neither an average utilization target "
                + "nor an average value (usage) target was set", prefix);
          }
        } catch (MetricsUnavailable e) {
          String kind = target.getAverageValue() != null ? "usage" : "utilization";
          return unable(hpa, reason, "failed to get " + name + " " + kind + ": " + e.getMessage(), prefix);
        }
        MetricStatus st = container
            ? new MetricStatusBuilder().withType(type).withNewContainerResource().withName(name)
                .withContainer(containerName).withCurrent(current).endContainerResource().build()
            : new MetricStatusBuilder().withType(type).withNewResource().withName(name).withCurrent(current)
                .endResource().build();
        return MetricProposal.of(replicas, metricName, st);
      }
      case "External" -> {
        var src = spec.getExternal();
        try {
          Selector metricSelector = Selector.of(src.getMetric().getSelector());
          String metricName = "external metric " + src.getMetric().getName() + "(" + selectorText(src.getMetric().getSelector()) + ")";
          if (src.getTarget().getAverageValue() != null) {
            var p = calculator.externalPerPodMetricReplicas(statusReplicas, Quantities.milli(src.getTarget().getAverageValue()),
                src.getMetric().getName(), ns, metricSelector);
            MetricStatus st = new MetricStatusBuilder().withType("External").withNewExternal().withMetric(src.getMetric())
                .withCurrent(new MetricValueStatusBuilder().withAverageValue(Quantities.quantity(p.usage())).build())
                .endExternal().build();
            return MetricProposal.of(p.replicas(), metricName, st);
          }
          if (src.getTarget().getValue() != null) {
            var p = calculator.externalMetricReplicas(specReplicas, Quantities.milli(src.getTarget().getValue()),
                src.getMetric().getName(), ns, metricSelector, selector);
            MetricStatus st = new MetricStatusBuilder().withType("External").withNewExternal().withMetric(src.getMetric())
                .withCurrent(new MetricValueStatusBuilder().withValue(Quantities.quantity(p.usage())).build())
                .endExternal().build();
            return MetricProposal.of(p.replicas(), metricName, st);
          }
        } catch (MetricsUnavailable | IllegalArgumentException e) {
          return unable(hpa, "FailedGetExternalMetric", e.getMessage(), "failed to get " + src.getMetric().getName()
              + " external metric value: ");
        }
        return unable(hpa, "FailedGetExternalMetric", "invalid external metric source: neither a value target nor an "
            + "average value target was set", "failed to get " + src.getMetric().getName() + " external metric value: ");
      }
      default -> {
        return unable(hpa, "InvalidMetricSourceType", "unknown metric source type \"" + type + "\"", "");
      }
    }
  }

  /** getUnableComputeReplicaCountCondition: a Warning event with the error, and the condition to set if all fail. */
  private MetricProposal unable(HorizontalPodAutoscaler hpa, String reason, String error, String wrap) {
    events.warning(hpa, reason, error);
    return new MetricProposal(0, "", null, reason, error, wrap + error);
  }

  /** A metric selector as Go's %+v prints a *LabelSelector, enough to tell series apart in a reason. */
  private static String selectorText(LabelSelector s) {
    if (s == null) return "nil";
    return "&LabelSelector{MatchLabels:map" + (s.getMatchLabels() == null ? "[]" : s.getMatchLabels().toString()
        .replace("{", "[").replace("}", "]").replace("=", ":").replace(", ", " ")) + ",MatchExpressions:[],}";
  }

  private void setStatus(HorizontalPodAutoscaler hpa, int current, int desired, List<MetricStatus> metrics,
      boolean rescaled) {
    HorizontalPodAutoscalerStatus st = hpa.getStatus();
    st.setCurrentReplicas(current);
    st.setDesiredReplicas(desired);
    st.setCurrentMetrics(metrics.isEmpty() ? null : metrics);
    if (rescaled) st.setLastScaleTime(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
  }

  private void updateStatusIfNeeded(HorizontalPodAutoscalerStatus original, HorizontalPodAutoscaler hpa) {
    if (Objects.equals(original, hpa.getStatus())) return;
    try {
      client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(hpa.getMetadata().getNamespace())
          .resource(hpa).updateStatus();
    } catch (KubernetesClientException e) {
      events.warning(hpa, "FailedUpdateStatus", e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage() : e.getMessage());
      LOG.warn("failed to update status for {}: {}", hpa.getMetadata().getName(), e.getMessage());
    }
  }

  private void condition(HorizontalPodAutoscaler hpa, String type, String status, String reason, String message) {
    HpaConditions.set(hpa, type, status, reason, message, clock.instant());
  }
}
