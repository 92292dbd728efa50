package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.List;

/** A cordoned node (spec.unschedulable) takes only pods that tolerate its unschedulable taint. */
public final class NodeUnschedulable implements FilterPlugin {
  static final String REASON = "node(s) were unschedulable";
  private static final Taint UNSCHEDULABLE = new TaintBuilder().withKey("node.kubernetes.io/unschedulable")
      .withEffect("NoSchedule").build();

  @Override
  public String name() {
    return "NodeUnschedulable";
  }

  @Override
  public List<String> filter(PodContext pod, NodeInfo node) {
    if (!node.unschedulable()) return List.of();
    return Tolerations.tolerates(pod.pod, UNSCHEDULABLE) ? List.of() : List.of(REASON);
  }
}
