package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonUpdateTest {
  private static Pod pod(String name, String hash, boolean ready, String created) {
    return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
        .withLabels(Map.of("controller-revision-hash", hash)).endMetadata().withNewStatus()
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").withLastTransitionTime("2026-01-01T00:00:00Z")
        .endCondition().endStatus().build();
  }

  private static DaemonSet ds(IntOrString maxSurge, IntOrString maxUnavailable) {
    return new DaemonSetBuilder().withNewSpec().withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withMaxSurge(maxSurge).withMaxUnavailable(maxUnavailable).endRollingUpdate().endUpdateStrategy().endSpec().build();
  }

  @Test
  void withoutSurgeOnlyTheOldestPodStays() {
    Pod a = pod("a", "old", true, "2026-01-01T00:00:00Z");
    Pod b = pod("b", "new", true, "2026-01-01T00:00:01Z");
    assertThat(DaemonUpdate.surplus(List.of(b, a), "new", 0, false)).containsExactly(b);
  }

  @Test
  void whileSurgingTheOldPodStaysUntilTheNewOneIsAvailable() {
    Pod old = pod("old", "old", true, "2026-01-01T00:00:00Z");
    Pod starting = pod("new", "new", false, "2026-01-01T00:00:01Z");
    Pod extra = pod("new2", "new", false, "2026-01-01T00:00:02Z");
    assertThat(DaemonUpdate.surplus(List.of(old, starting, extra), "new", 0, true)).containsExactly(extra);
    Pod serving = pod("new", "new", true, "2026-01-01T00:00:01Z");
    assertThat(DaemonUpdate.surplus(List.of(old, serving), "new", 0, true)).containsExactly(old);
    // an old pod that is not ready is no reason to wait
    Pod notReady = pod("old", "old", false, "2026-01-01T00:00:00Z");
    assertThat(DaemonUpdate.surplus(List.of(notReady, starting), "new", 0, true)).containsExactly(notReady);
  }

  @Test
  void surgeStartsNewPodsOnAtMostMaxSurgeNodesAndDeletesOldPodsOnceReplaced() {
    Map<String, List<Pod>> nodes = Map.of(
        "n0", List.of(pod("a", "old", true, "2026-01-01T00:00:00Z"), pod("a2", "new", true, "2026-01-01T00:00:05Z")),
        "n1", List.of(pod("b", "old", true, "2026-01-01T00:00:00Z")),
        "n2", List.of(pod("c", "old", true, "2026-01-01T00:00:00Z")),
        "n3", List.of(pod("d", "old", false, "2026-01-01T00:00:00Z")));
    // 50% of 4 rounds to 2: n0 surges already, so one more; n3's old pod serves nothing, so it gets one anyway
    DaemonUpdate.Plan plan = DaemonUpdate.rollingUpdate(ds(new IntOrString("50%"), new IntOrString(0)), "new", nodes, 0);
    assertThat(plan.delete()).extracting(p -> p.getMetadata().getName()).containsExactly("a");
    assertThat(plan.create()).containsExactly("n3", "n1");
  }

  @Test
  void withoutSurgeOldPodsGoWithinMaxUnavailable() {
    Map<String, List<Pod>> nodes = Map.of(
        "n0", List.of(pod("a", "old", true, "2026-01-01T00:00:00Z")),
        "n1", List.of(pod("b", "old", true, "2026-01-01T00:00:00Z")),
        "n2", List.of(pod("c", "new", false, "2026-01-01T00:00:00Z")));
    DaemonUpdate.Plan plan = DaemonUpdate.rollingUpdate(ds(null, new IntOrString(2)), "new", nodes, 0);
    assertThat(plan.delete()).extracting(p -> p.getMetadata().getName()).containsExactly("a");
    assertThat(plan.create()).isEmpty();
  }
}
