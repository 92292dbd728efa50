package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static final ZoneId UTC = ZoneId.of("UTC");

  private static ZonedDateTime at(String s) {
    return ZonedDateTime.parse(s + "Z[UTC]");
  }

  private static ZonedDateTime next(String spec, String after) {
    return CronSchedule.parse(spec).next(at(after));
  }

  @Test
  void everyMinuteIsTheNextWholeMinute() {
    assertThat(next("* * * * *", "2026-01-01T10:00:00")).isEqualTo(at("2026-01-01T10:01:00"));
    assertThat(next("* * * * *", "2026-01-01T10:00:30")).isEqualTo(at("2026-01-01T10:01:00"));
  }

  @Test
  void stepsRangesAndLists() {
    assertThat(next("*/15 * * * *", "2026-01-01T10:01:00")).isEqualTo(at("2026-01-01T10:15:00"));
    assertThat(next("*/15 * * * *", "2026-01-01T10:45:00")).isEqualTo(at("2026-01-01T11:00:00"));
    assertThat(next("5/20 * * * *", "2026-01-01T10:30:00")).isEqualTo(at("2026-01-01T10:45:00"));
    assertThat(next("0 9-17/4 * * *", "2026-01-01T14:00:00")).isEqualTo(at("2026-01-01T17:00:00"));
    assertThat(next("10,40 3 * * *", "2026-01-01T03:10:00")).isEqualTo(at("2026-01-01T03:40:00"));
  }

  @Test
  void namesAndDaysOfWeek() {
    // 2026-01-01 is a Thursday
    assertThat(next("0 0 * * mon", "2026-01-01T00:00:00")).isEqualTo(at("2026-01-05T00:00:00"));
    assertThat(next("0 0 * * 7", "2026-01-01T00:00:00")).isEqualTo(at("2026-01-04T00:00:00"));
    assertThat(next("0 12 1 feb-mar *", "2026-01-15T00:00:00")).isEqualTo(at("2026-02-01T12:00:00"));
    assertThat(next("0 0 * * MON-FRI", "2026-01-02T12:00:00")).isEqualTo(at("2026-01-05T00:00:00"));
  }

  @Test
  void dayOfMonthOrDayOfWeekWhenBothAreRestricted() {
    // the 13th or any Friday: Friday 2026-01-02 comes first
    assertThat(next("0 0 13 * 5", "2026-01-01T00:00:00")).isEqualTo(at("2026-01-02T00:00:00"));
    // with a star in the other day field, only the 13th
    assertThat(next("0 0 13 * *", "2026-01-01T00:00:00")).isEqualTo(at("2026-01-13T00:00:00"));
    assertThat(next("0 0 31 2 *", "2026-01-01T00:00:00")).isNull();
  }

  @Test
  void descriptors() {
    assertThat(next("@hourly", "2026-01-01T10:00:00")).isEqualTo(at("2026-01-01T11:00:00"));
    assertThat(next("@daily", "2026-01-01T10:00:00")).isEqualTo(at("2026-01-02T00:00:00"));
    assertThat(next("@midnight", "2026-01-01T10:00:00")).isEqualTo(at("2026-01-02T00:00:00"));
    assertThat(next("@weekly", "2026-01-01T10:00:00")).isEqualTo(at("2026-01-04T00:00:00"));
    assertThat(next("@monthly", "2026-01-01T10:00:00")).isEqualTo(at("2026-02-01T00:00:00"));
    assertThat(next("@yearly", "2026-01-01T10:00:00")).isEqualTo(at("2027-01-01T00:00:00"));
  }

  @Test
  void timeZonePrefix() {
    CronSchedule s = CronSchedule.parse("CRON_TZ=Europe/Berlin 0 9 * * *");
    // 09:00 in Berlin in winter is 08:00 UTC
    assertThat(s.next(at("2026-01-01T00:00:00")).toInstant()).isEqualTo(at("2026-01-01T08:00:00").toInstant());
    assertThat(s.zone(UTC)).isEqualTo(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void rejectsWhatUpstreamRejects() {
    assertThatThrownBy(() -> CronSchedule.parse("")).hasMessageContaining("empty spec");
    assertThatThrownBy(() -> CronSchedule.parse("* * * *")).hasMessageContaining("expected exactly 5 fields");
    assertThatThrownBy(() -> CronSchedule.parse("60 * * * *")).hasMessageContaining("above maximum");
    assertThatThrownBy(() -> CronSchedule.parse("* * 0 * *")).hasMessageContaining("below minimum");
    assertThatThrownBy(() -> CronSchedule.parse("5-1 * * * *")).hasMessageContaining("beyond end of range");
    assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessageContaining("positive number");
    assertThatThrownBy(() -> CronSchedule.parse("x * * * *")).hasMessageContaining("failed to parse int");
    assertThatThrownBy(() -> CronSchedule.parse("@fortnightly")).hasMessageContaining("unrecognized descriptor");
  }
}
