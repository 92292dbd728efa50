package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TTLAfterFinishedControllerTest {
  private static Job job(Integer ttl, String type, String status) {
    JobBuilder b = new JobBuilder().withNewSpec().withTtlSecondsAfterFinished(ttl).endSpec();
    if (type != null) {
      b.withNewStatus().addToConditions(new JobConditionBuilder().withType(type).withStatus(status)
          .withLastTransitionTime("2026-01-01T00:00:00Z").build()).endStatus();
    }
    return b.build();
  }

  @Test
  void aFinishedJobExpiresTtlSecondsAfterItsFinishCondition() {
    Instant finished = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(TTLAfterFinishedController.expiresAt(job(30, "Complete", "True"))).isEqualTo(finished.plusSeconds(30));
    assertThat(TTLAfterFinishedController.expiresAt(job(0, "Failed", "True"))).isEqualTo(finished);
  }

  @Test
  void jobsWithoutTtlOrNotFinishedNeverExpire() {
    assertThat(TTLAfterFinishedController.expiresAt(job(null, "Complete", "True"))).isNull();
    assertThat(TTLAfterFinishedController.expiresAt(job(30, null, null))).isNull();
    assertThat(TTLAfterFinishedController.expiresAt(job(30, "Suspended", "True"))).isNull();
    assertThat(TTLAfterFinishedController.expiresAt(job(30, "Failed", "False"))).isNull();
  }
}
