package io.planet.api.schema;

import java.net.InetAddress;
import java.net.URI;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The string formats custom resource schemas validate (upstream's supported CRD formats: date-time, date, uuid,
 * ipv4, ipv6, cidr, mac, hostname, email, uri, byte, duration, ...). Other formats are ignored, as upstream strips
 * them. Names are normalized without dashes as go-openapi does ({@code date-time} = {@code datetime}).
 */
final class Formats {
  private Formats() {}

  private static final Pattern UUID = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
  private static final Pattern UUID3 = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
  private static final Pattern UUID4 = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$");
  private static final Pattern UUID5 = Pattern.compile("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$");
  private static final Pattern HOSTNAME = Pattern.compile(
      "^([a-zA-Z0-9\\p{S}\\p{L}]((-?[a-zA-Z0-9\\p{S}\\p{L}]{0,62})?)|([a-zA-Z0-9\\p{S}\\p{L}](([a-zA-Z0-9-\\p{S}\\p{L}]{0,61}[a-zA-Z0-9\\p{S}\\p{L}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$");
  private static final Pattern MAC = Pattern.compile("^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}$");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
  private static final Pattern HEXCOLOR = Pattern.compile("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");
  private static final Pattern RGBCOLOR = Pattern.compile("^rgb\\(\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*\\)$");
  private static final Pattern SSN = Pattern.compile("^\\d{3}[- ]?\\d{2}[- ]?\\d{4}$");
  private static final Pattern BSON = Pattern.compile("^[0-9a-fA-F]{24}$");
  private static final Pattern DURATION = Pattern.compile(
      "^([-+]?(\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$|^\\d+\\s*(ns|us|ms|s|m|h|d|w|"
          + "nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$");
  private static final Pattern QUANTITY = Pattern.compile(
      "^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?\\d+))?$");

  private static final Map<String, Predicate<String>> CHECKS = Map.ofEntries(
      Map.entry("datetime", Formats::dateTime),
      Map.entry("date", Formats::date),
      Map.entry("uuid", s -> UUID.matcher(s).matches()),
      Map.entry("uuid3", s -> UUID3.matcher(s).matches()),
      Map.entry("uuid4", s -> UUID4.matcher(s).matches()),
      Map.entry("uuid5", s -> UUID5.matcher(s).matches()),
      Map.entry("ipv4", Formats::ipv4),
      Map.entry("ipv6", Formats::ipv6),
      Map.entry("cidr", Formats::cidr),
      Map.entry("mac", s -> MAC.matcher(s).matches()),
      Map.entry("hostname", s -> s.length() <= 255 && HOSTNAME.matcher(s).matches()),
      Map.entry("email", s -> EMAIL.matcher(s).matches()),
      Map.entry("uri", Formats::uri),
      Map.entry("byte", Formats::base64),
      Map.entry("password", s -> true),
      Map.entry("duration", s -> DURATION.matcher(s).matches()),
      Map.entry("hexcolor", s -> HEXCOLOR.matcher(s).matches()),
      Map.entry("rgbcolor", s -> RGBCOLOR.matcher(s).matches()),
      Map.entry("ssn", s -> SSN.matcher(s).matches()),
      Map.entry("bsonobjectid", s -> BSON.matcher(s).matches()),
      Map.entry("quantity", s -> QUANTITY.matcher(s).matches()));

  /** Whether {@code value} is of {@code format}; unknown formats accept everything. */
  static boolean valid(String format, String value) {
    Predicate<String> check = CHECKS.get(format.replace("-", ""));
    return check == null || check.test(value);
  }

  private static boolean dateTime(String s) {
    try {
      OffsetDateTime.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean date(String s) {
    try {
      LocalDate.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean ipv4(String s) {
    if (!s.matches("^\\d{1,3}(\\.\\d{1,3}){3}$")) return false;
    for (String p : s.split("\\.")) if (Integer.parseInt(p) > 255) return false;
    return true;
  }

  private static boolean ipv6(String s) {
    if (!s.contains(":") || !s.matches("^[0-9a-fA-F:.]+$")) return false;
    try {
      InetAddress.getByName(s);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean cidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) return false;
    String ip = s.substring(0, slash);
    String bits = s.substring(slash + 1);
    if (!bits.matches("^\\d{1,3}$")) return false;
    int n = Integer.parseInt(bits);
    return ipv4(ip) && n <= 32 || ipv6(ip) && n <= 128;
  }

  private static boolean uri(String s) {
    try {
      URI u = new URI(s);
      return u.isAbsolute() || s.startsWith("/");
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean base64(String s) {
    try {
      Base64.getDecoder().decode(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
