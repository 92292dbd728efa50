package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;

/**
 * One direction of spec.behavior (HPAScalingRules) with upstream's defaults filled in: scale-up has no stabilization
 * window and allows max(4 pods, 100%) per 15 s; scale-down uses the controller's window (300 s) and allows 100%
 * per 15 s; selectPolicy Max.
 */
public record ScalingRules(int stabilizationWindowSeconds, String selectPolicy, List<Policy> policies) {
  /** A Pods or Percent policy: at most {@code value} pods or percent per {@code periodSeconds}. */
  public record Policy(String type, int value, int periodSeconds) {}

  public static ScalingRules scaleUp(HorizontalPodAutoscalerBehavior b) {
    HPAScalingRules r = b == null ? null : b.getScaleUp();
    return of(r, 0, List.of(new Policy("Pods", 4, 15), new Policy("Percent", 100, 15)));
  }

  public static ScalingRules scaleDown(HorizontalPodAutoscalerBehavior b, int defaultWindowSeconds) {
    HPAScalingRules r = b == null ? null : b.getScaleDown();
    return of(r, defaultWindowSeconds, List.of(new Policy("Percent", 100, 15)));
  }

  private static ScalingRules of(HPAScalingRules r, int window, List<Policy> policies) {
    if (r == null) return new ScalingRules(window, "Max", policies);
    List<Policy> p = r.getPolicies() == null || r.getPolicies().isEmpty() ? policies
        : r.getPolicies().stream().map(ScalingRules::policy).toList();
    return new ScalingRules(r.getStabilizationWindowSeconds() == null ? window : r.getStabilizationWindowSeconds(),
        r.getSelectPolicy() == null ? "Max" : r.getSelectPolicy(), p);
  }

  private static Policy policy(HPAScalingPolicy p) {
    return new Policy(p.getType(), p.getValue() == null ? 0 : p.getValue(), p.getPeriodSeconds() == null ? 0 : p.getPeriodSeconds());
  }

  int longestPeriodSeconds() {
    return policies.stream().mapToInt(Policy::periodSeconds).max().orElse(0);
  }
}
