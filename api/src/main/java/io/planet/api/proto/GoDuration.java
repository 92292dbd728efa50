package io.planet.api.proto;

/** Go's time.Duration.String(), the JSON form of metav1.Duration: "1h2m3.5s", "1m0s", "500ms", "0s". */
final class GoDuration {
  private static final long MICROSECOND = 1_000L;
  private static final long MILLISECOND = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private GoDuration() {}

  static String format(long nanos) {
    if (nanos == 0) return "0s";
    boolean negative = nanos < 0;
    // Long.MIN_VALUE has no positive counterpart; unsigned arithmetic below handles it as Go does.
    long u = negative ? -nanos : nanos;
    StringBuilder out = new StringBuilder();
    if (Long.compareUnsigned(u, SECOND) < 0) {
      if (u < MICROSECOND) {
        out.append(u).append("ns");
      } else if (u < MILLISECOND) {
        out.append(fraction(u, 3)).append("µs");
      } else {
        out.append(fraction(u, 6)).append("ms");
      }
    } else {
      long seconds = Long.divideUnsigned(u, SECOND);
      long subSecond = Long.remainderUnsigned(u, SECOND);
      String secs = (seconds % 60) + fractionDigits(subSecond, 9);
      long minutes = seconds / 60;
      if (minutes > 0) {
        long hours = minutes / 60;
        if (hours > 0) out.append(hours).append('h');
        out.append(minutes % 60).append('m');
      }
      out.append(secs).append('s');
    }
    return (negative ? "-" : "") + out;
  }

  /** v / 10^prec with the fractional part trimmed of trailing zeros. */
  private static String fraction(long v, int prec) {
    long scale = (long) Math.pow(10, prec);
    return (v / scale) + fractionDigits(v % scale, prec);
  }

  private static String fractionDigits(long frac, int prec) {
    if (frac == 0) return "";
    String digits = String.format("%0" + prec + "d", frac).replaceAll("0+$", "");
    return "." + digits;
  }
}
