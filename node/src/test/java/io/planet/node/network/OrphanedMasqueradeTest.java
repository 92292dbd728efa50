package io.planet.node.network;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrphanedMasqueradeTest {
  @Test
  void splitsRulesAsIptablesPrintsThem() {
    assertThat(IptablesRule.split(
        "-A POSTROUTING -s 10.1.0.2/32 -m comment --comment \"name: \\\"planet\\\" id: \\\"abc\\\"\" -j CNI-12ab"))
        .containsExactly("-A", "POSTROUTING", "-s", "10.1.0.2/32", "-m", "comment", "--comment",
            "name: \"planet\" id: \"abc\"", "-j", "CNI-12ab");
    assertThat(IptablesRule.split("-A X -m comment --comment \"\" -j Y")).contains("");
  }
}
