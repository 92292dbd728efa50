package io.planet.scheduler;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CompletableFuture;

/** Writes the decision: POST pods/{name}/binding, as upstream's DefaultBinder. */
public final class Binder {
  private final ApiWrites writes;

  public Binder(KubernetesClient client) {
    this.writes = new ApiWrites(client);
  }

  /** Completes normally once the API accepted the binding; exceptionally with the API's answer otherwise. */
  public CompletableFuture<Void> bind(Pod pod, String node) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Binding binding = new BindingBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).withUid(pod.getMetadata().getUid()).endMetadata()
        .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
        .build();
    return writes.post("api/v1/namespaces/" + ApiWrites.enc(ns) + "/pods/" + ApiWrites.enc(name) + "/binding",
        writes.json(binding));
  }
}
