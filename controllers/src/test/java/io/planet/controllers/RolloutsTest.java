package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutsTest {
  private static Deployment rolling(int replicas, IntOrString surge, IntOrString unavailable) {
    return new DeploymentBuilder().withNewMetadata().withName("d").withAnnotations(Map.of(
            "kubernetes.io/change-cause", "why", "deployment.kubernetes.io/revision", "7")).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withMaxSurge(surge).withMaxUnavailable(unavailable).endRollingUpdate().endStrategy().endSpec().build();
  }

  @Test
  void surgeRoundsUpAndUnavailabilityRoundsDown() {
    Deployment d = rolling(10, new IntOrString("25%"), new IntOrString("25%"));
    assertThat(Rollouts.maxSurge(d)).isEqualTo(3);
    assertThat(Rollouts.maxUnavailable(d)).isEqualTo(2);
    Deployment one = rolling(1, new IntOrString("25%"), new IntOrString("25%"));
    assertThat(Rollouts.maxSurge(one)).isEqualTo(1);
    assertThat(Rollouts.maxUnavailable(one)).isZero();
    // both zero after rounding: one pod may be unavailable, or nothing could move
    Deployment stuck = rolling(3, new IntOrString(0), new IntOrString("10%"));
    assertThat(Rollouts.maxUnavailable(stuck)).isEqualTo(1);
    Deployment over = rolling(2, new IntOrString(1), new IntOrString(5));
    assertThat(Rollouts.maxUnavailable(over)).isEqualTo(2);
  }

  @Test
  void theNewReplicaSetGrowsWithinTheSurge() {
    Deployment d = rolling(4, new IntOrString(1), new IntOrString(0));
    ReplicaSet old = rs(4);
    ReplicaSet fresh = rs(0);
    assertThat(Rollouts.newReplicaSetReplicas(d, List.of(old, fresh), fresh)).isEqualTo(1);
    assertThat(Rollouts.newReplicaSetReplicas(d, List.of(rs(3), rs(1), rs(1)), rs(1))).isEqualTo(1);
    assertThat(Rollouts.newReplicaSetReplicas(d, List.of(rs(1), rs(2)), rs(2))).isEqualTo(4);
  }

  @Test
  void newReplicaSetAnnotationsCarryTheRevisionAndTheDeploymentsOwnAnnotations() {
    Deployment d = rolling(4, new IntOrString(1), new IntOrString(0));
    ReplicaSet created = rs(0);
    assertThat(Rollouts.setNewReplicaSetAnnotations(d, created, 3, false)).isTrue();
    assertThat(created.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3")
        .containsEntry("kubernetes.io/change-cause", "why").containsEntry("deployment.kubernetes.io/desired-replicas", "4")
        .containsEntry("deployment.kubernetes.io/max-replicas", "5");
    // a rollback to it later: a new revision, the old one remembered
    assertThat(Rollouts.setNewReplicaSetAnnotations(d, created, 5, true)).isTrue();
    assertThat(created.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "5")
        .containsEntry("deployment.kubernetes.io/revision-history", "3");
    assertThat(Rollouts.setNewReplicaSetAnnotations(d, created, 5, true)).isFalse();
  }

  @Test
  void theTemplateHashIgnoresLabelOrderAndItsOwnLabel() {
    PodTemplateSpec a = Fixtures.template("web");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("z", "1");
    labels.put("app", "web");
    a.getMetadata().setLabels(labels);
    PodTemplateSpec b = Serialization.clone(a);
    Map<String, String> reversed = new LinkedHashMap<>();
    reversed.put("app", "web");
    reversed.put("z", "1");
    b.getMetadata().setLabels(reversed);
    String hash = PodTemplateHash.compute(a, null);
    assertThat(hash).isEqualTo(PodTemplateHash.compute(b, null)).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
    assertThat(PodTemplateHash.compute(a, 1)).isNotEqualTo(hash);

    b.getMetadata().getLabels().put("pod-template-hash", hash);
    assertThat(PodTemplateHash.equalIgnoringHash(a, b)).isTrue();
    b.getSpec().getContainers().get(0).setImage("nginx:2");
    assertThat(PodTemplateHash.equalIgnoringHash(a, b)).isFalse();
    assertThat(PodTemplateHash.compute(b, null)).isNotEqualTo(hash);
  }

  private static ReplicaSet rs(int replicas) {
    return new ReplicaSetBuilder().withNewMetadata().withName("rs").endMetadata().withNewSpec().withReplicas(replicas)
        .endSpec().build();
  }
}
