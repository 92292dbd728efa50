package io.planet.api.proto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoDurationTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  @Test
  void formatsLikeGoTimeDurationString() {
    assertThat(GoDuration.format(0)).isEqualTo("0s");
    assertThat(GoDuration.format(1)).isEqualTo("1ns");
    assertThat(GoDuration.format(1_500)).isEqualTo("1.5µs");
    assertThat(GoDuration.format(500 * MS)).isEqualTo("500ms");
    assertThat(GoDuration.format(1_500 * MS)).isEqualTo("1.5s");
    assertThat(GoDuration.format(90 * S)).isEqualTo("1m30s");
    assertThat(GoDuration.format(60 * S)).isEqualTo("1m0s");
    assertThat(GoDuration.format(3600 * S)).isEqualTo("1h0m0s");
    assertThat(GoDuration.format(3723 * S + 500 * MS)).isEqualTo("1h2m3.5s");
    assertThat(GoDuration.format(-90 * S)).isEqualTo("-1m30s");
    assertThat(GoDuration.format(Long.MIN_VALUE)).isEqualTo("-2562047h47m16.854775808s");
  }
}
