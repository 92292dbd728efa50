package io.planet.scheduler;

import java.util.ArrayList;
import java.util.List;

/** Requests against allocatable: pods, cpu, memory, ephemeral-storage (upstream's NodeResourcesFit filter). */
public final class NodeResourcesFit implements FilterPlugin {
  @Override
  public String name() {
    return "NodeResourcesFit";
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    Resources req = pod.requests;
    // the common case, checked on the node's plain fields without allocating: everything fits
    if (node.reqPods + 1 <= node.allocPods && (req.milliCpu() == 0 || node.allocMilliCpu >= node.reqMilliCpu + req.milliCpu())
        && (req.memory() == 0 || node.allocMemory >= node.reqMemory + req.memory())
        && (req.ephemeralStorage() == 0
            || node.allocEphemeralStorage >= node.reqEphemeralStorage + req.ephemeralStorage())) {
      return List.of();
    }
    Resources alloc = node.allocatable();
    Resources used = node.requested();
    List<String> reasons = new ArrayList<>(1);
    if (used.pods() + 1 > alloc.pods()) reasons.add("Too many pods");
    if (req.milliCpu() == 0 && req.memory() == 0 && req.ephemeralStorage() == 0) return reasons;
    if (req.milliCpu() > 0 && alloc.milliCpu() < used.milliCpu() + req.milliCpu()) reasons.add("Insufficient cpu");
    if (req.memory() > 0 && alloc.memory() < used.memory() + req.memory()) reasons.add("Insufficient memory");
    if (req.ephemeralStorage() > 0 && alloc.ephemeralStorage() < used.ephemeralStorage() + req.ephemeralStorage()) {
      reasons.add("Insufficient ephemeral-storage");
    }
    return reasons;
  }
}
