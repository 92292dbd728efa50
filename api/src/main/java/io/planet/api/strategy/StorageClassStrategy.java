package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * storage.k8s.io/v1 StorageClass: reclaimPolicy defaults to Delete and volumeBindingMode to Immediate; provisioner
 * required; provisioner, parameters, reclaimPolicy and volumeBindingMode fixed once created.
 */
public final class StorageClassStrategy implements ResourceStrategy {
  static final List<String> RECLAIM_POLICIES = List.of("Delete", "Retain");
  static final List<String> BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");
  static final int MAX_PARAMETERS = 512;
  static final int MAX_PARAMETERS_SIZE = 256 * 1024;

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    Trees.putIfAbsent(obj, "reclaimPolicy", "Delete");
    if (!Trees.has(obj, "volumeBindingMode")) obj.put("volumeBindingMode", "Immediate");
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    String provisioner = Trees.str(obj, "provisioner");
    if (provisioner.isEmpty()) errors.add(Errors.required("provisioner"));
    else for (String m : Names.qualifiedName(provisioner.toLowerCase(Locale.ROOT))) {
      errors.add(Errors.invalid("provisioner", provisioner.toLowerCase(Locale.ROOT), m));
    }
    validateParameters(Trees.obj(obj, "parameters"), "parameters", errors);
    String reclaim = Trees.str(obj, "reclaimPolicy");
    if (!reclaim.isEmpty() && !RECLAIM_POLICIES.contains(reclaim)) {
      errors.add(Errors.notSupported("reclaimPolicy", reclaim, RECLAIM_POLICIES));
    }
    if (!Trees.has(obj, "volumeBindingMode")) {
      errors.add(Errors.required("volumeBindingMode"));
    } else if (!BINDING_MODES.contains(Trees.str(obj, "volumeBindingMode"))) {
      errors.add(Errors.notSupported("volumeBindingMode", Trees.str(obj, "volumeBindingMode"), BINDING_MODES));
    }
    List<ObjectNode> topologies = Trees.items(obj, "allowedTopologies");
    for (int i = 0; i < topologies.size(); i++) {
      List<ObjectNode> exprs = Trees.items(topologies.get(i), "matchLabelExpressions");
      for (int j = 0; j < exprs.size(); j++) {
        String p = "allowedTopologies[" + i + "].matchLabelExpressions[" + j + "]";
        String key = Trees.str(exprs.get(j), "key");
        for (String m : Names.qualifiedName(key)) errors.add(Errors.invalid(p + ".key", key, m));
        if (Trees.isEmpty(exprs.get(j), "values")) errors.add(Errors.required(p + ".values", "must specify as least one value"));
      }
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    if (!Trees.semanticEquals(obj.get("parameters"), old.get("parameters"))) {
      errors.add(Errors.forbidden("parameters", "updates to parameters are forbidden."));
    }
    if (!Trees.str(obj, "provisioner").equals(Trees.str(old, "provisioner"))) {
      errors.add(Errors.forbidden("provisioner", "updates to provisioner are forbidden."));
    }
    if (!Trees.str(obj, "reclaimPolicy").equals(Trees.str(old, "reclaimPolicy"))) {
      errors.add(Errors.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    }
    Errors.immutable(Trees.str(obj, "volumeBindingMode"), Trees.str(old, "volumeBindingMode"), "volumeBindingMode", errors);
  }

  static void validateParameters(JsonNode params, String path, List<FieldError> errors) {
    if (params == null || !params.isObject()) return;
    if (params.size() > MAX_PARAMETERS) {
      errors.add(Errors.tooLong(path, MAX_PARAMETERS));
      return;
    }
    long total = 0;
    for (var e : MetadataValidation.iterable(params)) {
      if (e.getKey().isEmpty()) errors.add(Errors.invalid(path, "", "field can not be empty."));
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
    }
    if (total > MAX_PARAMETERS_SIZE) errors.add(Errors.tooLong(path, MAX_PARAMETERS_SIZE));
  }
}
