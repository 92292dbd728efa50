package io.planet.scheduler;

import static io.planet.scheduler.Fixtures.node;
import static io.planet.scheduler.Fixtures.ownedBy;
import static io.planet.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thousands of nodes and pods: every pod placed, no node over its allocatable, replicas spread evenly. */
class LargeClusterTest {
  @Test
  void fillsAThousandNodesWithoutOvercommitting() {
    ClusterCache cache = new ClusterCache();
    ScheduleAlgorithm algorithm = new ScheduleAlgorithm();
    for (int i = 0; i < 1000; i++) cache.addOrUpdateNode(node("n" + i, "2", "4Gi", 110));
    int placed = 0;
    // 1000 nodes x 2 cpu fit exactly 4000 pods of 500m; the 4001st fits nowhere
    for (int i = 0; i <= 4000; i++) {
      Pod pod = ownedBy(pod("p" + i, "500m", "64Mi"), "rs-" + (i % 10)).build();
      ScheduleAlgorithm.Result r = cache.withSnapshot(s -> algorithm.schedule(new PodContext(pod), s));
      if (r instanceof ScheduleAlgorithm.Chosen c) {
        cache.assume(pod, c.node());
        placed++;
      } else {
        assertThat(i).isEqualTo(4000);
        assertThat(((ScheduleAlgorithm.Unschedulable) r).error().message())
            .isEqualTo("0/1000 nodes are available: 1000 Insufficient cpu.");
      }
    }
    assertThat(placed).isEqualTo(4000);
    List<NodeInfo> nodes = cache.withSnapshot(ClusterCache.Snapshot::nodes);
    assertThat(nodes).allSatisfy(n -> assertThat(n.requested().milliCpu()).isEqualTo(2000));
  }
}
