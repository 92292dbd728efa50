package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** Nodes and pods as the API would hand them to the scheduler. */
final class Fixtures {
  private Fixtures() {}

  static Node node(String name, String cpu, String memory, int pods) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewStatus()
        .addToAllocatable("cpu", new Quantity(cpu)).addToAllocatable("memory", new Quantity(memory))
        .addToAllocatable("pods", new Quantity(String.valueOf(pods)))
        .addToAllocatable("ephemeral-storage", new Quantity("100Gi"))
        .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build();
  }

  static PodBuilder pod(String name, String cpu, String memory) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("default").withName(name).withUid("uid-" + name)
        .endMetadata();
    Map<String, Quantity> req = new java.util.HashMap<>();
    if (cpu != null) req.put("cpu", new Quantity(cpu));
    if (memory != null) req.put("memory", new Quantity(memory));
    return b.withNewSpec().addNewContainer().withName("c").withImage("busybox").withNewResources().withRequests(req)
        .endResources().endContainer().endSpec();
  }

  static Pod bound(Pod pod, String node) {
    return new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build();
  }

  static PodBuilder ownedBy(PodBuilder b, String uid) {
    return b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("rs")
        .withUid(uid).withController(true).endOwnerReference().endMetadata();
  }
}
