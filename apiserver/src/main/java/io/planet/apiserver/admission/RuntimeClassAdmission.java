package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Upstream's RuntimeClass admission plugin for new pods: {@code spec.runtimeClassName} must name a RuntimeClass; the
 * class's overhead becomes {@code spec.overhead} (a pod bringing another overhead is refused), its
 * scheduling.nodeSelector is merged into the pod's (a conflicting value is refused) and its tolerations are merged in.
 */
final class RuntimeClassAdmission implements AdmissionPlugin {
  private final StoreLookup stores;

  RuntimeClassAdmission(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.RUNTIME_CLASS;
  }

  private boolean applies(AdmissionAttributes a) {
    return a.isPod() && a.operation().equals(AdmissionAttributes.CREATE);
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (!applies(a)) return;
    ObjectNode spec = spec(a.object());
    JsonNode cls = runtimeClass(a, spec);
    if (cls == null) return;
    JsonNode podFixed = cls.path("overhead").get("podFixed");
    if (podFixed != null && podFixed.isObject()) {
      if (spec.hasNonNull("overhead") && !sameResources(podFixed, spec.get("overhead"))) {
        throw a.forbidden("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
      }
      spec.set("overhead", podFixed.deepCopy());
    }
    JsonNode scheduling = cls.get("scheduling");
    if (scheduling != null && scheduling.isObject()) schedule(a, spec, scheduling);
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (!applies(a)) return;
    ObjectNode spec = spec(a.object());
    JsonNode cls = runtimeClass(a, spec);
    JsonNode podFixed = cls == null ? null : cls.path("overhead").get("podFixed");
    if (podFixed != null && podFixed.isObject()) {
      if (!sameResources(podFixed, spec.get("overhead"))) {
        throw a.forbidden("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
      }
    } else if (spec.hasNonNull("overhead")) {
      throw a.forbidden("pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead");
    }
  }

  private static ObjectNode spec(ObjectNode pod) {
    return pod.get("spec") instanceof ObjectNode s ? s : pod.putObject("spec");
  }

  /** The pod's class, null when it names none; a class that does not exist is a 403. */
  private JsonNode runtimeClass(AdmissionAttributes a, ObjectNode spec) {
    if (!spec.hasNonNull("runtimeClassName")) return null;
    String name = spec.get("runtimeClassName").asText();
    try {
      return stores.store("node.k8s.io", "v1", "runtimeclasses").get("", name);
    } catch (ApiException e) {
      if (e.code() != 404) throw e;
      throw a.forbidden("pod rejected: RuntimeClass \"" + name + "\" not found");
    }
  }

  private static void schedule(AdmissionAttributes a, ObjectNode spec, JsonNode scheduling) {
    JsonNode classSelector = scheduling.get("nodeSelector");
    if (classSelector != null && classSelector.isObject()) {
      if (!(spec.get("nodeSelector") instanceof ObjectNode podSelector)) {
        spec.set("nodeSelector", classSelector.deepCopy());
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = classSelector.fields(); it.hasNext();) {
          Map.Entry<String, JsonNode> e = it.next();
          String key = e.getKey();
          String value = e.getValue().asText();
          if (podSelector.has(key) && !podSelector.get(key).asText().equals(value)) {
            throw a.forbidden("conflict: runtimeClass.scheduling.nodeSelector[" + key + "] = " + value
                + "; pod.spec.nodeSelector[" + key + "] = " + podSelector.get(key).asText());
          }
          podSelector.put(key, value);
        }
      }
    }
    JsonNode classTolerations = scheduling.get("tolerations");
    List<JsonNode> all = new ArrayList<>();
    if (spec.get("tolerations") instanceof ArrayNode own) own.forEach(all::add);
    if (classTolerations != null && classTolerations.isArray()) classTolerations.forEach(all::add);
    if (all.isEmpty()) return;
    ArrayNode merged = Json.array();
    for (JsonNode t : Tolerations.merge(all)) merged.add(t.deepCopy());
    spec.set("tolerations", merged);
  }

  /** Semantic equality of two resource lists: the same names with equal quantities. */
  static boolean sameResources(JsonNode a, JsonNode b) {
    int sizeA = a == null || !a.isObject() ? 0 : a.size();
    int sizeB = b == null || !b.isObject() ? 0 : b.size();
    if (sizeA != sizeB) return false;
    // upstream's semantic equality holds nil and empty lists equal
    if (sizeA == 0) return true;
    for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      BigDecimal x = Quantities.parse(e.getValue());
      BigDecimal y = Quantities.parse(b.get(e.getKey()));
      if (x == null || y == null || x.compareTo(y) != 0) return false;
    }
    return true;
  }
}
