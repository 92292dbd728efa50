package io.planet.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations on the command line: "5m", "90s", "1h30m", "0". */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  static Duration parse(String s) {
    if (s.equals("0")) return Duration.ZERO;
    Matcher m = PART.matcher(s);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) throw new IllegalArgumentException("invalid duration \"" + s + "\"");
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    if (end != s.length() || end == 0) throw new IllegalArgumentException("invalid duration \"" + s + "\" (use e.g. 5m, 90s, 1h)");
    return d;
  }
}
