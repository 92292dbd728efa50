package io.planet.controllers;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/** apps/v1 ReplicaSet: keeps spec.replicas pods from the template running. */
public final class ReplicaSetController extends ReplicaController<ReplicaSet> {
  public ReplicaSetController(KubernetesClient client) {
    super("replicaset", ReplicaSet.class, client);
  }

  @Override
  String kind() {
    return "ReplicaSet";
  }

  @Override
  String apiVersion() {
    return "apps/v1";
  }

  @Override
  int replicas(ReplicaSet rs) {
    return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
  }

  @Override
  boolean selects(ReplicaSet rs, Map<String, String> labels) {
    return Selectors.matches(rs.getSpec().getSelector(), labels);
  }

  @Override
  PodTemplateSpec template(ReplicaSet rs) {
    return rs.getSpec().getTemplate();
  }

  @Override
  int minReadySeconds(ReplicaSet rs) {
    return rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
  }

  @Override
  Counts status(ReplicaSet rs) {
    ReplicaSetStatus s = rs.getStatus();
    if (s == null) return new Counts(0, 0, 0, 0, 0);
    return new Counts(n(s.getReplicas()), n(s.getFullyLabeledReplicas()), n(s.getReadyReplicas()),
        n(s.getAvailableReplicas()), s.getObservedGeneration() == null ? 0 : s.getObservedGeneration());
  }

  @Override
  ReplicaSet fetch(String namespace, String name) {
    return client.apps().replicaSets().inNamespace(namespace).withName(name).get();
  }

  @Override
  void writeStatus(ReplicaSet fresh, Counts c) {
    ReplicaSetStatus s = fresh.getStatus() == null ? new ReplicaSetStatus() : fresh.getStatus();
    s.setReplicas(c.replicas());
    s.setFullyLabeledReplicas(c.fullyLabeled());
    s.setReadyReplicas(c.ready());
    s.setAvailableReplicas(c.available());
    s.setObservedGeneration(c.observedGeneration());
    fresh.setStatus(s);
    client.apps().replicaSets().inNamespace(fresh.getMetadata().getNamespace()).resource(fresh).updateStatus();
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
