package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Objects the controller tests create. */
final class Fixtures {
  private Fixtures() {}

  /**
   * Runs a fabric8 {@code edit} again while it conflicts: edit sends the resourceVersion it read, and the controllers
   * under test write the same objects (status, owner references) at any time.
   */
  static <T> T retryOnConflict(Supplier<T> edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return edit.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) throw e;
      }
    }
  }

  static PodTemplateSpec template(String app) {
    return new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", app)).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build();
  }

  static ReplicaSet replicaSet(String ns, String name, int replicas) {
    return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withTemplate(template(name)).endSpec().build();
  }

  static ReplicaSet createReplicaSet(KubernetesClient c, String ns, String name, int replicas) {
    return c.apps().replicaSets().inNamespace(ns).resource(replicaSet(ns, name, replicas)).create();
  }

  static ReplicationController createReplicationController(KubernetesClient c, String ns, String name, int replicas) {
    return c.replicationControllers().inNamespace(ns).resource(new ReplicationControllerBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas).withSelector(Map.of("app", name)).withTemplate(template(name)).endSpec()
        .build()).create();
  }

  static Pod pod(String ns, String name, Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build();
  }

  /** Pods in the namespace that are not being deleted. */
  static List<Pod> livePods(KubernetesClient c, String ns, String app) {
    return c.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  static OwnerReference controllerRef(Pod p) {
    return p.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
        .findFirst().orElse(null);
  }

  /** What a kubelet would report for a started, ready pod (no kubelet runs in these tests). */
  static void markReady(KubernetesClient c, Pod pod) {
    Pod fresh = c.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    fresh.getStatus().setPhase("Running");
    if (fresh.getStatus().getStartTime() == null) {
      fresh.getStatus().setStartTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }
    fresh.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True")
        .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build()));
    c.pods().inNamespace(pod.getMetadata().getNamespace()).resource(fresh).updateStatus();
  }

  /** The events about one object, found as `kubectl describe` finds them: by field selector on involvedObject. */
  static List<Event> events(KubernetesClient c, String ns, String kind, String name) {
    return c.v1().events().inNamespace(ns).withField("involvedObject.kind", kind)
        .withField("involvedObject.name", name).list().getItems();
  }

  /** "reason: message (count)" of each event, for assertions that read like `kubectl describe`. */
  static List<String> described(List<Event> events) {
    return events.stream().map(e -> e.getReason() + ": " + e.getMessage() + " (" + e.getCount() + ")").toList();
  }
}
