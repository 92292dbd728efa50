package io.planet.apiserver.aggregator;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes version order (upstream's version.CompareKubeAwareVersionStrings): GA, then beta, then alpha, newest first. */
final class VersionPriority {
  private VersionPriority() {}

  private static final Pattern KUBE_VERSION = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");

  static final Comparator<String> ORDER = (a, b) -> {
    long[] ka = key(a);
    long[] kb = key(b);
    for (int i = 0; i < 3; i++) if (ka[i] != kb[i]) return Long.compare(kb[i], ka[i]);
    return a.compareTo(b);
  };

  private static long[] key(String v) {
    Matcher m = KUBE_VERSION.matcher(v);
    if (!m.matches()) return new long[] {-1, 0, 0};
    long stage = m.group(2) == null ? 3 : m.group(2).equals("beta") ? 2 : 1;
    return new long[] {stage, Long.parseLong(m.group(1)), m.group(3) == null ? 0 : Long.parseLong(m.group(3))};
  }
}
