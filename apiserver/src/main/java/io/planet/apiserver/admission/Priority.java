package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.apiserver.registry.ListOptions;
import io.planet.apiserver.registry.Store;

/**
 * Upstream's Priority admission plugin for new pods: {@code spec.priorityClassName} resolves to the class's value in
 * {@code spec.priority} (and its preemptionPolicy); a pod naming no class gets the global default class if there is
 * one; a missing class or a hand-set priority that disagrees is refused with 403.
 */
final class Priority implements AdmissionPlugin {
  private final StoreLookup stores;
  /** The global default class as last read, kept a second: like upstream's informer, never a read per pod. */
  private volatile DefaultClass defaultClass;

  private record DefaultClass(JsonNode cls, long readAtNanos) {}

  Priority(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.PRIORITY;
  }

  private Store priorityClasses() {
    return stores.store("scheduling.k8s.io", "v1", "priorityclasses");
  }

  @Override
  public void mutate(AdmissionAttributes a) {
    if (a.isPod() && a.operation().equals(AdmissionAttributes.CREATE)) admit(a.object());
  }

  private JsonNode globalDefault() {
    DefaultClass d = defaultClass;
    if (d != null && System.nanoTime() - d.readAtNanos() < 1_000_000_000L) return d.cls();
    JsonNode found = null;
    for (JsonNode c : priorityClasses().list("", ListOptions.all()).items()) {
      if (c.path("globalDefault").asBoolean(false)) found = c;
    }
    defaultClass = new DefaultClass(found, System.nanoTime());
    return found;
  }

  void admit(ObjectNode pod) {
    ObjectNode spec = pod.has("spec") && pod.get("spec").isObject() ? (ObjectNode) pod.get("spec") : pod.putObject("spec");
    String name = spec.path("priorityClassName").asText("");
    String podName = pod.path("metadata").path("name").asText(pod.path("metadata").path("generateName").asText(""));
    JsonNode cls = null;
    if (name.isEmpty()) {
      cls = globalDefault();
      if (cls == null) {
        // no default class: upstream's DefaultPriorityWhenNoDefaultClassExists
        if (!spec.has("priority") || spec.get("priority").isNull()) spec.put("priority", 0);
        return;
      }
      spec.put("priorityClassName", cls.path("metadata").path("name").asText());
    } else {
      try {
        cls = priorityClasses().get("", name);
      } catch (ApiException e) {
        if (e.code() != 404) throw e;
        throw ApiException.forbidden("", "pods", podName, "no PriorityClass with name " + name + " was found");
      }
    }
    int value = cls.path("value").asInt();
    if (spec.has("priority") && !spec.get("priority").isNull() && spec.get("priority").asInt() != value) {
      throw ApiException.forbidden("", "pods", podName, "the integer value of priority (" + spec.get("priority").asInt()
          + ") must not be provided in pod spec; priority admission controller computed " + value
          + " from the given PriorityClass name");
    }
    spec.put("priority", value);
    if (!spec.has("preemptionPolicy")) spec.put("preemptionPolicy", cls.path("preemptionPolicy").asText("PreemptLowerPriority"));
  }
}
