package io.planet.apiserver.flowcontrol;

/**
 * Upstream's --max-requests-inflight and --max-mutating-requests-inflight: how many read-only and mutating requests
 * may be in the server at once (long-running requests not counted); zero or less means no limit.
 */
public record InFlightLimits(int maxRequestsInflight, int maxMutatingRequestsInflight) {
  public static InFlightLimits defaults() {
    return new InFlightLimits(400, 200);
  }
}
