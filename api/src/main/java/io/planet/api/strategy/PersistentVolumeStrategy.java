package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** core/v1 PersistentVolume. */
public final class PersistentVolumeStrategy implements ResourceStrategy {
  static final List<String> RECLAIM = List.of("Delete", "Recycle", "Retain");
  static final List<String> SOURCES = List.of("hostPath", "local", "nfs", "csi", "iscsi", "fc", "rbd", "cephfs",
      "glusterfs", "gcePersistentDisk", "awsElasticBlockStore", "azureDisk", "azureFile", "cinder", "flexVolume",
      "flocker", "vsphereVolume", "quobyte", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "persistentVolumeReclaimPolicy", "Retain");
    Trees.putIfAbsent(spec, "volumeMode", "Filesystem");
    ObjectNode hostPath = Trees.obj(spec, "hostPath");
    if (hostPath != null && !hostPath.has("type")) hostPath.put("type", "");
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.putObject("status").put("phase", "Pending");
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    ArrayNode modes = Trees.array(spec, "accessModes");
    if (modes == null || modes.isEmpty()) errors.add(Errors.required("spec.accessModes"));
    else for (JsonNode m : modes) {
      if (!PersistentVolumeClaimStrategy.ACCESS_MODES.contains(m.asText())) {
        errors.add(Errors.notSupported("spec.accessModes", m.asText(), PersistentVolumeClaimStrategy.ACCESS_MODES));
      }
    }
    if (Trees.isEmpty(spec, "capacity")) errors.add(Errors.required("spec.capacity"));
    else if (!Trees.has(spec.get("capacity"), "storage")) errors.add(Errors.required("spec.capacity[storage]"));
    String reclaim = Trees.str(spec, "persistentVolumeReclaimPolicy");
    if (!reclaim.isEmpty() && !RECLAIM.contains(reclaim)) {
      errors.add(Errors.notSupported("spec.persistentVolumeReclaimPolicy", reclaim, RECLAIM));
    }
    int sources = 0;
    for (String s : SOURCES) if (Trees.has(spec, s)) sources++;
    if (sources == 0) errors.add(Errors.required("spec", "must specify a volume type"));
    else if (sources > 1) errors.add(Errors.forbidden("spec", "may not specify more than 1 volume type"));
    String mode = Trees.str(spec, "volumeMode");
    if (!mode.isEmpty() && !PersistentVolumeClaimStrategy.VOLUME_MODES.contains(mode)) {
      errors.add(Errors.notSupported("spec.volumeMode", mode, PersistentVolumeClaimStrategy.VOLUME_MODES));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    JsonNode spec = obj.get("spec");
    JsonNode oldSpec = old.get("spec");
    for (String s : SOURCES) {
      if (Trees.has(oldSpec, s)) Errors.immutableTree(spec == null ? null : spec.get(s), oldSpec.get(s), "spec.persistentvolumesource", errors);
    }
    Errors.immutable(Trees.str(spec, "volumeMode"), Trees.str(oldSpec, "volumeMode"), "spec.volumeMode", errors);
  }
}
