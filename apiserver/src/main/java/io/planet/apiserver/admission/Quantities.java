package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** resource.Quantity strings ("100m", "1Gi", "1e3") as exact numbers and back in canonical form, for limits and quota. */
final class Quantities {
  private static final Pattern QUANTITY = Pattern.compile("^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$");
  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")), Map.entry("m", new BigDecimal("1e-3")),
      Map.entry("k", new BigDecimal("1e3")), Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")), Map.entry("E", new BigDecimal("1e18")),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
      Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)));
  private static final String[] BINARY = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  private static final String[] DECIMAL = {"E", "P", "T", "G", "M", "k"};

  private Quantities() {}

  /** The value; IllegalArgumentException when it is not a quantity. */
  static BigDecimal parse(String s) {
    Matcher m = QUANTITY.matcher(s.trim());
    if (!m.matches()) throw new IllegalArgumentException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    BigDecimal v = new BigDecimal(m.group(1));
    String suffix = m.group(2);
    if (suffix == null) return v;
    if (suffix.startsWith("e") || suffix.startsWith("E")) return v.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
    return v.multiply(SUFFIXES.get(suffix));
  }

  static BigDecimal parse(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return BigDecimal.ZERO;
    if (n.isNumber()) return n.decimalValue();
    return parse(n.asText());
  }

  /** Canonical form, as resource.Quantity prints sums: binary suffixes when exact, else decimal, else milli/micro/nano. */
  static String format(BigDecimal v) {
    if (v.signum() == 0) return "0";
    BigDecimal abs = v.abs();
    String sign = v.signum() < 0 ? "-" : "";
    if (isInteger(abs)) {
      for (String s : BINARY) {
        BigDecimal[] qr = abs.divideAndRemainder(SUFFIXES.get(s));
        if (qr[1].signum() == 0 && qr[0].signum() > 0 && abs.compareTo(BigDecimal.valueOf(1024)) >= 0) {
          return sign + qr[0].toBigInteger() + s;
        }
      }
      for (String s : DECIMAL) {
        BigDecimal[] qr = abs.divideAndRemainder(SUFFIXES.get(s));
        if (qr[1].signum() == 0 && qr[0].signum() > 0) return sign + qr[0].toBigInteger() + s;
      }
      return sign + abs.toBigInteger();
    }
    for (String s : new String[] {"m", "u", "n"}) {
      BigDecimal scaled = abs.divide(SUFFIXES.get(s));
      if (isInteger(scaled)) return sign + scaled.toBigInteger() + s;
    }
    // finer than nano rounds up, as upstream
    return sign + abs.divide(SUFFIXES.get("n")).setScale(0, java.math.RoundingMode.CEILING).toBigInteger() + "n";
  }

  private static boolean isInteger(BigDecimal v) {
    return v.signum() == 0 || v.scale() <= 0 || v.stripTrailingZeros().scale() <= 0;
  }

  static BigInteger milli(BigDecimal v) {
    return v.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).toBigInteger();
  }
}
