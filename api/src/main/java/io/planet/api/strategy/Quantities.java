package io.planet.api.strategy;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses resource.Quantity strings ("100m", "1Gi", "1e3") to exact numbers, for comparisons (QoS, limits). */
final class Quantities {
  private Quantities() {}

  private static final Pattern QUANTITY =
      Pattern.compile("^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");
  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("Ki", BigDecimal.valueOf(1024L)),
      Map.entry("Mi", BigDecimal.valueOf(1024L * 1024)),
      Map.entry("Gi", BigDecimal.valueOf(1024L * 1024 * 1024)),
      Map.entry("Ti", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024)),
      Map.entry("Pi", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024 * 1024)),
      Map.entry("Ei", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024 * 1024 * 1024)),
      Map.entry("n", new BigDecimal("1e-9")),
      Map.entry("u", new BigDecimal("1e-6")),
      Map.entry("m", new BigDecimal("1e-3")),
      Map.entry("k", new BigDecimal("1e3")),
      Map.entry("M", new BigDecimal("1e6")),
      Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")),
      Map.entry("P", new BigDecimal("1e15")),
      Map.entry("E", new BigDecimal("1e18")));

  /** The value, or null when not a quantity. */
  static BigDecimal parse(String s) {
    if (s == null) return null;
    Matcher m = QUANTITY.matcher(s.trim());
    if (!m.matches()) return null;
    BigDecimal base;
    try {
      base = new BigDecimal(m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String suffix = m.group(2);
    if (suffix == null) return base;
    if (suffix.startsWith("e") || suffix.startsWith("E")) return base.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
    return base.multiply(SUFFIXES.get(suffix));
  }

  static BigDecimal parse(com.fasterxml.jackson.databind.JsonNode n) {
    if (n == null || n.isNull()) return null;
    if (n.isNumber()) return n.decimalValue();
    return parse(n.asText());
  }
}
