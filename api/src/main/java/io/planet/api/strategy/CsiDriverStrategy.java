package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * storage.k8s.io/v1 CSIDriver: the v1 defaults (attach required, no pod info, Persistent volumes, fsGroup policy
 * ReadWriteOnceWithFSType, no capacity tracking, republish or SELinux mounts); attachRequired and
 * volumeLifecycleModes fixed once created.
 */
public final class CsiDriverStrategy implements ResourceStrategy {
  static final List<String> FS_GROUP_POLICIES = List.of("File", "None", "ReadWriteOnceWithFSType");
  static final List<String> LIFECYCLE_MODES = List.of("Persistent", "Ephemeral");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "attachRequired", true);
    Trees.putIfAbsent(spec, "podInfoOnMount", false);
    Trees.putIfAbsent(spec, "storageCapacity", false);
    Trees.putIfAbsent(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType");
    if (Trees.isEmpty(spec, "volumeLifecycleModes")) spec.putArray("volumeLifecycleModes").add("Persistent");
    Trees.putIfAbsent(spec, "requiresRepublish", false);
    Trees.putIfAbsent(spec, "seLinuxMount", false);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    ObjectNode spec = Trees.obj(obj, "spec");
    // upstream's path really says attachedRequired
    if (!Trees.has(spec, "attachRequired")) errors.add(Errors.required("spec.attachedRequired"));
    for (String f : List.of("podInfoOnMount", "storageCapacity", "seLinuxMount")) {
      if (!Trees.has(spec, f)) errors.add(Errors.required("spec." + f));
    }
    String policy = Trees.str(spec, "fsGroupPolicy");
    if (Trees.has(spec, "fsGroupPolicy") && !FS_GROUP_POLICIES.contains(policy)) {
      errors.add(Errors.notSupported("spec.fsGroupPolicy", policy, FS_GROUP_POLICIES));
    }
    List<ObjectNode> tokens = Trees.items(spec, "tokenRequests");
    Set<String> audiences = new HashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      String p = "spec.tokenRequests[" + i + "]";
      String audience = Trees.str(tokens.get(i), "audience");
      if (!audiences.add(audience)) {
        errors.add(Errors.duplicate(p + ".audience", audience));
        continue;
      }
      if (!Trees.has(tokens.get(i), "expirationSeconds")) continue;
      long seconds = Trees.num(tokens.get(i), "expirationSeconds", 0);
      if (seconds < 600) errors.add(Errors.invalid(p + ".expirationSeconds", seconds, "may not specify a duration less than 10 minutes"));
      if (seconds > (1L << 32)) errors.add(Errors.invalid(p + ".expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds"));
    }
    for (String mode : MetadataValidation.strings(spec == null ? null : spec.get("volumeLifecycleModes"))) {
      if (!LIFECYCLE_MODES.contains(mode)) errors.add(Errors.notSupported("spec.volumeLifecycleModes", mode, LIFECYCLE_MODES));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    ObjectNode spec = Trees.obj(obj, "spec");
    ObjectNode was = Trees.obj(old, "spec");
    Errors.immutableTree(spec == null ? null : spec.get("attachRequired"), was == null ? null : was.get("attachRequired"),
        "spec.attachedRequired", errors);
    if (!Trees.semanticEquals(spec == null ? null : spec.get("volumeLifecycleModes"),
        was == null ? null : was.get("volumeLifecycleModes"))) {
      errors.add(Errors.invalidRendered("spec.volumeLifecycleModes",
          goModes(spec == null ? null : spec.get("volumeLifecycleModes")), Errors.IMMUTABLE));
    }
  }

  private static String goModes(com.fasterxml.jackson.databind.JsonNode modes) {
    String s = Errors.goStringSlice(modes);
    return s.replace("[]string", "[]storage.VolumeLifecycleMode");
  }
}
