package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
