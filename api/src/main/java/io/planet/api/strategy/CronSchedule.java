package io.planet.api.strategy;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a cron schedule the way upstream's parser (robfig/cron v3 ParseStandard) does: five fields or a
 * descriptor (@hourly, @every 5m, ...). Returns the parser's error text, or null when valid.
 */
final class CronSchedule {
  private CronSchedule() {}

  private record Bounds(int min, int max, Map<String, Integer> names) {}

  private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
      Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
      Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
  private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4,
      "fri", 5, "sat", 6);
  private static final List<Bounds> FIELDS = List.of(new Bounds(0, 59, Map.of()), new Bounds(0, 23, Map.of()),
      new Bounds(1, 31, Map.of()), new Bounds(1, 12, MONTHS), new Bounds(0, 6, DAYS));
  private static final List<String> DESCRIPTORS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
      "@midnight", "@hourly");

  static String check(String spec) {
    String s = spec.strip();
    if (s.isEmpty()) return "empty spec string";
    if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
      int sp = s.indexOf(' ');
      if (sp < 0) return "missing spec";
      s = s.substring(sp).strip();
    }
    if (s.startsWith("@")) {
      if (DESCRIPTORS.contains(s)) return null;
      if (s.startsWith("@every ")) {
        return isDuration(s.substring(7).strip()) ? null
            : "failed to parse duration " + s + ": time: invalid duration " + Errors.quote(s.substring(7).strip());
      }
      return "unrecognized descriptor: " + s;
    }
    String[] fields = s.split("\\s+");
    if (fields.length != 5) {
      return "expected exactly 5 fields, found " + fields.length + ": [" + String.join(" ", fields) + "]";
    }
    for (int i = 0; i < 5; i++) {
      for (String part : fields[i].split(",", -1)) {
        String err = checkRange(part, FIELDS.get(i));
        if (err != null) return err;
      }
    }
    return null;
  }

  private static String checkRange(String expr, Bounds b) {
    String[] rangeAndStep = expr.split("/", -1);
    String[] lowAndHigh = rangeAndStep[0].split("-", -1);
    boolean singleDigit = lowAndHigh.length == 1;
    int start;
    int end;
    if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
      start = b.min;
      end = b.max;
    } else {
      Integer v = value(lowAndHigh[0], b);
      if (v == null) return "failed to parse int from " + lowAndHigh[0] + ": strconv.Atoi: parsing " + Errors.quote(lowAndHigh[0]) + ": invalid syntax";
      start = v;
      if (lowAndHigh.length == 1) end = start;
      else if (lowAndHigh.length == 2) {
        Integer e = value(lowAndHigh[1], b);
        if (e == null) return "failed to parse int from " + lowAndHigh[1] + ": strconv.Atoi: parsing " + Errors.quote(lowAndHigh[1]) + ": invalid syntax";
        end = e;
      } else return "too many hyphens: " + expr;
    }
    if (rangeAndStep.length == 2) {
      Integer step = value(rangeAndStep[1], new Bounds(0, 0, Map.of()));
      if (step == null) return "failed to parse int from " + rangeAndStep[1] + ": strconv.Atoi: parsing " + Errors.quote(rangeAndStep[1]) + ": invalid syntax";
      if (singleDigit && !lowAndHigh[0].equals("*") && !lowAndHigh[0].equals("?")) end = b.max;
      if (step <= 0) return "step of range should be a positive number: " + expr;
    } else if (rangeAndStep.length > 2) {
      return "too many slashes: " + expr;
    }
    if (start < b.min) return "beginning of range (" + start + ") below minimum (" + b.min + "): " + expr;
    if (end > b.max) return "end of range (" + end + ") above maximum (" + b.max + "): " + expr;
    if (start > end) return "beginning of range (" + start + ") beyond end of range (" + end + "): " + expr;
    return null;
  }

  private static Integer value(String s, Bounds b) {
    Integer named = b.names.get(s.toLowerCase(Locale.ROOT));
    if (named != null) return named;
    if (!s.matches("[0-9]+")) return null;
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isDuration(String s) {
    return s.matches("([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+");
  }
}
