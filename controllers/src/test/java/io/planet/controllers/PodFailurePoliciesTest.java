package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.planet.controllers.PodFailurePolicies.Action;
import org.junit.jupiter.api.Test;

class PodFailurePoliciesTest {
  private static final PodFailurePolicy POLICY = new PodFailurePolicyBuilder()
      .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").withStatus("True")
      .endOnPodCondition().endRule()
      .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName("main").withOperator("In")
      .withValues(42).endOnExitCodes().endRule()
      .addNewRule().withAction("Count").withNewOnExitCodes().withOperator("NotIn").withValues(1, 2).endOnExitCodes()
      .endRule()
      .addNewRule().withAction("Ignore").withNewOnExitCodes().withOperator("In").withValues(1).endOnExitCodes().endRule()
      .build();

  private static Pod failed(String container, int exitCode, String condition) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata().withNewStatus()
        .withPhase("Failed").addToContainerStatuses(new ContainerStatusBuilder().withName(container).withNewState()
            .withNewTerminated().withExitCode(exitCode).endTerminated().endState().build()).endStatus();
    Pod p = b.build();
    if (condition != null) {
      p.getStatus().getConditions().add(new PodConditionBuilder().withType(condition)
          .withStatus("True").build());
    }
    return p;
  }

  @Test
  void theFirstMatchingRuleDecides() {
    // a disruption is ignored even though the exit code would fail the job: rules are tried in order
    assertThat(PodFailurePolicies.match(POLICY, failed("main", 42, "DisruptionTarget")).action()).isEqualTo(Action.IGNORE);
    PodFailurePolicies.Match failJob = PodFailurePolicies.match(POLICY, failed("main", 42, null));
    assertThat(failJob.action()).isEqualTo(Action.FAIL_JOB);
    assertThat(failJob.message()).isEqualTo("Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1");
    assertThat(PodFailurePolicies.match(POLICY, failed("main", 1, null)).action()).isEqualTo(Action.IGNORE);
  }

  @Test
  void containerNameAndNotInNarrowTheExitCodeRules() {
    // 42 from another container does not match the FailJob rule but matches NotIn [1, 2]
    assertThat(PodFailurePolicies.match(POLICY, failed("sidecar", 42, null)).action()).isEqualTo(Action.COUNT);
    // 2 matches no rule: counted as usual
    PodFailurePolicies.Match none = PodFailurePolicies.match(POLICY, failed("main", 2, null));
    assertThat(none.action()).isEqualTo(Action.COUNT);
    assertThat(none.counts()).isTrue();
  }

  @Test
  void aZeroExitCodeOrNoPolicyNeverMatches() {
    PodFailurePolicy notIn = new PodFailurePolicyBuilder().addNewRule().withAction("FailJob").withNewOnExitCodes()
        .withOperator("NotIn").withValues(5).endOnExitCodes().endRule().build();
    assertThat(PodFailurePolicies.match(notIn, failed("main", 0, null)).action()).isEqualTo(Action.COUNT);
    assertThat(PodFailurePolicies.match(null, failed("main", 42, null)).action()).isEqualTo(Action.COUNT);
  }
}
