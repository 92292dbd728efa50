package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import java.time.Instant;
import java.util.List;

/** Where the autoscaler reads metrics (upstream's metrics.MetricsClient). */
public interface MetricsClient {
  /** A resource metric (cpu, memory) per pod, summed over containers or for one named container. */
  PodMetrics resourceMetric(String resource, String namespace, Selector pods, String container) throws MetricsUnavailable;

  /** A custom metric describing each selected pod. */
  PodMetrics podsMetric(String metric, String namespace, Selector pods, Selector metricSelector) throws MetricsUnavailable;

  /** A custom metric describing one object in the namespace. */
  Sample objectMetric(String metric, String namespace, CrossVersionObjectReference object, Selector metricSelector)
      throws MetricsUnavailable;

  /** The values of an external metric matching the selector. */
  ExternalSamples externalMetric(String metric, String namespace, Selector metricSelector) throws MetricsUnavailable;

  record Sample(long value, Instant timestamp) {}

  record ExternalSamples(List<Long> values, Instant timestamp) {}
}
