package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.bound;
import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.ownedBy;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache is kept up to date incrementally; what it reports must equal a recount from scratch after any sequence. */
class ClusterCacheTest {
  private static NodeInfo info(ClusterCache cache, String name) {
    return cache.withSnapshot(s -> s.node(name));
  }

  private static List<String> order(ClusterCache cache) {
    List<NodeInfo> nodes = cache.withSnapshot(ClusterCache.Snapshot::nodes);
    return nodes.stream().map(NodeInfo::name).toList();
  }

  @Test
  void anAssumedPodCountsAtOnceAndOnceMoreNeverWhenTheInformerConfirmsIt() {
    ClusterCache cache = new ClusterCache();
    cache.addOrUpdateNode(node("n1", "4", "8Gi", 110));
    Pod pod = ownedBy(pod("a", "500m", "1Gi"), "rs-1").build();
    cache.assume(new PodInfo(pod), "n1");
    assertThat(cache.isAssumed("default/a")).isTrue();
    assertThat(info(cache, "n1").requested()).isEqualTo(new Resources(500, 1L << 30, 0, 1));
    assertThat(info(cache, "n1").podsOfController("rs-1")).isEqualTo(1);

    cache.addOrUpdatePod(bound(pod, "n1"));
    assertThat(cache.isAssumed("default/a")).isFalse();
    assertThat(info(cache, "n1").requested()).isEqualTo(new Resources(500, 1L << 30, 0, 1));
    assertThat(info(cache, "n1").podsOfController("rs-1")).isEqualTo(1);
    assertThat(info(cache, "n1").pods()).extracting(p -> p.getSpec().getNodeName()).containsExactly("n1");

    cache.removePod("default/a");
    assertThat(info(cache, "n1").requested()).isEqualTo(Resources.ZERO);
    assertThat(info(cache, "n1").podsOfController("rs-1")).isZero();
  }

  @Test
  void aForgottenAssumptionGivesTheResourcesBack() {
    ClusterCache cache = new ClusterCache();
    cache.addOrUpdateNode(node("n1", "4", "8Gi", 110));
    Pod pod = pod("a", "1", "1Gi").build();
    cache.assume(pod, "n1");
    cache.forget(pod);
    assertThat(info(cache, "n1").requested()).isEqualTo(Resources.ZERO);
    assertThat(info(cache, "n1").podCount()).isZero();
  }

  @Test
  void aPodConfirmedOnAnotherNodeMovesThere() {
    ClusterCache cache = new ClusterCache();
    cache.addOrUpdateNode(node("n1", "4", "8Gi", 110));
    cache.addOrUpdateNode(node("n2", "4", "8Gi", 110));
    Pod pod = pod("a", "1", "1Gi").build();
    cache.assume(pod, "n1");
    cache.addOrUpdatePod(bound(pod, "n2"));
    assertThat(info(cache, "n1").requested()).isEqualTo(Resources.ZERO);
    assertThat(info(cache, "n2").requested().milliCpu()).isEqualTo(1000);
  }

  @Test
  void aNodeUpdateKeepsItsPodsAndRefreshesWhatFiltersRead() {
    ClusterCache cache = new ClusterCache();
    cache.addOrUpdateNode(node("n1", "4", "8Gi", 110));
    cache.addOrUpdatePod(bound(pod("a", "1", "1Gi").build(), "n1"));
    long before = info(cache, "n1").generation();
    Node cordoned = new NodeBuilder(node("n1", "8", "8Gi", 110)).editMetadata().addToLabels("disk", "ssd").endMetadata()
        .withNewSpec().withUnschedulable(true).addNewTaint().withKey("k").withEffect("NoSchedule").endTaint()
        .addNewTaint().withKey("soft").withEffect("PreferNoSchedule").endTaint().endSpec().build();
    cache.addOrUpdateNode(cordoned);
    NodeInfo n = info(cache, "n1");
    assertThat(n.generation()).isGreaterThan(before);
    assertThat(n.requested().milliCpu()).isEqualTo(1000);
    assertThat(n.allocatable().milliCpu()).isEqualTo(8000);
    assertThat(n.labels()).containsEntry("disk", "ssd");
    assertThat(n.unschedulable()).isTrue();
    assertThat(n.hardTaints()).extracting(t -> t.getKey()).containsExactly("k");
    assertThat(n.softTaints()).extracting(t -> t.getKey()).containsExactly("soft");
    assertThat(new NodeUnschedulable().filter(new PodContext(pod("p", null, null).build()), n)).isNotEmpty();
  }

  @Test
  void nodesKeepTheirRoundRobinOrderAcrossDeletesAndReAdds() {
    ClusterCache cache = new ClusterCache();
    for (String n : List.of("n1", "n2", "n3")) cache.addOrUpdateNode(node(n, "1", "1Gi", 10));
    cache.addOrUpdatePod(bound(pod("a", "100m", null).build(), "n2"));
    cache.removeNode("n2");
    assertThat(order(cache)).containsExactly("n1", "n3");
    assertThat(info(cache, "n2")).isNull();
    // the pod still bound to the deleted node is accounted again when the node comes back
    cache.addOrUpdateNode(node("n2", "1", "1Gi", 10));
    assertThat(order(cache)).containsExactly("n1", "n3", "n2");
    assertThat(info(cache, "n2").requested().milliCpu()).isEqualTo(100);
  }
}
