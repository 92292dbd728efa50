package io.planet.controllers;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A standard five-field cron schedule as upstream's CronJob controller reads it (robfig/cron ParseStandard):
 * minute hour day-of-month month day-of-week, with lists, ranges, steps, month and day names, the descriptors
 * (@hourly, @daily, ...) and an optional {@code TZ=}/{@code CRON_TZ=} prefix. {@link #next} finds the next
 * activation strictly after a time.
 */
final class CronSchedule {
  private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
      Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
      Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
  private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4,
      "fri", 5, "sat", 6);
  private static final Map<String, String> DESCRIPTORS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");

  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  /** robfig: when either day field is a '*', both must match; otherwise either may. */
  private final boolean dayStar;
  /** The zone from a TZ= prefix, or null to use the caller's. */
  private final ZoneId zone;

  private CronSchedule(String[] f, ZoneId zone) {
    minutes = field(f[0], 0, 59, Map.of());
    hours = field(f[1], 0, 23, Map.of());
    daysOfMonth = field(f[2], 1, 31, Map.of());
    months = field(f[3], 1, 12, MONTHS);
    BitSet dow = field(f[4], 0, 7, DAYS);
    if (dow.get(7)) dow.set(0); // 7 is Sunday too
    dow.clear(7);
    daysOfWeek = dow;
    dayStar = f[2].startsWith("*") || f[2].startsWith("?") || f[4].startsWith("*") || f[4].startsWith("?");
    this.zone = zone;
  }

  /** Parses a schedule; IllegalArgumentException with the reason when it is not one. */
  static CronSchedule parse(String spec) {
    String s = spec == null ? "" : spec.strip();
    if (s.isEmpty()) throw new IllegalArgumentException("empty spec string");
    ZoneId zone = null;
    if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
      int sp = s.indexOf(' ');
      if (sp < 0) throw new IllegalArgumentException("missing spec");
      String id = s.substring(s.indexOf('=') + 1, sp);
      try {
        zone = ZoneId.of(id);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("provided bad location " + id + ": unknown time zone " + id);
      }
      s = s.substring(sp).strip();
    }
    if (s.startsWith("@")) {
      String expanded = DESCRIPTORS.get(s.toLowerCase(Locale.ROOT));
      if (expanded == null) throw new IllegalArgumentException("unrecognized descriptor: " + s);
      s = expanded;
    }
    String[] fields = s.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("expected exactly 5 fields, found " + fields.length + ": [" + s + "]");
    }
    return new CronSchedule(fields, zone);
  }

  private static BitSet field(String expr, int min, int max, Map<String, Integer> names) {
    BitSet bits = new BitSet(max + 1);
    for (String part : expr.split(",", -1)) {
      String[] rangeAndStep = part.split("/", -1);
      if (rangeAndStep.length > 2) throw new IllegalArgumentException("too many slashes: " + part);
      String[] lowAndHigh = rangeAndStep[0].split("-", -1);
      int start;
      int end;
      boolean star = lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?");
      if (star) {
        if (lowAndHigh.length > 1) throw new IllegalArgumentException("too many hyphens: " + part);
        start = min;
        end = max == 7 ? 6 : max;
      } else {
        start = value(lowAndHigh[0], names);
        if (lowAndHigh.length == 1) end = start;
        else if (lowAndHigh.length == 2) end = value(lowAndHigh[1], names);
        else throw new IllegalArgumentException("too many hyphens: " + part);
      }
      int step = 1;
      if (rangeAndStep.length == 2) {
        step = value(rangeAndStep[1], Map.of());
        if (step <= 0) throw new IllegalArgumentException("step of range should be a positive number: " + part);
        // "5/15" means from 5 to the field's end
        if (!star && lowAndHigh.length == 1) end = max == 7 ? 6 : max;
      }
      if (start < min) throw new IllegalArgumentException("beginning of range (" + start + ") below minimum (" + min + "): " + part);
      if (end > max) throw new IllegalArgumentException("end of range (" + end + ") above maximum (" + max + "): " + part);
      if (start > end) throw new IllegalArgumentException("beginning of range (" + start + ") beyond end of range (" + end + "): " + part);
      for (int v = start; v <= end; v += step) bits.set(v);
    }
    return bits;
  }

  private static int value(String s, Map<String, Integer> names) {
    Integer named = names.get(s.toLowerCase(Locale.ROOT));
    if (named != null) return named;
    if (!s.matches("[0-9]{1,9}")) {
      throw new IllegalArgumentException("failed to parse int from " + s + ": invalid syntax");
    }
    return Integer.parseInt(s);
  }

  /** The schedule's own zone (TZ= prefix), else {@code fallback}. */
  ZoneId zone(ZoneId fallback) {
    return zone != null ? zone : fallback;
  }

  /** The first activation strictly after {@code after} (in the schedule's zone if it names one), or null within 5 years. */
  ZonedDateTime next(ZonedDateTime after) {
    ZonedDateTime t = after.withZoneSameInstant(zone(after.getZone())).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    int limit = t.getYear() + 5;
    while (t.getYear() <= limit) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
        continue;
      }
      if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
        continue;
      }
      if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
        continue;
      }
      return t;
    }
    return null;
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    return dayStar ? dom && dow : dom || dow;
  }
}
