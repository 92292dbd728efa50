package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KubeletEventsTest {
  private static final Pod POD = new PodBuilder().withNewMetadata().withNamespace("shop").withName("web").withUid("u-1")
      .endMetadata().withNewSpec().addNewInitContainer().withName("setup").endInitContainer()
      .addNewContainer().withName("app").endContainer()
      .addNewEphemeralContainer().withName("debugger").endEphemeralContainer().endSpec().build();

  @Test
  void containersAreNamedByWhereTheyAreInTheSpec() {
    assertThat(KubeletEvents.fieldPath(POD, "app")).isEqualTo("spec.containers{app}");
    assertThat(KubeletEvents.fieldPath(POD, "setup")).isEqualTo("spec.initContainers{setup}");
    assertThat(KubeletEvents.fieldPath(POD, "debugger")).isEqualTo("spec.ephemeralContainers{debugger}");
  }

  @Test
  void podsAndDurationsArePrintedAsGoPrintsThem() {
    assertThat(KubeletEvents.formatPod(POD)).isEqualTo("web_shop(u-1)");
    assertThat(KubeletEvents.goDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(KubeletEvents.goDuration(Duration.ofNanos(850_400_000))).isEqualTo("850ms");
    assertThat(KubeletEvents.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(KubeletEvents.goDuration(Duration.ofMillis(123_250))).isEqualTo("2m3.25s");
    assertThat(KubeletEvents.goDuration(Duration.ofHours(1))).isEqualTo("1h0m0s");
    assertThat(KubeletEvents.quote("a \"b\"\n")).isEqualTo("\"a \\\"b\\\"\\n\"");
  }

  @Test
  void nodeConditionsAreToldByTheirNewState() {
    assertThat(NodeStatusManager.statusEvent("Ready", true)).isEqualTo("NodeReady");
    assertThat(NodeStatusManager.statusEvent("Ready", false)).isEqualTo("NodeNotReady");
    assertThat(NodeStatusManager.statusEvent("MemoryPressure", false)).isEqualTo("NodeHasSufficientMemory");
    assertThat(NodeStatusManager.statusEvent("DiskPressure", true)).isEqualTo("NodeHasDiskPressure");
    assertThat(NodeStatusManager.statusEvent("PIDPressure", false)).isEqualTo("NodeHasSufficientPID");
    assertThat(NodeStatusManager.statusEvent("NetworkUnavailable", false)).isNull();
  }
}
