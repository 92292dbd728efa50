package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.ownedBy;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleAlgorithmTest {
  private final ClusterCache cache = new ClusterCache();
  private final ScheduleAlgorithm algorithm = new ScheduleAlgorithm();

  private ScheduleAlgorithm.Result schedule(Pod pod) {
    return cache.withSnapshot(s -> algorithm.schedule(new PodContext(pod), s));
  }

  private String chosen(Pod pod) {
    ScheduleAlgorithm.Result r = schedule(pod);
    assertThat(r).isInstanceOf(ScheduleAlgorithm.Chosen.class);
    String node = ((ScheduleAlgorithm.Chosen) r).node();
    cache.assume(pod, node);
    return node;
  }

  @Test
  void prefersTheLeastAllocatedNode() {
    cache.addOrUpdateNode(node("busy", "4", "8Gi", 110));
    cache.addOrUpdateNode(node("idle", "4", "8Gi", 110));
    cache.assume(pod("x", "3", "6Gi").build(), "busy");
    for (int i = 0; i < 5; i++) assertThat(chosen(pod("p" + i, "100m", "100Mi").build())).isEqualTo("idle");
  }

  @Test
  void assumedPodsCountAtOnce() {
    cache.addOrUpdateNode(node("n1", "1", "8Gi", 110));
    assertThat(chosen(pod("a", "600m", null).build())).isEqualTo("n1");
    ScheduleAlgorithm.Result r = schedule(pod("b", "600m", null).build());
    assertThat(((ScheduleAlgorithm.Unschedulable) r).error().message()).isEqualTo("0/1 nodes are available: 1 Insufficient cpu.");
    cache.forget(pod("a", "600m", null).build());
    assertThat(chosen(pod("b", "600m", null).build())).isEqualTo("n1");
  }

  @Test
  void spreadsTheReplicasOfOneController() {
    for (int i = 1; i <= 3; i++) cache.addOrUpdateNode(node("n" + i, "8", "16Gi", 110));
    Map<String, Integer> perNode = new HashMap<>();
    for (int i = 0; i < 6; i++) perNode.merge(chosen(ownedBy(pod("r" + i, "10m", "10Mi"), "rs-uid").build()), 1, Integer::sum);
    assertThat(perNode).containsOnlyKeys("n1", "n2", "n3").allSatisfy((n, count) -> assertThat(count).isEqualTo(2));
  }

  @Test
  void preferredNodeAffinityWins() {
    cache.addOrUpdateNode(node("plain", "4", "8Gi", 110));
    cache.addOrUpdateNode(new NodeBuilder(node("fast", "4", "8Gi", 110)).editMetadata().addToLabels("disk", "ssd")
        .endMetadata().build());
    Pod pod = pod("p", "100m", null).editSpec().withNewAffinity().withNewNodeAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(50).withNewPreference().addNewMatchExpression()
        .withKey("disk").withOperator("In").withValues("ssd").endMatchExpression().endPreference()
        .endPreferredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
    assertThat(chosen(pod)).isEqualTo("fast");
  }

  @Test
  void reportsOneReasonPerNode() {
    cache.addOrUpdateNode(node("small", "1", "8Gi", 110));
    cache.addOrUpdateNode(new NodeBuilder(node("tainted", "1", "8Gi", 110)).editOrNewSpec().addNewTaint().withKey("k")
        .withValue("v").withEffect("NoExecute").endTaint().endSpec().build());
    cache.addOrUpdateNode(new NodeBuilder(node("cordoned", "1", "8Gi", 110)).editOrNewSpec().withUnschedulable(true)
        .endSpec().build());
    ScheduleAlgorithm.Result r = schedule(pod("big", "2", null).build());
    assertThat(((ScheduleAlgorithm.Unschedulable) r).error().message()).isEqualTo(
        "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}, 1 node(s) were unschedulable.");
  }

  @Test
  void tiesAreBrokenAtRandom() {
    Map<Integer, Integer> picks = new HashMap<>();
    for (int i = 0; i < 300; i++) picks.merge(ScheduleAlgorithm.pickBest(new long[] {5, 9, 9, 1, 9}), 1, Integer::sum);
    assertThat(picks).containsOnlyKeys(1, 2, 4);
  }

  @Test
  void largeClustersStopFilteringEarly() {
    assertThat(ScheduleAlgorithm.numFeasibleNodesToFind(50)).isEqualTo(50);
    assertThat(ScheduleAlgorithm.numFeasibleNodesToFind(1000)).isEqualTo(420);
    assertThat(ScheduleAlgorithm.numFeasibleNodesToFind(5000)).isEqualTo(500);
  }
}
