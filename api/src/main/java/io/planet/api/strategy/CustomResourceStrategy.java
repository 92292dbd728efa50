package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import io.planet.api.schema.Defaulting;
import io.planet.api.schema.Pruning;
import io.planet.api.schema.SchemaValidation;
import io.planet.api.schema.Schemas;
import io.planet.api.schema.StructuralSchema;
import java.util.List;

/**
 * Custom resources of a CRD version with a structural schema (upstream's customResourceStrategy): writes are pruned
 * and defaulted, then validated against the schema; reads from storage are defaulted too. The compiled schema is
 * cached per CRD revision ({@link Schemas#structuralForCustomResource}).
 */
public final class CustomResourceStrategy implements ResourceStrategy {
  public static final CustomResourceStrategy INSTANCE = new CustomResourceStrategy();

  private CustomResourceStrategy() {}

  private static StructuralSchema schema(ResourceType type) {
    return type.crd() == null ? null : Schemas.structuralForCustomResource(type.crd(), type.version());
  }

  /** Pruning, then defaulting: what upstream's decoder and defaulter do to every custom resource written. */
  private static void pruneAndDefault(ResourceType type, ObjectNode obj) {
    StructuralSchema s = schema(type);
    Pruning.prune(obj, s);
    Defaulting.apply(obj, s);
  }

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    pruneAndDefault(type, obj);
  }

  @Override
  public void prepareForSubresourceUpdate(ResourceType type, String subresource, ObjectNode obj, ObjectNode old) {
    ResourceStrategy.super.prepareForSubresourceUpdate(type, subresource, obj, old);
    pruneAndDefault(type, obj);
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    errors.addAll(SchemaValidation.validate(schema(type), obj, null));
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    errors.addAll(SchemaValidation.validate(schema(type), obj, old));
  }

  @Override
  public ObjectNode defaultOnRead(ResourceType type, ObjectNode stored) {
    StructuralSchema s = schema(type);
    if (s == null || !Defaulting.needed(stored, s)) return stored;
    ObjectNode copy = stored.deepCopy();
    Defaulting.apply(copy, s);
    return copy;
  }
}
