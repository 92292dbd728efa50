package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  private static String h(Duration d) {
    return Durations.humanDuration(d);
  }

  @Test
  void secondsUpToTwoMinutes() {
    assertThat(h(Duration.ZERO)).isEqualTo("0s");
    assertThat(h(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(h(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(h(Duration.ofMillis(1999))).isEqualTo("1s");
  }

  @Test
  void minutesWithSecondsBelowTenMinutes() {
    assertThat(h(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(h(Duration.ofSeconds(5 * 60 + 10))).isEqualTo("5m10s");
    assertThat(h(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(h(Duration.ofMinutes(179))).isEqualTo("179m");
  }

  @Test
  void hoursDaysYears() {
    assertThat(h(Duration.ofMinutes(180))).isEqualTo("3h");
    assertThat(h(Duration.ofMinutes(3 * 60 + 5))).isEqualTo("3h5m");
    assertThat(h(Duration.ofHours(10))).isEqualTo("10h");
    assertThat(h(Duration.ofHours(47))).isEqualTo("47h");
    assertThat(h(Duration.ofHours(48))).isEqualTo("2d");
    assertThat(h(Duration.ofHours(51))).isEqualTo("2d3h");
    assertThat(h(Duration.ofDays(10))).isEqualTo("10d");
    assertThat(h(Duration.ofDays(729))).isEqualTo("729d");
    assertThat(h(Duration.ofDays(365 * 2 + 30))).isEqualTo("2y30d");
    assertThat(h(Duration.ofDays(365 * 4))).isEqualTo("4y");
    assertThat(h(Duration.ofDays(365 * 9))).isEqualTo("9y");
  }

  @Test
  void futureTimesToleratesOneSecondOfSkew() {
    assertThat(h(Duration.ofMillis(-1500))).isEqualTo("0s");
    assertThat(h(Duration.ofSeconds(-2))).isEqualTo("<invalid>");
  }

  @Test
  void tablesExposesTheSameFunction() {
    assertThat(Tables.humanDuration(Duration.ofHours(51))).isEqualTo("2d3h");
  }
}
