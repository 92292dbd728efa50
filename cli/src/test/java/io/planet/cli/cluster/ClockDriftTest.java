package io.planet.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The time check's classification: the Date header's whole seconds and the round trip are allowed for. */
class ClockDriftTest {
  static final Instant T = Instant.parse("2026-01-01T12:00:00.400Z");

  /** A request sent at T and answered after {@code rttMillis}, with the server's clock {@code offsetMillis} ahead. */
  static ClockDrift.Measurement measured(long offsetMillis, long rttMillis) {
    Instant answeredLocal = T.plusMillis(rttMillis / 2);
    Instant serverDate = answeredLocal.plusMillis(offsetMillis).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return new ClockDrift.Measurement(T, T.plusMillis(rttMillis), serverDate);
  }

  static String status(long offsetMillis, long rttMillis) {
    return ClockDrift.check(measured(offsetMillis, rttMillis)).status();
  }

  @Test
  void agreeingClocksAreOkWithTheOffsetAndItsUncertainty() {
    StatusCommand.Check c = ClockDrift.check(measured(0, 4));
    assertThat(c.name()).isEqualTo("time");
    assertThat(c.status()).isEqualTo("ok");
    assertThat(c.detail()).matches("offset [+-]0\\.\\d s ± 0\\.5 s \\(API server's clock minus this machine's; round trip 4 ms\\)");
    assertThat(measured(0, 4).least()).isEqualTo(Duration.ZERO);
  }

  @Test
  void warningAboveTwoSecondsFailedAboveThirty() {
    assertThat(status(1_500, 10)).isEqualTo("ok");
    assertThat(status(-1_500, 10)).isEqualTo("ok");
    assertThat(status(4_000, 10)).isEqualTo("warning");
    assertThat(status(-4_000, 10)).isEqualTo("warning");
    assertThat(status(29_000, 10)).isEqualTo("warning");
    assertThat(status(45_000, 10)).isEqualTo("failed");
    assertThat(status(-120_000, 10)).isEqualTo("failed");
    assertThat(ClockDrift.check(measured(45_000, 10)).detail()).contains("at least 4").contains("sync the clocks");
  }

  @Test
  void aSlowAnswerWidensTheIntervalSoItIsNotTakenForDrift() {
    // 3 s apart, but the answer took 4 s: the server may have answered at any moment of those 4 s
    assertThat(status(3_000, 4_000)).isEqualTo("ok");
    assertThat(measured(3_000, 4_000).uncertainty()).isGreaterThan(Duration.ofSeconds(2));
    // a quick answer pins it down
    assertThat(status(3_000, 10)).isEqualTo("warning");
  }

  @Test
  void theIntervalHoldsTheTrueOffset() {
    for (long offset : new long[] {-31_700, -2_300, -999, 0, 1, 999, 2_600, 59_999}) {
      ClockDrift.Measurement m = measured(offset, 50);
      assertThat(Duration.ofMillis(offset)).isBetween(m.low(), m.high());
    }
  }
}
