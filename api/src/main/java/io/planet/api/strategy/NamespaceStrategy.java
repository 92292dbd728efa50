package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;
import java.util.Map;

/** core/v1 Namespace: the "kubernetes" finalizer, phase Active, the metadata.name label, and /finalize. */
public final class NamespaceStrategy implements ResourceStrategy {
  public static final String FINALIZER_KUBERNETES = "kubernetes";
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";
  static final List<String> PHASES = List.of("Active", "Terminating");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    // the label always tracks the name (SetDefaults_Namespace)
    String name = Meta.name(obj);
    if (!name.isEmpty()) Trees.with(Meta.meta(obj), "labels").put(NAME_LABEL, name);
  }

  @Override
  public void prepareForCreate(ResourceType type, ObjectNode obj) {
    obj.putObject("status").put("phase", "Active");
    ObjectNode spec = Trees.with(obj, "spec");
    ArrayNode finalizers = Trees.array(spec, "finalizers");
    if (finalizers == null) finalizers = spec.putArray("finalizers");
    for (JsonNode f : finalizers) if (f.asText().equals(FINALIZER_KUBERNETES)) return;
    finalizers.add(FINALIZER_KUBERNETES);
  }

  @Override
  public void prepareForUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForUpdate(type, obj, old);
    // spec.finalizers change only through /finalize
    JsonNode oldFinalizers = io.planet.api.Json.at(old, "spec", "finalizers");
    ObjectNode spec = Trees.with(obj, "spec");
    if (oldFinalizers != null) spec.set("finalizers", oldFinalizers.deepCopy());
    else spec.remove("finalizers");
  }


  /** An update through {@code /finalize}: only spec.finalizers changes. */
  public static void prepareForFinalize(ObjectNode obj, ObjectNode old) {
    JsonNode finalizers = io.planet.api.Json.at(obj, "spec", "finalizers");
    String rv = Meta.resourceVersion(obj);
    ObjectNode merged = old.deepCopy();
    ObjectNode spec = Trees.with(merged, "spec");
    if (finalizers != null) spec.set("finalizers", finalizers.deepCopy());
    else spec.remove("finalizers");
    obj.removeAll();
    obj.setAll(merged);
    if (!rv.isEmpty()) Meta.meta(obj).put("resourceVersion", rv);
  }

  /** Checks of a /finalize update. */
  public static void validateFinalize(ObjectNode obj, List<FieldError> errors) {
    validateFinalizers(obj, errors);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    validateFinalizers(obj, errors);
    String phase = Trees.str(obj.get("status"), "phase");
    if (!phase.isEmpty() && !PHASES.contains(phase)) errors.add(Errors.notSupported("status.phase", phase, PHASES));
  }

  private static void validateFinalizers(ObjectNode obj, List<FieldError> errors) {
    for (String f : MetadataValidation.strings(io.planet.api.Json.at(obj, "spec", "finalizers"))) {
      List<String> msgs = Names.qualifiedName(f);
      for (String m : msgs) errors.add(Errors.invalid("spec.finalizers", f, m));
      if (msgs.isEmpty() && !f.contains("/") && !f.equals(FINALIZER_KUBERNETES)) {
        errors.add(Errors.invalid("spec.finalizers", f, "name is neither a standard finalizer name nor is it fully qualified"));
      }
    }
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    return Map.of("status.phase", Trees.str(obj.get("status"), "phase"));
  }
}
