package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;
import java.util.Locale;

/** storage.k8s.io/v1 VolumeAttachment: attacher, exactly one source and the node name; spec fixed once created. */
public final class VolumeAttachmentStrategy implements ResourceStrategy {

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    ObjectNode spec = Trees.obj(obj, "spec");
    String attacher = Trees.str(spec, "attacher");
    if (attacher.isEmpty()) errors.add(Errors.required("spec.attacher"));
    ObjectNode source = Trees.obj(spec, "source");
    boolean pv = Trees.has(source, "persistentVolumeName");
    boolean inline = Trees.has(source, "inlineVolumeSpec");
    if (!pv && !inline) {
      errors.add(Errors.required("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
    } else if (pv && inline) {
      errors.add(Errors.forbidden("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
    } else if (pv && Trees.str(source, "persistentVolumeName").isEmpty()) {
      errors.add(Errors.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName"));
    }
    String node = Trees.str(spec, "nodeName");
    for (String m : Names.dns1123Subdomain(node)) errors.add(Errors.invalid("spec.nodeName", node, m));
    // ValidateVolumeAttachmentV1's extra checks
    if (!attacher.isEmpty()) validateDriverName(attacher, "spec.attacher", errors);
    if (pv) {
      String name = Trees.str(source, "persistentVolumeName");
      for (String m : Names.pathSegment(name, false)) errors.add(Errors.invalid("spec.source.persistentVolumeName", name, m));
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    if (!Trees.semanticEquals(obj.get("spec"), old.get("spec"))) {
      errors.add(Errors.invalidRendered("spec", Errors.goValue(obj.get("spec")), Errors.IMMUTABLE));
    }
  }

  /** Core's ValidateCSIDriverName: required, at most 63 characters, a DNS-1123 subdomain in lower case. */
  static void validateDriverName(String name, String path, List<FieldError> errors) {
    if (name.isEmpty()) errors.add(Errors.required(path));
    if (name.length() > 63) errors.add(Errors.tooLong(path, 63));
    for (String m : Names.dns1123Subdomain(name.toLowerCase(Locale.ROOT))) errors.add(Errors.invalid(path, name, m));
  }
}
