package io.planet.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Stabilization windows and scaling policies, on the examples of upstream's HPA documentation. */
class ScaleNormalizerTest {
  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-01-01T12:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final TestClock clock = new TestClock();
  private final ScaleNormalizer normalizer = new ScaleNormalizer(clock, Duration.ofMinutes(5));

  /** What the API server defaults an empty behavior to (upstream's defaults). */
  private static HorizontalPodAutoscalerBehavior defaults() {
    return new HorizontalPodAutoscalerBehaviorBuilder().build();
  }

  private ScaleNormalizer.Outcome step(HorizontalPodAutoscalerBehavior b, int current, int desired, int min, int max) {
    ScaleNormalizer.Outcome o = normalizer.normalize("ns/h", b, current, desired, min, max);
    normalizer.recordScale("ns/h", b, current, o.replicas());
    return o;
  }

  @Test
  void defaultScaleUpAllowsFourPodsOrDoublingPerFifteenSeconds() {
    normalizer.recordInitial("ns/h", 2);
    ScaleNormalizer.Outcome o = step(defaults(), 2, 20, 1, 100);
    assertThat(o.replicas()).isEqualTo(6); // max(2 + 4, 2 * 2)
    assertThat(o.limited()).isTrue();
    assertThat(o.limitReason()).isEqualTo("ScaleUpLimit");
    // within the same 15 s period the budget is spent
    clock.advance(Duration.ofSeconds(5));
    assertThat(step(defaults(), 6, 20, 1, 100).replicas()).isEqualTo(6);
    // the next period starts from 6
    clock.advance(Duration.ofSeconds(11));
    assertThat(step(defaults(), 6, 20, 1, 100).replicas()).isEqualTo(12);
  }

  @Test
  void scaleDownWaitsForTheStabilizationWindowAndTakesItsHighestRecommendation() {
    normalizer.recordInitial("ns/h", 10);
    ScaleNormalizer.Outcome o = step(defaults(), 10, 4, 1, 20);
    assertThat(o.replicas()).isEqualTo(10);
    assertThat(o.ableReason()).isEqualTo("ScaleDownStabilized");
    assertThat(o.ableMessage()).isEqualTo(
        "recent recommendations were higher than current one, applying the highest recent recommendation");
    clock.advance(Duration.ofMinutes(2));
    assertThat(step(defaults(), 10, 6, 1, 20).replicas()).isEqualTo(10);
    // the initial 10 leaves the 300 s window; the highest left is 6
    clock.advance(Duration.ofSeconds(181));
    assertThat(step(defaults(), 10, 3, 1, 20).replicas()).isEqualTo(6);
    clock.advance(Duration.ofMinutes(6));
    ScaleNormalizer.Outcome later = step(defaults(), 6, 3, 1, 20);
    assertThat(later.replicas()).isEqualTo(3);
    assertThat(later.ableReason()).isEqualTo("ReadyForNewScale");
  }

  @Test
  void documentedScaleDownPoliciesWithMaxSelectThePolicyAllowingTheBiggestChange() {
    // scaleDown: Pods 4 per 60 s, Percent 10 per 60 s, no stabilization: 80 -> 72 -> 64
    HorizontalPodAutoscalerBehavior b = new HorizontalPodAutoscalerBehaviorBuilder().withNewScaleDown()
        .withStabilizationWindowSeconds(0)
        .addNewPolicy().withType("Pods").withValue(4).withPeriodSeconds(60).endPolicy()
        .addNewPolicy().withType("Percent").withValue(10).withPeriodSeconds(60).endPolicy()
        .endScaleDown().build();
    ScaleNormalizer.Outcome o = step(b, 80, 10, 1, 100);
    assertThat(o.replicas()).isEqualTo(72);
    assertThat(o.limitReason()).isEqualTo("ScaleDownLimit");
    assertThat(o.limitMessage()).isEqualTo("the desired replica count is decreasing faster than the maximum scale rate");
    clock.advance(Duration.ofSeconds(30));
    assertThat(step(b, 72, 10, 1, 100).replicas()).isEqualTo(72); // this period's 10% is spent
    clock.advance(Duration.ofSeconds(31));
    assertThat(step(b, 72, 10, 1, 100).replicas()).isEqualTo(64); // 10% of 72 rounds to a change of 8
  }

