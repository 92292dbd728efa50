package io.planet.controllers;

import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyRule;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;

/**
 * An Indexed Job's spec.successPolicy (upstream's matchSuccessPolicy): the job succeeds once any rule holds — its
 * succeededIndexes all succeeded (or succeededCount of them), or with succeededCount alone that many indexes did.
 */
final class SuccessPolicies {
  private SuccessPolicies() {}

  /** The SuccessCriteriaMet message ("Matched rules at index N") of the first rule that holds, or null. */
  static String match(SuccessPolicy policy, int completions, Set<Integer> succeeded) {
    if (policy == null || policy.getRules() == null || succeeded.isEmpty()) return null;
    List<SuccessPolicyRule> rules = policy.getRules();
    for (int i = 0; i < rules.size(); i++) {
      SuccessPolicyRule rule = rules.get(i);
      Integer count = rule.getSucceededCount();
      boolean holds;
      if (rule.getSucceededIndexes() != null) {
        SortedSet<Integer> required = CompletionIndexes.parse(rule.getSucceededIndexes(), completions);
        if (required.isEmpty()) continue; // unparsable: the rule cannot hold
        long done = required.stream().filter(succeeded::contains).count();
        holds = count == null ? done == required.size() : done >= count;
      } else {
        holds = count != null && succeeded.size() >= count;
      }
      if (holds) return "Matched rules at index " + i;
    }
    return null;
  }
}
