package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Upstream's LimitRanger over the namespace's LimitRanges (core/v1): new pods' containers get the Container items'
 * {@code default} limits and {@code defaultRequest} requests they lack (recorded in the kubernetes.io/limit-ranger
 * annotation), then min, max and maxLimitRequestRatio are enforced per Container, per Pod and per
 * PersistentVolumeClaim, refusing with 403 and upstream's messages.
 */
final class LimitRanger implements AdmissionPlugin {
  static final String ANNOTATION = "kubernetes.io/limit-ranger";
  private final StoreLookup stores;

  LimitRanger(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.LIMIT_RANGER;
  }

  private boolean applies(AdmissionAttributes a) {
    return a.operation().equals(AdmissionAttributes.CREATE) && (a.isPod() || a.isResource("", "persistentvolumeclaims"));
  }

  private List<JsonNode> items(String namespace, String type) {
    List<JsonNode> out = new ArrayList<>();
    for (ObjectNode lr : Cached.list(stores, "limitranges", namespace)) {
      for (JsonNode item : lr.path("spec").path("limits")) {
        if (item.path("type").asText("").equals(type)) out.add(type.equals("Container") ? withContainerDefaults(item) : item);
      }
    }
    return out;
  }

  /** LimitRange defaulting for Container items: default from max, defaultRequest from default, then from min. */
  static JsonNode withContainerDefaults(JsonNode item) {
    ObjectNode i = ((ObjectNode) item).deepCopy();
    ObjectNode def = Json.with(i, "default");
    ObjectNode defReq = Json.with(i, "defaultRequest");
    i.path("max").fields().forEachRemaining(e -> {
      if (!def.has(e.getKey())) def.set(e.getKey(), e.getValue());
    });
    def.fields().forEachRemaining(e -> {
      if (!defReq.has(e.getKey())) defReq.set(e.getKey(), e.getValue());
    });
    i.path("min").fields().forEachRemaining(e -> {
      if (!defReq.has(e.getKey())) defReq.set(e.getKey(), e.getValue());
    });
    return i;
  }

