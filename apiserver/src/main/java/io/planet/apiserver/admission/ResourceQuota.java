package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.apiserver.registry.ListOptions;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Upstream's ResourceQuota admission, last in the chain: a create (or an update that grows usage) is checked against
 * every matching quota of the namespace and refused with 403 {@code exceeded quota: ...} when it would pass
 * status.hard; otherwise the quotas' status.used is charged at once with a compare-and-swap on each ResourceQuota, so
 * concurrent creates cannot both take the last unit. The resourcequota controller recomputes usage from the objects.
 */
final class ResourceQuota implements AdmissionPlugin {
  private final StoreLookup stores;

  ResourceQuota(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.RESOURCE_QUOTA;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!a.subresource().isEmpty() || !a.type().namespaced() || a.namespace().isEmpty()) return;
    boolean create = a.operation().equals(AdmissionAttributes.CREATE);
    if (!create && !a.operation().equals(AdmissionAttributes.UPDATE)) return;
    // pods are charged once, on create, as upstream (their resources do not change)
    if (!create && a.type().group().isEmpty() && a.type().plural().equals("pods")) return;
    Store quotas = stores.store("", "v1", "resourcequotas");
    List<ObjectNode> matching = new ArrayList<>();
    for (ObjectNode q : quotas.list(a.namespace(), ListOptions.all()).items()) {
      if (QuotaUsage.matchesScopes(q, a.type(), a.object())) matching.add(q);
    }
    if (matching.isEmpty()) return;
    Map<String, BigDecimal> delta = QuotaUsage.of(a.type(), a.object());
    if (!create) {
      QuotaUsage.of(a.type(), a.oldObject()).forEach((k, v) -> delta.merge(k, v.negate(), BigDecimal::add));
      delta.values().removeIf(v -> v.signum() <= 0);
    }
    if (delta.isEmpty()) return;
    List<String> charged = new ArrayList<>();
    try {
      for (ObjectNode q : matching) {
        if (!interesting(q, delta)) continue;
        requireSpecified(a, q);
        if (a.dryRun()) {
          check(a, q, delta);
          continue;
        }
        String name = Meta.name(q);
        quotas.update(a.namespace(), name, "status", WriteOptions.DEFAULT, current -> {
          check(a, current, delta);
          ObjectNode used = Json.with(Json.with(current, "status"), "used");
          for (String r : names(current.path("status").path("hard"))) {
            BigDecimal d = delta.get(r);
            if (d != null) used.put(r, Quantities.format(Quantities.parse(used.get(r)).add(d)));
          }
          return current;
        });
        charged.add(name);
      }
    } catch (RuntimeException e) {
      refund(a.namespace(), charged, delta);
      throw e;
    }
  }

  private static boolean interesting(JsonNode quota, Map<String, BigDecimal> delta) {
    for (String r : names(quota.path("spec").path("hard"))) if (delta.containsKey(r)) return true;
    return false;
  }

  /** Compute resources a quota limits must be given by every container, as upstream. */
  private static void requireSpecified(AdmissionAttributes a, JsonNode quota) {
    if (!a.isPod()) return;
    TreeSet<String> missing = new TreeSet<>();
    for (String r : names(quota.path("spec").path("hard"))) {
      String kind;
      String res;
      if (r.startsWith("requests.") || r.startsWith("limits.")) {
        kind = r.substring(0, r.indexOf('.'));
        res = r.substring(r.indexOf('.') + 1);
      } else if (r.equals("cpu") || r.equals("memory")) {
        kind = "requests";
        res = r;
      } else {
        continue;
      }
      if (!res.equals("cpu") && !res.equals("memory") && !res.equals("ephemeral-storage")) continue;
      for (String f : new String[] {"containers", "initContainers"}) {
        for (JsonNode c : a.object().path("spec").path(f)) {
          if (!c.path("resources").path(kind).has(res)) missing.add(r);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw a.forbidden("failed quota: " + Meta.name((ObjectNode) quota) + ": must specify " + String.join(",", missing));
    }
  }

  private static void check(AdmissionAttributes a, JsonNode quota, Map<String, BigDecimal> delta) {
    JsonNode hard = quota.path("status").path("hard");
    TreeSet<String> tracked = new TreeSet<>();
    for (String r : names(quota.path("spec").path("hard"))) if (delta.containsKey(r)) tracked.add(r);
    if (hard.isEmpty() || !names(hard).containsAll(tracked)) {
      throw a.forbidden("status unknown for quota: " + Meta.name((ObjectNode) quota) + ", resources: " + String.join(",", tracked));
    }
    Map<String, String> requested = new TreeMap<>();
    Map<String, String> used = new TreeMap<>();
    Map<String, String> limited = new TreeMap<>();
    for (String r : tracked) {
      BigDecimal u = Quantities.parse(quota.path("status").path("used").get(r));
      BigDecimal h = Quantities.parse(hard.get(r));
      if (u.add(delta.get(r)).compareTo(h) > 0) {
        requested.put(r, Quantities.format(delta.get(r)));
        used.put(r, Quantities.format(u));
        limited.put(r, hard.get(r).asText());
      }
    }
    if (requested.isEmpty()) return;
    throw a.forbidden("exceeded quota: " + Meta.name((ObjectNode) quota) + ", requested: " + list(requested) + ", used: "
        + list(used) + ", limited: " + list(limited));
  }

  private static String list(Map<String, String> m) {
    List<String> parts = new ArrayList<>();
    m.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  private void refund(String namespace, List<String> charged, Map<String, BigDecimal> delta) {
    Store quotas = stores.store("", "v1", "resourcequotas");
    for (String name : charged) {
      try {
        quotas.update(namespace, name, "status", WriteOptions.DEFAULT, current -> {
          ObjectNode used = Json.with(Json.with(current, "status"), "used");
          delta.forEach((r, d) -> {
            if (used.has(r)) used.put(r, Quantities.format(Quantities.parse(used.get(r)).subtract(d).max(BigDecimal.ZERO)));
          });
          return current;
        });
      } catch (ApiException e) {
        // the controller's next recount corrects it
      }
    }
  }

  private static TreeSet<String> names(JsonNode list) {
    TreeSet<String> out = new TreeSet<>();
    list.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
