package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod's ephemeral containers (spec.ephemeralContainers, added through pods/ephemeralcontainers, e.g. by kubectl
 * debug) as the kubelet runs them: like any container of the pod, in its network, IPC and UTS namespaces, but started
 * once while the pod runs and never restarted; with targetContainerName, in the target container's PID namespace.
 * They have no ports, probes, resources or lifecycle hooks (the API server refuses them).
 */
final class EphemeralContainers {
  private EphemeralContainers() {}

  /** The pod's ephemeral containers in the shape the rest of the kubelet runs (their common fields). */
  static List<Container> of(Pod pod) {
    List<EphemeralContainer> all = pod.getSpec().getEphemeralContainers();
    List<Container> out = new ArrayList<>();
    if (all == null) return out;
    for (EphemeralContainer e : all) {
      out.add(new ContainerBuilder().withName(e.getName()).withImage(e.getImage()).withCommand(e.getCommand())
          .withArgs(e.getArgs()).withWorkingDir(e.getWorkingDir()).withEnv(e.getEnv()).withEnvFrom(e.getEnvFrom())
          .withVolumeMounts(e.getVolumeMounts()).withImagePullPolicy(e.getImagePullPolicy())
          .withSecurityContext(e.getSecurityContext()).withStdin(e.getStdin()).withStdinOnce(e.getStdinOnce())
          .withTty(e.getTty()).withTerminationMessagePath(e.getTerminationMessagePath())
          .withTerminationMessagePolicy(e.getTerminationMessagePolicy()).build());
    }
    return out;
  }

  /** The targetContainerName of ephemeral container {@code name}; null when it has none or is no ephemeral one. */
  static String target(Pod pod, String name) {
    List<EphemeralContainer> all = pod.getSpec().getEphemeralContainers();
    if (all == null) return null;
    for (EphemeralContainer e : all) {
      if (name.equals(e.getName())) {
        String t = e.getTargetContainerName();
        return t == null || t.isEmpty() ? null : t;
      }
    }
    return null;
  }
}
