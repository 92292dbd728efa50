package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;

class NodeTaintsTest {
  private final Taint unreachable = new TaintBuilder().withKey(NodeTaints.UNREACHABLE).withEffect("NoExecute").build();

  @Test
  void tolerationMatchingFollowsUpstream() {
    assertThat(NodeTaints.tolerates(new TolerationBuilder().withKey(NodeTaints.UNREACHABLE).withOperator("Exists")
        .withEffect("NoExecute").build(), unreachable)).isTrue();
    // an empty key with Exists tolerates everything
    assertThat(NodeTaints.tolerates(new TolerationBuilder().withOperator("Exists").build(), unreachable)).isTrue();
    // another effect does not match
    assertThat(NodeTaints.tolerates(new TolerationBuilder().withKey(NodeTaints.UNREACHABLE).withOperator("Exists")
        .withEffect("NoSchedule").build(), unreachable)).isFalse();
    // Equal (the default operator) compares values; the taint has none
    assertThat(NodeTaints.tolerates(new TolerationBuilder().withKey(NodeTaints.UNREACHABLE).build(), unreachable))
        .isTrue();
    assertThat(NodeTaints.tolerates(new TolerationBuilder().withKey(NodeTaints.UNREACHABLE).withValue("x").build(),
        unreachable)).isFalse();
    assertThat(NodeTaints.tolerates(new TolerationBuilder().withKey(NodeTaints.NOT_READY).withOperator("Exists")
        .build(), unreachable)).isFalse();
  }
}
