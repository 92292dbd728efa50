package io.planet.e2e.bench;

import java.util.Map;

/**
 * One measured phase: how many operations, how long, how fast, their latencies, how many failed (with the status
 * codes seen), and the CPU spent meanwhile by the API server, etcd, the load generator and everything else.
 */
record PhaseResult(String name, int ops, int errors, Map<String, Integer> statuses, String firstError,
    double seconds, LatencyStats latency, CpuMeters.Sample cpu) {

  double throughput() {
    return seconds <= 0 ? 0 : (ops - errors) / seconds;
  }
}
