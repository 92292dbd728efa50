package io.planet.controllers.podautoscaler;

import java.time.Duration;

/**
 * The controller-manager's --horizontal-pod-autoscaler-* flags, with upstream's defaults: sync period 15 s,
 * tolerance 0.1, cpu initialization period 5 min, initial readiness delay 30 s, downscale stabilization 5 min
 * (used only by HPAs without spec.behavior).
 */
public record AutoscalerSettings(Duration syncPeriod, double tolerance, Duration cpuInitializationPeriod,
    Duration initialReadinessDelay, Duration downscaleStabilizationWindow) {

  public static AutoscalerSettings defaults() {
    return new AutoscalerSettings(Duration.ofSeconds(15), 0.1, Duration.ofMinutes(5), Duration.ofSeconds(30),
        Duration.ofMinutes(5));
  }

  public AutoscalerSettings withSyncPeriod(Duration d) {
    return new AutoscalerSettings(d, tolerance, cpuInitializationPeriod, initialReadinessDelay, downscaleStabilizationWindow);
  }

  public AutoscalerSettings withCpuInitializationPeriod(Duration d) {
    return new AutoscalerSettings(syncPeriod, tolerance, d, initialReadinessDelay, downscaleStabilizationWindow);
  }

  public AutoscalerSettings withDownscaleStabilizationWindow(Duration d) {
    return new AutoscalerSettings(syncPeriod, tolerance, cpuInitializationPeriod, initialReadinessDelay, d);
  }
}
