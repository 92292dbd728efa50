package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CompletionIndexesTest {
  @Test
  void formatsIntervalsAsUpstream() {
    assertThat(CompletionIndexes.format(new TreeSet<>())).isNull();
    assertThat(CompletionIndexes.format(new TreeSet<>(List.of(0)))).isEqualTo("0");
    assertThat(CompletionIndexes.format(new TreeSet<>(List.of(1, 3, 4, 5, 7)))).isEqualTo("1,3-5,7");
    assertThat(CompletionIndexes.format(new TreeSet<>(List.of(0, 1, 2)))).isEqualTo("0-2");
  }

  @Test
  void anIndexFailsBeyondItsBackoffLimitOrByAFailIndexRuleUnlessItSucceeded() {
    // limit 1: index 0 failed twice, 1 once, 2 once but by FailIndex, 3 twice but then succeeded, 5 is out of range
    var failed = CompletionIndexes.failed(Map.of(0, 2, 1, 1, 2, 1, 3, 2, 5, 9), Set.of(2), 1, Set.of(3), 5);
    assertThat(failed).containsExactly(0, 2);
  }
}
