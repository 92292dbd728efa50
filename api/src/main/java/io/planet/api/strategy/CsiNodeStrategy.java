package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** storage.k8s.io/v1 CSINode: one entry per driver with a node ID and topology keys; an entry never changes. */
public final class CsiNodeStrategy implements ResourceStrategy {
  static final int MAX_NODE_ID = 192;

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    List<ObjectNode> drivers = Trees.items(Trees.obj(obj, "spec"), "drivers");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < drivers.size(); i++) {
      ObjectNode d = drivers.get(i);
      String p = "spec.drivers[" + i + "]";
      String name = Trees.str(d, "name");
      VolumeAttachmentStrategy.validateDriverName(name, p + ".name", errors);
      String nodeId = Trees.str(d, "nodeID");
      if (nodeId.isEmpty()) errors.add(Errors.required(p + ".nodeID"));
      if (nodeId.length() > MAX_NODE_ID) {
        errors.add(Errors.invalid(p + ".nodeID", nodeId, "must be " + MAX_NODE_ID + " characters or less"));
      }
      Errors.nonNegative(Trees.obj(d, "allocatable"), "count", p + ".allocatable.count", errors);
      if (!names.add(name)) errors.add(Errors.duplicate(p + ".name", name));
      Set<String> keys = new HashSet<>();
      for (String key : MetadataValidation.strings(d.get("topologyKeys"))) {
        if (key.isEmpty()) errors.add(Errors.required(p));
        if (!keys.add(key)) errors.add(Errors.duplicate(p, key));
        for (String m : Names.qualifiedName(key)) errors.add(Errors.invalid(p, key, m));
      }
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    for (ObjectNode was : Trees.items(Trees.obj(old, "spec"), "drivers")) {
      for (ObjectNode now : Trees.items(Trees.obj(obj, "spec"), "drivers")) {
        if (Trees.str(was, "name").equals(Trees.str(now, "name")) && !Trees.semanticEquals(now, was)) {
          errors.add(Errors.invalidRendered("spec.drivers", now.toString(), Errors.IMMUTABLE));
        }
      }
    }
  }
}
