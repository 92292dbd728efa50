package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.selector.LabelSelector;
import io.planet.apiserver.registry.DeleteOptions;
import io.planet.apiserver.registry.ListOptions;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * pods/eviction, as upstream's EvictionREST: a pod covered by a PodDisruptionBudget is deleted only while the budget
 * allows a disruption (which is then spent in the budget's status); otherwise 429 TooManyRequests.
 */
final class Eviction {
  private final Store pods;
  private final Store budgets;

  Eviction(Store pods, Store budgets) {
    this.pods = pods;
    this.budgets = budgets;
  }

  void evict(String namespace, String name, ObjectNode eviction) {
    JsonNode opts = eviction.get("deleteOptions");
    Long grace = opts != null && opts.hasNonNull("gracePeriodSeconds") ? opts.get("gracePeriodSeconds").asLong() : null;
    JsonNode uid = opts == null ? null : Json.at(opts, "preconditions", "uid");
    JsonNode rv = opts == null ? null : Json.at(opts, "preconditions", "resourceVersion");
    DeleteOptions delete = new DeleteOptions(grace, null, null, uid == null ? null : uid.asText(),
        rv == null ? null : rv.asText(), dryRun(opts));
    ObjectNode pod = pods.get(namespace, name);
    String phase = pod.path("status").path("phase").asText("");
    // terminal and already-terminating pods cost no disruption
    if (!phase.equals("Succeeded") && !phase.equals("Failed") && !Meta.isDeleting(pod)) {
      List<ObjectNode> matching = new ArrayList<>();
      for (ObjectNode pdb : budgets.list(namespace, ListOptions.all()).items()) {
        LabelSelector sel = LabelSelector.fromJson(pdb.path("spec").get("selector"));
        if (!sel.isEmpty() && sel.matches(Meta.labels(pod))) matching.add(pdb);
      }
      if (matching.size() > 1) {
        throw new ApiException(500, "InternalError",
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
      }
      if (matching.size() == 1) spend(matching.get(0), name, delete.dryRun());
    }
    pods.delete(namespace, name, delete);
  }

  private static boolean dryRun(JsonNode opts) {
    if (opts == null) return false;
    for (JsonNode d : opts.path("dryRun")) if (d.asText().equals("All")) return true;
    return false;
  }

  /** Takes one allowed disruption from the budget, or refuses with 429 as upstream does. */
  private void spend(ObjectNode pdb, String podName, boolean dryRun) {
    String pdbName = Meta.name(pdb);
    budgets.update(Meta.namespace(pdb), pdbName, "status", new WriteOptions(dryRun, "kube-apiserver", "Ignore", false, ""),
        current -> {
          JsonNode status = current.path("status");
          long generation = current.path("metadata").path("generation").asLong(0);
          if (status.path("observedGeneration").asLong(0) < generation) {
            throw tooManyRequests("The disruption budget " + pdbName + " is still being processed by the server.");
          }
          long allowed = status.path("disruptionsAllowed").asLong(0);
          if (allowed <= 0) {
            throw tooManyRequests("The disruption budget " + pdbName + " needs " + status.path("desiredHealthy").asLong(0)
                + " healthy pods and has " + status.path("currentHealthy").asLong(0) + " currently");
          }
          ObjectNode st = Json.with(current, "status");
          st.put("disruptionsAllowed", allowed - 1);
          Json.with(st, "disruptedPods").put(podName, Meta.now());
          return current;
        });
  }

  private static ApiException tooManyRequests(String cause) {
    ObjectNode details = Json.object();
    ArrayNode causes = details.putArray("causes");
    ObjectNode c = causes.addObject();
    c.put("reason", "DisruptionBudget");
    c.put("message", cause);
    ApiException e = new ApiException(429, "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.", details);
    return e.retryAfter(10);
  }
}
