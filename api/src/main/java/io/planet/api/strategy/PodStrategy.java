package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pods: pkg/registry/core/pod/strategy.go and ValidatePodCreate/ValidatePodUpdate. */
public final class PodStrategy implements ResourceStrategy {
  static final String UPDATE_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,"
      + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
      + "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

  static final List<String> SELECTABLE = List.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
      "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
      "status.nominatedNodeName");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    PodSpecs.applyDefaults(spec);
    PodSpecs.podOnlyDefaults(spec);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    ObjectNode status = obj.putObject("status");
    status.put("phase", "Pending");
    status.put("qosClass", PodSpecs.qosClass(spec));
    if (!Trees.isEmpty(spec, "schedulingGates")) {
      ObjectNode c = status.putArray("conditions").addObject();
      c.put("type", "PodScheduled");
      c.put("status", "False");
      c.putNull("lastProbeTime");
      c.put("lastTransitionTime", Meta.now());
      c.put("reason", "SchedulingGated");
      c.put("message", "Scheduling is blocked due to non-empty scheduling gates");
    }
    // the Priority admission plugin: no priorityClassName means priority 0
    if (!spec.has("priority") && Trees.str(spec, "priorityClassName").isEmpty()) spec.put("priority", 0);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    ObjectNode spec = Trees.with(obj, "spec");
    JsonNode oldSpec = old.get("spec");
    // server-set fields a client may leave out of a full update
    if (!spec.has("priority") && Trees.has(oldSpec, "priority")) spec.set("priority", oldSpec.get("priority").deepCopy());
  }

  @Override
  public void prepareForStatusUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    // status updates may change status and metadata, never spec, owner references or the deletion timestamp
    ObjectNode meta = Trees.obj(obj, "metadata");
    ObjectNode merged = old.deepCopy();
    ObjectNode newMeta = meta == null ? Trees.with(merged, "metadata").deepCopy() : meta.deepCopy();
    ObjectNode oldMeta = Trees.obj(old, "metadata");
    for (String keep : List.of("ownerReferences", "deletionTimestamp", "deletionGracePeriodSeconds", "uid",
        "creationTimestamp", "name", "namespace", "generation")) {
      if (oldMeta != null && oldMeta.has(keep)) newMeta.set(keep, oldMeta.get(keep).deepCopy());
      else newMeta.remove(keep);
    }
    merged.set("metadata", newMeta);
    ObjectNode status = obj.has("status") && obj.get("status").isObject() ? (ObjectNode) obj.get("status").deepCopy() : Json.object();
    String oldQos = Trees.str(Trees.obj(old, "status"), "qosClass");
    if (Trees.str(status, "qosClass").isEmpty() && !oldQos.isEmpty()) status.put("qosClass", oldQos);
    merged.set("status", status);
    obj.removeAll();
    obj.setAll(merged);
  }

  /**
   * pods/ephemeralcontainers (upstream's podEphemeralContainersStrategy): the stored pod with only
   * spec.ephemeralContainers taken from the request (defaulted as on any write); anything else is the status
   * subresource's rule.
   */
  @Override
  public void prepareForSubresourceUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old) {
    if (!subresource.equals(EPHEMERAL_CONTAINERS)) {
      prepareForStatusUpdate(type, obj, old);
      return;
    }
    ObjectNode spec = Trees.obj(obj, "spec") == null ? Json.object() : Trees.obj(obj, "spec").deepCopy();
    PodSpecs.applyDefaults(spec);
    ObjectNode merged = old.deepCopy();
    ObjectNode mergedSpec = Trees.with(merged, "spec");
    if (spec.has("ephemeralContainers")) mergedSpec.set("ephemeralContainers", spec.get("ephemeralContainers"));
    else mergedSpec.remove("ephemeralContainers");
    String rv = Meta.resourceVersion(obj);
    obj.removeAll();
    obj.setAll(merged);
    if (!rv.isEmpty()) Meta.meta(obj).put("resourceVersion", rv);
  }

  static final String EPHEMERAL_CONTAINERS = "ephemeralcontainers";

  @Override
  public void validateUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      List<FieldError> errors) {
    if (!subresource.equals(EPHEMERAL_CONTAINERS)) {
      validateUpdate(type, obj, old, errors);
      return;
    }
    ObjectNode spec = Trees.obj(obj, "spec");
    PodSpecs.validate(spec == null ? Json.object() : spec, "spec", errors);
    EphemeralContainerValidation.validateUpdate(obj, old, errors);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    ObjectNode spec = Trees.obj(obj, "spec");
    PodSpecs.validate(spec == null ? Json.object() : spec, "spec", errors);
    if (!Trees.isEmpty(spec, "ephemeralContainers")) {
      errors.add(Errors.forbidden("spec.ephemeralContainers", "cannot be set on create"));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    ObjectNode spec = Trees.obj(obj, "spec");
    if (spec == null) spec = Json.object();
    PodSpecs.validate(spec, "spec", errors);
    ObjectNode oldSpec = Trees.obj(old, "spec");
    if (oldSpec == null) oldSpec = Json.object();
    if (containersChanged(spec, oldSpec, "containers", errors) || containersChanged(spec, oldSpec, "initContainers", errors)) {
      return;
    }
    if (spec.hasNonNull("activeDeadlineSeconds")) {
      long now = spec.get("activeDeadlineSeconds").asLong();
      if (now < 0 || now > Integer.MAX_VALUE) {
        errors.add(Errors.invalid("spec.activeDeadlineSeconds", now, "must be between 0 and 2147483647, inclusive"));
        return;
      }
      if (oldSpec.hasNonNull("activeDeadlineSeconds") && oldSpec.get("activeDeadlineSeconds").asLong() < now) {
        errors.add(Errors.invalid("spec.activeDeadlineSeconds", now, "must be less than or equal to previous value"));
        return;
      }
    } else if (oldSpec.hasNonNull("activeDeadlineSeconds")) {
      errors.add(Errors.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
    }
    if (!onlyAddedTolerations(Trees.array(spec, "tolerations"), Trees.array(oldSpec, "tolerations"))) {
      errors.add(Errors.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
    }
    if (!Trees.semanticEquals(mungedSpec(spec, oldSpec), oldSpec)) {
      errors.add(Errors.forbidden("spec", UPDATE_FORBIDDEN));
    }
  }

  private static boolean containersChanged(ObjectNode spec, ObjectNode oldSpec, String list, List<FieldError> errors) {
    List<ObjectNode> now = Trees.items(spec, list);
    List<ObjectNode> was = Trees.items(oldSpec, list);
    if (now.size() != was.size()) {
      errors.add(Errors.forbidden("spec." + list, "pod updates may not add or remove containers"));
      return true;
    }
    return false;
  }

  /** The new spec with the fields an update may change set back to the stored values. */
  private static JsonNode mungedSpec(ObjectNode spec, ObjectNode oldSpec) {
    ObjectNode munged = spec.deepCopy();
    for (String list : List.of("containers", "initContainers")) {
      List<ObjectNode> now = Trees.items(munged, list);
      List<ObjectNode> was = Trees.items(oldSpec, list);
      for (int i = 0; i < now.size() && i < was.size(); i++) {
        if (was.get(i).has("image")) now.get(i).set("image", was.get(i).get("image").deepCopy());
        else now.get(i).remove("image");
      }
    }
    for (String f : List.of("activeDeadlineSeconds", "schedulingGates", "tolerations")) {
      if (oldSpec.has(f)) munged.set(f, oldSpec.get(f).deepCopy());
      else munged.remove(f);
    }
    long oldGrace = Trees.num(oldSpec, "terminationGracePeriodSeconds", 0);
    if (oldGrace < 0 && Trees.num(munged, "terminationGracePeriodSeconds", 0) == 1) {
      munged.set("terminationGracePeriodSeconds", oldSpec.get("terminationGracePeriodSeconds").deepCopy());
    }
    // gated pods may gain node selector entries and change node affinity
    if (!Trees.isEmpty(oldSpec, "schedulingGates")) {
      for (String f : List.of("nodeSelector", "affinity")) {
        if (oldSpec.has(f)) munged.set(f, oldSpec.get(f).deepCopy());
        else munged.remove(f);
      }
    }
    return munged;
  }

  private static boolean onlyAddedTolerations(ArrayNode now, ArrayNode was) {
    if (was == null) return true;
    for (JsonNode old : was) {
      boolean found = false;
      if (now != null) {
        for (JsonNode t : now) {
          ObjectNode a = old.deepCopy();
          ObjectNode b = t.deepCopy();
          a.remove("tolerationSeconds");
          b.remove("tolerationSeconds");
          if (Trees.semanticEquals(a, b)) {
            found = true;
            break;
          }
        }
      }
      if (!found) return false;
    }
    return true;
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    JsonNode spec = obj.get("spec");
    JsonNode status = obj.get("status");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("spec.nodeName", Trees.str(spec, "nodeName"));
    f.put("spec.restartPolicy", Trees.str(spec, "restartPolicy"));
    f.put("spec.schedulerName", Trees.str(spec, "schedulerName"));
    f.put("spec.serviceAccountName", Trees.str(spec, "serviceAccountName"));
    f.put("spec.hostNetwork", String.valueOf(Trees.bool(spec, "hostNetwork")));
    f.put("status.phase", Trees.str(status, "phase"));
    List<ObjectNode> ips = Trees.items(status, "podIPs");
    f.put("status.podIP", ips.isEmpty() ? Trees.str(status, "podIP") : Trees.str(ips.get(0), "ip"));
    f.put("status.nominatedNodeName", Trees.str(status, "nominatedNodeName"));
    return f;
  }

  @Override
  public long defaultGracePeriodSeconds(ObjectNode obj) {
    long grace = Trees.num(obj.get("spec"), "terminationGracePeriodSeconds", 30);
    // upstream treats a negative grace period as 1 (the shortest graceful delete)
    return grace < 0 ? 1 : grace;
  }
}
