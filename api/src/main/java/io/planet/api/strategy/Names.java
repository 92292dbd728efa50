package io.planet.api.strategy;

import io.planet.api.selector.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Upstream's name and key checks (k8s.io/apimachinery/pkg/util/validation and api/validation/path), returning the
 * list of messages as upstream does (empty = valid).
 */
final class Names {
  private Names() {}

  /** A name rule: messages for a name, {@code prefix} when checking a generateName (a trailing '-' is fine). */
  @FunctionalInterface
  interface Rule {
    List<String> check(String name, boolean prefix);
  }

  static final Rule DNS1123_SUBDOMAIN = (n, p) -> dns1123Subdomain(p ? maskTrailingDash(n) : n);
  static final Rule DNS1123_LABEL = (n, p) -> dns1123Label(p ? maskTrailingDash(n) : n);
  static final Rule DNS1035_LABEL = (n, p) -> dns1035Label(p ? maskTrailingDash(n) : n);
  static final Rule PATH_SEGMENT = (n, p) -> pathSegment(n, p);

  // compiled once: these run for every label, annotation and name of every write
  private static final Pattern DNS1123_SUBDOMAIN_PATTERN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS1123_LABEL_PATTERN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1035_LABEL_PATTERN = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern QUALIFIED_NAME_PATTERN = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE_PATTERN = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final Pattern PORT_NAME_CHARS = Pattern.compile("[-a-z0-9]+");
  private static final Pattern HAS_LETTER = Pattern.compile(".*[a-z].*");
  private static final String CONFIG_KEY_MESSAGE =
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

  private static String maskTrailingDash(String n) {
    if (n.length() > 1 && n.endsWith("-")) return n.substring(0, n.length() - 2) + "a";
    return n;
  }

  static List<String> dns1123Subdomain(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() > 253) out.add(maxLen(253));
    if (!DNS1123_SUBDOMAIN_PATTERN.matcher(s).matches()) {
      out.add(Validation.DNS1123_SUBDOMAIN_MESSAGE);
    }
    return out;
  }

  static List<String> dns1123Label(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() > 63) out.add(maxLen(63));
    if (!DNS1123_LABEL_PATTERN.matcher(s).matches()) out.add(Validation.DNS1123_LABEL_MESSAGE);
    return out;
  }

  static List<String> dns1035Label(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() > 63) out.add(maxLen(63));
    if (!DNS1035_LABEL_PATTERN.matcher(s).matches()) out.add(Validation.DNS1035_LABEL_MESSAGE);
    return out;
  }

  static List<String> pathSegment(String s, boolean prefix) {
    List<String> out = new ArrayList<>();
    if (!prefix && (s.equals(".") || s.equals(".."))) out.add("may not be '" + s + "'");
    if (s.contains("/")) out.add("may not contain '/'");
    if (s.contains("%")) out.add("may not contain '%'");
    return out;
  }

  static String maxLen(int n) {
    return "must be no more than " + n + " characters";
  }

  /** IsQualifiedName: label and annotation keys, finalizers. */
  static List<String> qualifiedName(String s) {
    List<String> out = new ArrayList<>();
    String[] parts = s.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) out.add("prefix part must be non-empty");
      else for (String m : dns1123Subdomain(prefix)) out.add("prefix part " + m);
    } else {
      out.add("a qualified name " + Validation.QUALIFIED_NAME_MESSAGE.substring("name part ".length())
          + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return out;
    }
    if (name.isEmpty()) out.add("name part must be non-empty");
    else if (name.length() > 63) out.add("name part " + maxLen(63));
    if (!name.isEmpty() && !QUALIFIED_NAME_PATTERN.matcher(name).matches()) {
      out.add(Validation.QUALIFIED_NAME_MESSAGE);
    }
    return out;
  }

  static List<String> labelValue(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() > 63) out.add(maxLen(63));
    if (!LABEL_VALUE_PATTERN.matcher(s).matches()) out.add(Validation.LABEL_VALUE_MESSAGE);
    return out;
  }

  /** IsConfigMapKey: keys of configmaps and secrets. */
  static List<String> configMapKey(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() > 253) out.add(maxLen(253));
    if (!CONFIG_KEY.matcher(s).matches()) out.add(CONFIG_KEY_MESSAGE);
    if (s.equals(".")) out.add("must not be '.'");
    else if (s.equals("..")) out.add("must not be '..'");
    else if (s.startsWith("..")) out.add("must not start with '..'");
    return out;
  }

  /** IsValidPortName (IANA_SVC_NAME). */
  static List<String> portName(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() > 15) out.add(maxLen(15));
    if (!PORT_NAME_CHARS.matcher(s).matches()) out.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (s.contains("--")) out.add("must not contain consecutive hyphens");
    if (!s.isEmpty() && (s.startsWith("-") || s.endsWith("-"))) out.add("must not begin or end with a hyphen");
    if (!HAS_LETTER.matcher(s).matches()) out.add("must contain at least one letter (a-z)");
    return out;
  }

  static List<String> portNumber(long p) {
    return p >= 1 && p <= 65535 ? List.of() : List.of("must be between 1 and 65535, inclusive");
  }

  /** IsValidIP, as the message upstream's validation uses for IP fields. */
  static boolean isIp(String s) {
    if (s.isEmpty()) return false;
    if (s.contains(":")) {
      if (!s.matches("[0-9a-fA-F:.]+")) return false;
      try {
        java.net.InetAddress.getByName(s);
        return true;
      } catch (Exception e) {
        return false;
      }
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) return false;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) return false;
      if (p.length() > 1 && p.startsWith("0")) return false;
      if (Integer.parseInt(p) > 255) return false;
    }
    return true;
  }
}
