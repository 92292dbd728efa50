package io.planet.api.table;

import java.time.Duration;

/** Upstream's {@code k8s.io/apimachinery/pkg/util/duration}: ages as {@code kubectl get} shows them. */
public final class Durations {
  private Durations() {}

  /**
   * A succinct duration with ~2-3 significant figures: "45s", "119s", "5m10s", "10m", "3h5m", "10h", "2d3h",
   * "10d", "2y30d", "8y". Up to one second in the future counts as "0s" (clock skew); further is "&lt;invalid&gt;".
   */
  public static String humanDuration(Duration d) {
    // Go truncates toward zero when converting to whole seconds
    long seconds = d.toMillis() / 1000;
    if (seconds < -1) return "<invalid>";
    if (seconds < 0) return "0s";
    if (seconds < 60 * 2) return seconds + "s";
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 60 * 3) return minutes + "m";
    long hours = seconds / 3600;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) return hours + "h";
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) return (hours / 24) + "d";
    if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + dy + "d";
    }
    return (hours / 24 / 365) + "y";
  }
}
