package io.planet.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceType;

/**
 * Admission of one write, bound by the request path to who sent it. The store calls it at upstream's two points:
 * {@link #mutate} after defaulting and before the strategy prepares the object, {@link #validate} after the
 * strategy validated it and just before it is stored. Either may change nothing and throw an ApiException to refuse.
 */
public interface WriteAdmission {
  WriteAdmission NONE = new WriteAdmission() {};

  /**
   * @param operation CREATE or UPDATE
   * @param subresource "" for the resource itself
   * @param old the stored object on UPDATE, null on CREATE
   */
  default void mutate(String operation, ResourceType type, String namespace, String subresource, ObjectNode obj,
      ObjectNode old, boolean dryRun) {}

  default void validate(String operation, ResourceType type, String namespace, String subresource, ObjectNode obj,
      ObjectNode old, boolean dryRun) {}
}
