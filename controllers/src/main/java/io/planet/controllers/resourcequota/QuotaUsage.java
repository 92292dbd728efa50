package io.planet.controllers.resourcequota;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one object counts against a ResourceQuota, as upstream's quota evaluators (the API server's ResourceQuota
 * admission counts the same way): object counts, pod compute requests and limits, service load balancers and node
 * ports, claim storage. Objects are read as JSON trees so every kind goes through one path.
 */
final class QuotaUsage {
  private static final Pattern QUANTITY = Pattern.compile("^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$");
  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")), Map.entry("m", new BigDecimal("1e-3")),
      Map.entry("k", new BigDecimal("1e3")), Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")), Map.entry("E", new BigDecimal("1e18")),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
      Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

  private QuotaUsage() {}

  /** Usage of one object of {@code group}/{@code plural}. */
  static Map<String, BigDecimal> of(String group, String plural, JsonNode obj) {
    Map<String, BigDecimal> u = new TreeMap<>();
    String count = group.isEmpty() ? "count/" + plural : "count/" + plural + "." + group;
    switch (group.isEmpty() ? plural : "") {
      case "pods" -> {
        String phase = obj.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) return u;
        u.put("pods", BigDecimal.ONE);
        u.put(count, BigDecimal.ONE);
        podUsage(obj.path("spec"), "requests").forEach((k, v) -> {
          if (k.equals("cpu") || k.equals("memory")) u.put(k, v);
          u.put("requests." + k, v);
        });
        podUsage(obj.path("spec"), "limits").forEach((k, v) -> u.put("limits." + k, v));
      }
      case "services" -> {
        u.put("services", BigDecimal.ONE);
        u.put(count, BigDecimal.ONE);
        String t = obj.path("spec").path("type").asText("ClusterIP");
        if (t.equals("LoadBalancer")) u.put("services.loadbalancers", BigDecimal.ONE);
        if (t.equals("LoadBalancer") || t.equals("NodePort")) {
          u.put("services.nodeports", BigDecimal.valueOf(obj.path("spec").path("ports").size()));
        }
      }
      case "persistentvolumeclaims" -> {
        u.put("persistentvolumeclaims", BigDecimal.ONE);
        u.put(count, BigDecimal.ONE);
        BigDecimal storage = parse(obj.path("spec").path("resources").path("requests").get("storage"));
        u.put("requests.storage", storage);
        String sc = obj.path("spec").path("storageClassName").asText("");
        if (!sc.isEmpty()) {
          u.put(sc + ".storageclass.storage.k8s.io/requests.storage", storage);
          u.put(sc + ".storageclass.storage.k8s.io/persistentvolumeclaims", BigDecimal.ONE);
        }
      }
      case "configmaps", "secrets", "replicationcontrollers", "resourcequotas" -> {
        u.put(plural, BigDecimal.ONE);
        u.put(count, BigDecimal.ONE);
      }
      default -> u.put(count, BigDecimal.ONE);
    }
    return u;
  }

  /** The sum over containers, or the largest init container when that is more. */
  static Map<String, BigDecimal> podUsage(JsonNode spec, String field) {
    Map<String, BigDecimal> sum = new TreeMap<>();
    for (JsonNode c : spec.path("containers")) {
      c.path("resources").path(field).fields().forEachRemaining(e -> sum.merge(e.getKey(), parse(e.getValue()), BigDecimal::add));
    }
    for (JsonNode c : spec.path("initContainers")) {
      c.path("resources").path(field).fields().forEachRemaining(e -> {
        BigDecimal v = parse(e.getValue());
        if (sum.getOrDefault(e.getKey(), BigDecimal.ZERO).compareTo(v) < 0) sum.put(e.getKey(), v);
      });
    }
    return sum;
  }

  /** Whether a pod falls in a quota's scopes (Terminating, NotTerminating, BestEffort, NotBestEffort). */
  static boolean matchesScopes(JsonNode quota, String group, String plural, JsonNode obj) {
    JsonNode scopes = quota.path("spec").path("scopes");
    JsonNode selector = quota.path("spec").path("scopeSelector").path("matchExpressions");
    if (scopes.isEmpty() && selector.isEmpty()) return true;
    if (!(group.isEmpty() && plural.equals("pods"))) return false;
    JsonNode spec = obj.path("spec");
    for (JsonNode s : scopes) if (!matches(s.asText(), spec)) return false;
    for (JsonNode e : selector) {
      String op = e.path("operator").asText("");
      boolean m = matches(e.path("scopeName").asText(), spec);
      if (op.equals("Exists") && !m || op.equals("DoesNotExist") && m) return false;
    }
    return true;
  }

  private static boolean matches(String scope, JsonNode spec) {
    boolean terminating = spec.has("activeDeadlineSeconds") && spec.path("activeDeadlineSeconds").asLong(-1) >= 0;
    return switch (scope) {
      case "Terminating" -> terminating;
      case "NotTerminating" -> !terminating;
      case "BestEffort" -> bestEffort(spec);
      case "NotBestEffort" -> !bestEffort(spec);
      default -> true;
    };
  }

  private static boolean bestEffort(JsonNode spec) {
    for (String f : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : spec.path(f)) {
        for (String kind : new String[] {"requests", "limits"}) {
          JsonNode r = c.path("resources").path(kind);
          if (r.has("cpu") || r.has("memory")) return false;
        }
      }
    }
    return true;
  }

  static BigDecimal parse(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return BigDecimal.ZERO;
    if (n.isNumber()) return n.decimalValue();
    Matcher m = QUANTITY.matcher(n.asText().trim());
    if (!m.matches()) return BigDecimal.ZERO;
    BigDecimal v = new BigDecimal(m.group(1));
    String suffix = m.group(2);
    if (suffix == null) return v;
    if (suffix.startsWith("e") || suffix.startsWith("E")) return v.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
    return v.multiply(SUFFIXES.get(suffix));
  }

  /** Canonical form: binary suffixes when exact, else decimal ones, else milli/micro/nano. */
  static String format(BigDecimal v) {
    if (v.signum() == 0) return "0";
    if (v.stripTrailingZeros().scale() <= 0) {
      if (v.compareTo(BigDecimal.valueOf(1024)) >= 0) {
        for (String s : new String[] {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"}) {
          BigDecimal[] qr = v.divideAndRemainder(SUFFIXES.get(s));
          if (qr[1].signum() == 0 && qr[0].signum() > 0) return qr[0].toBigInteger() + s;
        }
      }
      for (String s : new String[] {"E", "P", "T", "G", "M", "k"}) {
        BigDecimal[] qr = v.divideAndRemainder(SUFFIXES.get(s));
        if (qr[1].signum() == 0 && qr[0].signum() > 0) return qr[0].toBigInteger() + s;
      }
      return v.toBigInteger().toString();
    }
    for (String s : new String[] {"m", "u", "n"}) {
      BigDecimal scaled = v.divide(SUFFIXES.get(s));
      if (scaled.stripTrailingZeros().scale() <= 0) return scaled.toBigInteger() + s;
    }
    return v.divide(SUFFIXES.get("n")).setScale(0, RoundingMode.CEILING).toBigInteger() + "n";
  }
}
