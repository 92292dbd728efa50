package io.planet.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/** The scheduler's Prometheus metrics, named after upstream's where they mean the same. */
public final class SchedulerMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter scheduled;
  private final Counter unschedulable;
  private final Counter error;
  private final Timer attemptDuration;
  private final Timer e2eDuration;

  public SchedulerMetrics(SchedulingQueue queue) {
    scheduled = attempts("scheduled");
    unschedulable = attempts("unschedulable");
    error = attempts("error");
    attemptDuration = Timer.builder("scheduler.scheduling.attempt.duration")
        .description("Scheduling attempt latency: the algorithm and the binding")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    e2eDuration = Timer.builder("scheduler.pod.scheduling.duration")
        .description("E2e latency for a pod being scheduled, from entering the queue to bound, over all attempts")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    Gauge.builder("scheduler.pending.pods", queue, SchedulingQueue::activeCount).tag("queue", "active")
        .description("Pending pods by queue").register(registry);
    Gauge.builder("scheduler.pending.pods", queue, SchedulingQueue::backoffCount).tag("queue", "backoff").register(registry);
    Gauge.builder("scheduler.pending.pods", queue, SchedulingQueue::unschedulableCount).tag("queue", "unschedulable")
        .register(registry);
  }

  private Counter attempts(String result) {
    return Counter.builder("scheduler.schedule.attempts").tag("result", result)
        .description("Scheduling attempts by result").register(registry);
  }

  void scheduled(Duration attempt, Duration sinceQueued) {
    scheduled.increment();
    attemptDuration.record(attempt);
    e2eDuration.record(sinceQueued);
  }

  void unschedulable(Duration attempt) {
    unschedulable.increment();
    attemptDuration.record(attempt);
  }

  void error() {
    error.increment();
  }

  public String scrape() {
    return registry.scrape();
  }
}
