package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.math.BigDecimal;
import java.util.List;

/** storage.k8s.io/v1 CSIStorageCapacity: a class name, a node topology selector, a non-negative capacity. */
public final class CsiStorageCapacityStrategy implements ResourceStrategy {

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    LabelSelectors.validate(obj.get("nodeTopology"), "nodeTopology", errors);
    String cls = Trees.str(obj, "storageClassName");
    for (String m : Names.dns1123Subdomain(cls)) errors.add(Errors.invalid("storageClassName", cls, m));
    if (Trees.has(obj, "capacity")) {
      BigDecimal q = Quantities.parse(obj.get("capacity"));
      if (q != null && q.signum() < 0) {
        errors.add(Errors.invalid("capacity", obj.get("capacity").asText(), "must be greater than or equal to 0"));
      }
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    if (!Trees.semanticEquals(obj.get("nodeTopology"), old.get("nodeTopology"))) {
      errors.add(Errors.invalidRendered("nodeTopology", Errors.goLabelSelector(obj.get("nodeTopology")), Errors.IMMUTABLE));
    }
    Errors.immutable(Trees.str(obj, "storageClassName"), Trees.str(old, "storageClassName"), "storageClassName", errors);
  }
}
