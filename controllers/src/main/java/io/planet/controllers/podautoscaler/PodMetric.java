package io.planet.controllers.podautoscaler;

import java.time.Duration;
import java.time.Instant;

/** One pod's sample of a metric, in milli-units, with when and over what window it was taken. */
public record PodMetric(long value, Instant timestamp, Duration window) {}
