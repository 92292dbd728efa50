package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DescriptionsTest {
  @Test
  void everyBuiltinColumnHasADescription() {
    List<String> kinds = List.of("/Pod", "/PodTemplate", "/ReplicationController", "/Service", "/Endpoints", "/Node",
        "/Event", "/Namespace", "/Secret", "/ServiceAccount", "/PersistentVolume", "/PersistentVolumeClaim",
        "/ConfigMap", "/ResourceQuota", "apps/Deployment", "apps/ReplicaSet", "apps/DaemonSet", "apps/StatefulSet",
        "apps/ControllerRevision", "batch/Job", "batch/CronJob", "autoscaling/HorizontalPodAutoscaler",
        "policy/PodDisruptionBudget", "coordination.k8s.io/Lease", "discovery.k8s.io/EndpointSlice",
        "rbac.authorization.k8s.io/RoleBinding", "networking.k8s.io/Ingress", "storage.k8s.io/StorageClass",
        "scheduling.k8s.io/PriorityClass", "certificates.k8s.io/CertificateSigningRequest", "rbac.authorization.k8s.io/Role");
    List<String> blank = new java.util.ArrayList<>();
    for (String k : kinds) {
      String[] gk = k.split("/");
      TablePrinters.forKind(gk[0], gk[1]).columnDefinitions().forEach(c -> {
        if (c.get("description").asText().isBlank()) blank.add(k + " " + c.get("name").asText());
      });
    }
    assertThat(blank).isEmpty();
  }
}