  @Test
  void selectPolicyMinPicksTheSmallestChangeAndDisabledStopsScaling() {
    HorizontalPodAutoscalerBehavior min = new HorizontalPodAutoscalerBehaviorBuilder().withNewScaleDown()
        .withStabilizationWindowSeconds(0).withSelectPolicy("Min")
        .addNewPolicy().withType("Pods").withValue(4).withPeriodSeconds(60).endPolicy()
        .addNewPolicy().withType("Percent").withValue(10).withPeriodSeconds(60).endPolicy()
        .endScaleDown().build();
    assertThat(step(min, 80, 10, 1, 100).replicas()).isEqualTo(76);
    HorizontalPodAutoscalerBehavior disabled = new HorizontalPodAutoscalerBehaviorBuilder().withNewScaleDown()
        .withSelectPolicy("Disabled").endScaleDown().build();
    assertThat(normalizer.normalize("ns/other", disabled, 8, 2, 1, 10).replicas()).isEqualTo(8);
  }

  @Test
  void scaleUpStabilizationTakesTheLowestRecentRecommendation() {
    HorizontalPodAutoscalerBehavior b = new HorizontalPodAutoscalerBehaviorBuilder().withNewScaleUp()
        .withStabilizationWindowSeconds(60).endScaleUp().build();
    normalizer.recordInitial("ns/h", 3);
    ScaleNormalizer.Outcome o = step(b, 3, 5, 1, 10);
    assertThat(o.replicas()).isEqualTo(3);
    assertThat(o.ableReason()).isEqualTo("ScaleUpStabilized");
    clock.advance(Duration.ofSeconds(30));
    assertThat(step(b, 3, 5, 1, 10).replicas()).isEqualTo(3);
    // the initial 3 leaves the 60 s window; the lowest left is 5
    clock.advance(Duration.ofSeconds(31));
    assertThat(step(b, 3, 6, 1, 10).replicas()).isEqualTo(5);
  }

  @Test
  void minAndMaxReplicasClampWithTheirReasons() {
    ScaleNormalizer.Outcome high = step(defaults(), 4, 8, 1, 5);
    assertThat(high.replicas()).isEqualTo(5);
    assertThat(high.limitReason()).isEqualTo("TooManyReplicas");
    assertThat(high.limitMessage()).isEqualTo("the desired replica count is more than the maximum replica count");
    ScaleNormalizer.Outcome low = normalizer.normalize("ns/low", new HorizontalPodAutoscalerBehaviorBuilder()
        .withNewScaleDown().withStabilizationWindowSeconds(0).endScaleDown().build(), 4, 1, 2, 5);
    assertThat(low.replicas()).isEqualTo(2);
    assertThat(low.limitReason()).isEqualTo("TooFewReplicas");
    ScaleNormalizer.Outcome within = normalizer.normalize("ns/in", defaults(), 4, 5, 1, 10);
    assertThat(within.limited()).isFalse();
    assertThat(within.limitReason()).isEqualTo("DesiredWithinRange");
  }

  @Test
  void withoutBehaviorTheControllerWindowAndDoublingLimitApply() {
    normalizer.recordInitial("ns/h", 2);
    ScaleNormalizer.Outcome up = normalizer.normalize("ns/h", null, 2, 50, 1, 100);
    assertThat(up.replicas()).isEqualTo(4); // max(2 * 2, 4)
    assertThat(up.limitReason()).isEqualTo("ScaleUpLimit");
    clock.advance(Duration.ofMinutes(1));
    ScaleNormalizer.Outcome held = normalizer.normalize("ns/h", null, 4, 1, 1, 100);
    assertThat(held.ableReason()).isEqualTo("ScaleDownStabilized");
    assertThat(held.replicas()).isEqualTo(8); // the highest within 5 min (50), still at most doubling
    clock.advance(Duration.ofMinutes(5));
    assertThat(normalizer.normalize("ns/h", null, 4, 1, 1, 100).replicas()).isEqualTo(1);
  }
}