  // ---- defaults

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!applies(a) || !a.isPod()) return;
    List<JsonNode> containerItems = items(a.namespace(), "Container");
    if (containerItems.isEmpty()) return;
    // the first item naming a resource wins, as upstream's defaultContainerResourceRequirements
    Map<String, JsonNode> defaults = new LinkedHashMap<>();
    Map<String, JsonNode> defaultRequests = new LinkedHashMap<>();
    for (JsonNode item : containerItems) {
      item.path("default").fields().forEachRemaining(e -> defaults.putIfAbsent(e.getKey(), e.getValue()));
      item.path("defaultRequest").fields().forEachRemaining(e -> defaultRequests.putIfAbsent(e.getKey(), e.getValue()));
    }
    List<String> set = new ArrayList<>();
    ObjectNode spec = Json.with(a.object(), "spec");
    for (String field : List.of("containers", "initContainers")) {
      String what = field.equals("containers") ? "container" : "init container";
      for (JsonNode c : spec.path(field)) {
        if (!c.isObject()) continue;
        ObjectNode resources = Json.with((ObjectNode) c, "resources");
        TreeSet<String> req = fill(resources, "requests", defaultRequests);
        TreeSet<String> lim = fill(resources, "limits", defaults);
        String name = c.path("name").asText("");
        if (!req.isEmpty()) set.add(String.join(", ", req) + " request for " + what + " " + name);
        if (!lim.isEmpty()) set.add(String.join(", ", lim) + " limit for " + what + " " + name);
      }
    }
    if (!set.isEmpty()) {
      Json.with(Meta.meta(a.object()), "annotations").put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", set));
    }
  }

  private static TreeSet<String> fill(ObjectNode resources, String field, Map<String, JsonNode> values) {
    TreeSet<String> set = new TreeSet<>();
    if (values.isEmpty()) return set;
    ObjectNode target = Json.with(resources, field);
    values.forEach((k, v) -> {
      if (!target.has(k)) {
        target.set(k, v.deepCopy());
        set.add(k);
      }
    });
    if (target.isEmpty()) resources.remove(field);
    return set;
  }

  // ---- constraints

  @Override
  public void validate(AdmissionAttributes a) {
    if (!applies(a)) return;
    LinkedHashSet<String> errors = new LinkedHashSet<>();
    JsonNode spec = a.object().path("spec");
    if (a.isPod()) {
      for (JsonNode item : items(a.namespace(), "Container")) {
        for (String field : List.of("containers", "initContainers")) {
          for (JsonNode c : spec.path(field)) {
            check("Container", item, quantities(c.path("resources").path("requests")),
                quantities(c.path("resources").path("limits")), errors);
          }
        }
      }
      for (JsonNode item : items(a.namespace(), "Pod")) {
        check("Pod", item, podUsage(spec, "requests"), podUsage(spec, "limits"), errors);
      }
    } else {
      for (JsonNode item : items(a.namespace(), "PersistentVolumeClaim")) {
        check("PersistentVolumeClaim", item, quantities(spec.path("resources").path("requests")),
            quantities(spec.path("resources").path("limits")), errors);
      }
    }
    if (errors.isEmpty()) return;
    throw a.forbidden(errors.size() == 1 ? errors.iterator().next() : "[" + String.join(", ", errors) + "]");
  }

  /** A quantity as written (for messages) and its value. */
  record Amount(String text, BigDecimal value) {}

  private static Map<String, Amount> quantities(JsonNode list) {
    Map<String, Amount> out = new LinkedHashMap<>();
    list.fields().forEachRemaining(e -> out.put(e.getKey(), new Amount(e.getValue().asText(), Quantities.parse(e.getValue()))));
    return out;
  }

  /** The pod's usage: the sum over containers, or the largest init container when that is more. */
  static Map<String, Amount> podUsage(JsonNode spec, String field) {
    Map<String, BigDecimal> sum = new LinkedHashMap<>();
    for (JsonNode c : spec.path("containers")) {
      c.path("resources").path(field).fields().forEachRemaining(e -> sum.merge(e.getKey(), Quantities.parse(e.getValue()), BigDecimal::add));
    }
    for (JsonNode c : spec.path("initContainers")) {
      c.path("resources").path(field).fields().forEachRemaining(e -> {
        BigDecimal v = Quantities.parse(e.getValue());
        if (sum.getOrDefault(e.getKey(), BigDecimal.ZERO).compareTo(v) < 0) sum.put(e.getKey(), v);
      });
    }
    Map<String, Amount> out = new LinkedHashMap<>();
    sum.forEach((k, v) -> out.put(k, new Amount(Quantities.format(v), v)));
    return out;
  }

  private static void check(String limitType, JsonNode item, Map<String, Amount> requests, Map<String, Amount> limits,
      LinkedHashSet<String> errors) {
    for (Iterator<Map.Entry<String, JsonNode>> it = item.path("min").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String err = min(limitType, e.getKey(), e.getValue().asText(), requests.get(e.getKey()), limits.get(e.getKey()));
      if (err != null) errors.add(err);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = item.path("max").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String err = max(limitType, e.getKey(), e.getValue().asText(), requests.get(e.getKey()), limits.get(e.getKey()));
      if (err != null) errors.add(err);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = item.path("maxLimitRequestRatio").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String err = ratio(limitType, e.getKey(), e.getValue().asText(), requests.get(e.getKey()), limits.get(e.getKey()));
      if (err != null) errors.add(err);
    }
  }

  static String min(String type, String resource, String enforced, Amount req, Amount lim) {
    BigDecimal e = Quantities.parse(enforced);
    if (req == null) return "minimum " + resource + " usage per " + type + " is " + enforced + ".  No request is specified";
    if (req.value().compareTo(e) < 0) return "minimum " + resource + " usage per " + type + " is " + enforced + ", but request is " + req.text();
    if (lim != null && lim.value().compareTo(e) < 0) {
      return "minimum " + resource + " usage per " + type + " is " + enforced + ", but limit is " + lim.text();
    }
    return null;
  }

  static String max(String type, String resource, String enforced, Amount req, Amount lim) {
    BigDecimal e = Quantities.parse(enforced);
    if (lim == null) return "maximum " + resource + " usage per " + type + " is " + enforced + ".  No limit is specified";
    if (lim.value().compareTo(e) > 0) return "maximum " + resource + " usage per " + type + " is " + enforced + ", but limit is " + lim.text();
    if (req != null && req.value().compareTo(e) > 0) {
      return "maximum " + resource + " usage per " + type + " is " + enforced + ", but request is " + req.text();
    }
    return null;
  }

  static String ratio(String type, String resource, String enforced, Amount req, Amount lim) {
    if (req == null || req.value().signum() == 0) {
      return resource + " max limit to request ratio per " + type + " is " + enforced + ", but no request is specified or request is 0";
    }
    if (lim == null || lim.value().signum() == 0) {
      return resource + " max limit to request ratio per " + type + " is " + enforced + ", but no limit is specified or limit is 0";
    }
    double observed = lim.value().doubleValue() / req.value().doubleValue();
    if (lim.value().compareTo(req.value().multiply(Quantities.parse(enforced))) > 0) {
      return resource + " max limit to request ratio per " + type + " is " + enforced + ", but provided ratio is "
          + String.format(java.util.Locale.ROOT, "%f", observed);
    }
    return null;
  }
}
