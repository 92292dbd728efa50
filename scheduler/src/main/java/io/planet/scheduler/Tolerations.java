package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;

/** Whether a pod's tolerations cover a taint (upstream's ToleratesTaint, shared in the client module). */
final class Tolerations {
  private Tolerations() {}

  static boolean tolerates(Pod pod, Taint taint) {
    return io.planet.client.scheduling.Tolerations.tolerate(pod.getSpec() == null ? null : pod.getSpec().getTolerations(), taint);
  }
}
