package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodRankingTest {
  private static Pod pod(String name, String node, String phase, boolean ready, String created) {
    return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata()
        .withNewSpec().withNodeName(node).endSpec()
        .withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
        .withLastTransitionTime(created).endCondition().endStatus().build();
  }

  private static List<String> order(Pod... pods) {
    return PodRanking.toDelete(List.of(pods), pods.length).stream().map(p -> p.getMetadata().getName()).toList();
  }

  @Test
  void unscheduledThenPendingThenNotReadyGoFirst() {
    String t = "2026-01-01T00:00:00Z";
    assertThat(order(
        pod("ready", "n1", "Running", true, t),
        pod("running-not-ready", "n2", "Running", false, t),
        pod("pending", "n3", "Pending", false, t),
        pod("unscheduled", null, "Pending", false, t)))
        .containsExactly("unscheduled", "pending", "running-not-ready", "ready");
  }

  @Test
  void doubledUpPodsThenNewerPodsGoFirst() {
    assertThat(order(
        pod("alone-old", "n1", "Running", true, "2026-01-01T00:00:00Z"),
        pod("shared-a", "n2", "Running", true, "2026-01-01T00:00:00Z"),
        pod("shared-b", "n2", "Running", true, "2026-01-01T00:00:00Z")).get(2))
        .isEqualTo("alone-old");
    assertThat(order(
        pod("old", "n1", "Running", true, "2026-01-01T00:00:00Z"),
        pod("new", "n2", "Running", true, "2026-01-02T00:00:00Z")))
        .containsExactly("new", "old");
  }
}
