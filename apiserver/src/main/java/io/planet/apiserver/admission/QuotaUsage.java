package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ResourceType;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one object counts against a ResourceQuota, as upstream's quota evaluators: object counts
 * ({@code count/<resource>[.<group>]} and the legacy names pods, services, ...), compute requests and limits of pods,
 * service load balancers and node ports, claim storage (also per storage class).
 */
final class QuotaUsage {
  private QuotaUsage() {}

  static Map<String, BigDecimal> of(ResourceType type, JsonNode obj) {
    Map<String, BigDecimal> u = new TreeMap<>();
    if (obj == null) return u;
    String count = type.group().isEmpty() ? "count/" + type.plural() : "count/" + type.plural() + "." + type.group();
    boolean core = type.group().isEmpty();
    switch (core ? type.plural() : "") {
      case "pods" -> {
        String phase = obj.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) return u;
        u.put("pods", BigDecimal.ONE);
        u.put(count, BigDecimal.ONE);
        JsonNode spec = obj.path("spec");
        LimitRanger.podUsage(spec, "requests").forEach((k, v) -> {
          if (k.equals("cpu") || k.equals("memory")) u.put(k, v.value());
          u.put("requests." + k, v.value());
        });
        LimitRanger.podUsage(spec, "limits").forEach((k, v) -> u.put("limits." + k, v.value()));
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
        BigDecimal storage = Quantities.parse(obj.path("spec").path("resources").path("requests").get("storage"));
        u.put("requests.storage", storage);
        String sc = obj.path("spec").path("storageClassName").asText("");
        if (!sc.isEmpty()) {
          u.put(sc + ".storageclass.storage.k8s.io/requests.storage", storage);
          u.put(sc + ".storageclass.storage.k8s.io/persistentvolumeclaims", BigDecimal.ONE);
        }
      }
      case "configmaps", "secrets", "replicationcontrollers", "resourcequotas" -> {
        u.put(type.plural(), BigDecimal.ONE);
        u.put(count, BigDecimal.ONE);
      }
      default -> u.put(count, BigDecimal.ONE);
    }
    return u;
  }

  /** Whether a pod falls in a quota's scopes (Terminating, NotTerminating, BestEffort, NotBestEffort). */
  static boolean matchesScopes(JsonNode quota, ResourceType type, JsonNode obj) {
    JsonNode scopes = quota.path("spec").path("scopes");
    JsonNode selector = quota.path("spec").path("scopeSelector").path("matchExpressions");
    if (scopes.isEmpty() && selector.isEmpty()) return true;
    if (!(type.group().isEmpty() && type.plural().equals("pods"))) return false;
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
}
