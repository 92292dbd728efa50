package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyBuilder;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuccessPoliciesTest {
  private static final SuccessPolicy POLICY = new SuccessPolicyBuilder()
      .addNewRule().withSucceededIndexes("0,2-3").endRule()
      .addNewRule().withSucceededIndexes("4-9").withSucceededCount(2).endRule()
      .addNewRule().withSucceededCount(5).endRule().build();

  @Test
  void aRuleHoldsWhenItsIndexesOrEnoughOfThemSucceeded() {
    assertThat(SuccessPolicies.match(POLICY, 10, Set.of(0, 2))).isNull();
    assertThat(SuccessPolicies.match(POLICY, 10, Set.of(0, 2, 3))).isEqualTo("Matched rules at index 0");
    assertThat(SuccessPolicies.match(POLICY, 10, Set.of(4, 9))).isEqualTo("Matched rules at index 1");
    assertThat(SuccessPolicies.match(POLICY, 10, Set.of(0, 1, 2, 4, 5))).isEqualTo("Matched rules at index 1");
    assertThat(SuccessPolicies.match(POLICY, 10, Set.of())).isNull();
    assertThat(SuccessPolicies.match(null, 10, Set.of(0))).isNull();
  }

  @Test
  void succeededCountAloneCountsAllIndexes() {
    SuccessPolicy countOnly = new SuccessPolicyBuilder().addNewRule().withSucceededCount(3).endRule().build();
    assertThat(SuccessPolicies.match(countOnly, 10, Set.of(1, 5))).isNull();
    assertThat(SuccessPolicies.match(countOnly, 10, Set.of(1, 5, 8))).isEqualTo("Matched rules at index 0");
  }

  @Test
  void indexesAreParsedFromTheCompressedFormBelowCompletions() {
    assertThat(CompletionIndexes.parse("1,3-5,7", 6)).containsExactly(1, 3, 4, 5);
    assertThat(CompletionIndexes.parse("1,x", 6)).isEmpty();
    assertThat(CompletionIndexes.parse("2-", 6)).isEmpty();
  }
}
