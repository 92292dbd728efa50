package io.planet.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Converts objects between the versions of one resource (stored version ↔ served version). Most resources have a
 * single version and only need apiVersion rewritten.
 */
public final class Conversions {
  private Conversions() {}

  /** Converts {@code obj} (any served version of {@code type}'s resource) to {@code target}'s version, in place or new. */
  public static ObjectNode convert(ObjectNode obj, ResourceType target) {
    obj.put("apiVersion", target.apiVersion());
    obj.put("kind", target.kind());
    return obj;
  }
}
