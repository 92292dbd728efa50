package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;
import java.util.Map;

/** core/v1 Node: created with status (the kubelet registers itself), taints, podCIDR and providerID rules. */
public final class NodeStrategy implements ResourceStrategy {
  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode status = Trees.obj(obj, "status");
    if (status != null && !status.has("allocatable") && status.has("capacity")) {
      status.set("allocatable", status.get("capacity").deepCopy());
    }
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    // nodes may set status on create
    ObjectNode status = Trees.obj(obj, "status");
    if (status != null) status.remove("config");
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    List<ObjectNode> taints = Trees.items(spec, "taints");
    for (int i = 0; i < taints.size(); i++) {
      ObjectNode t = taints.get(i);
      String p = "spec.taints[" + i + "]";
      String key = Trees.str(t, "key");
      for (String m : Names.qualifiedName(key)) errors.add(Errors.invalid(p + ".key", key, m));
      String value = Trees.str(t, "value");
      for (String m : Names.labelValue(value)) errors.add(Errors.invalid(p + ".value", value, m));
      String effect = Trees.str(t, "effect");
      if (effect.isEmpty()) errors.add(Errors.required(p + ".effect"));
      else if (!PodSpecs.TAINT_EFFECTS.contains(effect)) errors.add(Errors.notSupported(p + ".effect", effect, PodSpecs.TAINT_EFFECTS));
    }
    ArrayNode cidrs = Trees.array(spec, "podCIDRs");
    if (cidrs != null) {
      for (int i = 0; i < cidrs.size(); i++) {
        String c = cidrs.get(i).asText();
        int slash = c.indexOf('/');
        if (slash < 0 || !Names.isIp(c.substring(0, slash)) || !c.substring(slash + 1).matches("[0-9]{1,3}")) {
          errors.add(Errors.invalid("spec.podCIDRs[" + i + "]", c, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
        }
      }
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    JsonNode spec = obj.get("spec");
    JsonNode oldSpec = old.get("spec");
    String oldCidr = Trees.str(oldSpec, "podCIDR");
    if (!oldCidr.isEmpty() && !oldCidr.equals(Trees.str(spec, "podCIDR"))) {
      errors.add(Errors.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
    }
    String oldProvider = Trees.str(oldSpec, "providerID");
    if (!oldProvider.isEmpty() && !oldProvider.equals(Trees.str(spec, "providerID"))) {
      errors.add(Errors.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
    }
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("spec.unschedulable", String.valueOf(Trees.bool(obj.get("spec"), "unschedulable")));
  }
}
