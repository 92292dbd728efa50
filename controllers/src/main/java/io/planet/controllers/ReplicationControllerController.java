package io.planet.controllers;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/** v1 ReplicationController: a ReplicaSet with a map selector (upstream runs the same logic for both). */
public final class ReplicationControllerController extends ReplicaController<ReplicationController> {
  public ReplicationControllerController(KubernetesClient client) {
    super("replicationcontroller", ReplicationController.class, client);
  }

  @Override
  protected String eventSource() {
    return "replication-controller";
  }

  @Override
  String kind() {
    return "ReplicationController";
  }

  @Override
  String apiVersion() {
    return "v1";
  }

  @Override
  int replicas(ReplicationController rc) {
    return rc.getSpec().getReplicas() == null ? 1 : rc.getSpec().getReplicas();
  }

  @Override
  boolean selects(ReplicationController rc, Map<String, String> labels) {
    return Selectors.matches(rc.getSpec().getSelector(), labels);
  }

  @Override
  PodTemplateSpec template(ReplicationController rc) {
    return rc.getSpec().getTemplate();
  }

  @Override
  int minReadySeconds(ReplicationController rc) {
    return rc.getSpec().getMinReadySeconds() == null ? 0 : rc.getSpec().getMinReadySeconds();
  }

  @Override
  Counts status(ReplicationController rc) {
    ReplicationControllerStatus s = rc.getStatus();
    if (s == null) return new Counts(0, 0, 0, 0, 0);
    return new Counts(n(s.getReplicas()), n(s.getFullyLabeledReplicas()), n(s.getReadyReplicas()),
        n(s.getAvailableReplicas()), s.getObservedGeneration() == null ? 0 : s.getObservedGeneration());
  }

  @Override
  ReplicationController fetch(String namespace, String name) {
    return client.replicationControllers().inNamespace(namespace).withName(name).get();
  }

  @Override
  void writeStatus(ReplicationController fresh, Counts c) {
    ReplicationControllerStatus s = fresh.getStatus() == null ? new ReplicationControllerStatus() : fresh.getStatus();
    s.setReplicas(c.replicas());
    s.setFullyLabeledReplicas(c.fullyLabeled());
    s.setReadyReplicas(c.ready());
    s.setAvailableReplicas(c.available());
    s.setObservedGeneration(c.observedGeneration());
    fresh.setStatus(s);
    client.replicationControllers().inNamespace(fresh.getMetadata().getNamespace()).resource(fresh).updateStatus();
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
