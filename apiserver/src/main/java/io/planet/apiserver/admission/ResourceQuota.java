package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
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
    for (ObjectNode q : Cached.list(stores, "resourcequotas", a.namespace())) {
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
        if (!interesting(a, q, delta)) continue;
        requireSpecified(a, q, delta);
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

  /** Compute resources each container must name when a quota limits them (upstream's backward-compatible rule). */
  private static final java.util.Set<String> VALIDATED = java.util.Set.of("requests.cpu", "requests.memory", "limits.cpu",
      "limits.memory", "cpu", "memory");

  /**
   * The resources of {@code quota}'s status.hard this object is counted in. As upstream, a quota the controller has
   * not counted yet (no status.hard) restricts nothing.
   */
  private static TreeSet<String> restricted(AdmissionAttributes a, JsonNode quota, Map<String, BigDecimal> delta) {
    TreeSet<String> out = new TreeSet<>();
    for (String r : names(quota.path("status").path("hard"))) {
      if (delta.containsKey(r) || a.isPod() && VALIDATED.contains(r)) out.add(r);
    }
    return out;
  }

  private static boolean interesting(AdmissionAttributes a, JsonNode quota, Map<String, BigDecimal> delta) {
    return !restricted(a, quota, delta).isEmpty();
  }

  /** Every container must request (or limit) the compute resources the quota restricts. */
  private static void requireSpecified(AdmissionAttributes a, JsonNode quota, Map<String, BigDecimal> delta) {
    if (!a.isPod()) return;
    Map<String, TreeSet<String>> missing = new TreeMap<>();
    for (String r : restricted(a, quota, delta)) {
      if (!VALIDATED.contains(r)) continue;
      String kind = r.startsWith("limits.") ? "limits" : "requests";
      String res = r.contains(".") ? r.substring(r.indexOf('.') + 1) : r;
      for (String f : new String[] {"containers", "initContainers"}) {
        for (JsonNode c : a.object().path("spec").path(f)) {
          if (!c.path("resources").path(kind).has(res)) missing.computeIfAbsent(r, k -> new TreeSet<>()).add(c.path("name").asText(""));
        }
      }
    }
    if (missing.isEmpty()) return;
    List<String> parts = new ArrayList<>();
    missing.forEach((r, names) -> parts.add(r + " for: " + String.join(",", names)));
    throw a.forbidden("failed quota: " + Meta.name((ObjectNode) quota) + ": must specify " + String.join("; ", parts));
  }

  private static void check(AdmissionAttributes a, JsonNode quota, Map<String, BigDecimal> delta) {
    JsonNode hard = quota.path("status").path("hard");
    JsonNode usedNow = quota.path("status").path("used");
    TreeSet<String> tracked = restricted(a, quota, delta);
    for (String r : tracked) {
      if (!usedNow.has(r)) {
        throw a.forbidden("status unknown for quota: " + Meta.name((ObjectNode) quota) + ", resources: " + String.join(",", tracked));
      }
    }
    Map<String, String> requested = new TreeMap<>();
    Map<String, String> used = new TreeMap<>();
    Map<String, String> limited = new TreeMap<>();
    for (String r : tracked) {
      BigDecimal d = delta.getOrDefault(r, BigDecimal.ZERO);
      BigDecimal u = Quantities.parse(usedNow.get(r));
      if (u.add(d).compareTo(Quantities.parse(hard.get(r))) > 0) {
        requested.put(r, Quantities.format(d));
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
