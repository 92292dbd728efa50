package io.planet.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.planet.node.kubelet.RuntimeLabels;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How long planet stop lets a pod's containers run after TERM: its own grace period, bounded by --timeout. */
class NodeResetGraceTest {
  static Duration grace(String recorded, long timeoutSeconds) {
    Map<String, String> labels = recorded == null ? Map.of() : Map.of(RuntimeLabels.POD_TERMINATION_GRACE_PERIOD, recorded);
    return NodeReset.grace(labels, Duration.ofSeconds(timeoutSeconds));
  }

  @Test
  void thePodsOwnPeriodBoundedByTheTimeout() {
    assertThat(grace("2", 30)).isEqualTo(Duration.ofSeconds(2));
    assertThat(grace("10", 30)).isEqualTo(Duration.ofSeconds(10));
    assertThat(grace("120", 30)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void unrecordedIsUpstreamsDefaultAndZeroIsTheKubeletsMinimum() {
    assertThat(grace(null, 60)).isEqualTo(Duration.ofSeconds(30));
    assertThat(grace("garbage", 60)).isEqualTo(Duration.ofSeconds(30));
    assertThat(grace("0", 30)).isEqualTo(Duration.ofSeconds(2));
    // leftovers of an earlier run are killed at once
    assertThat(grace("30", 0)).isEqualTo(Duration.ZERO);
  }
}
