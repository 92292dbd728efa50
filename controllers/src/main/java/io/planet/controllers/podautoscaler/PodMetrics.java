package io.planet.controllers.podautoscaler;

import java.time.Instant;
import java.util.Map;

/** Samples by pod name (PodMetricsInfo) and the timestamp of the first one. */
public record PodMetrics(Map<String, PodMetric> byPod, Instant timestamp) {}
