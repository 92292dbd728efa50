package io.planet.api.schema;

/**
 * The structural schema of every built-in kind (placeholder: filled in by the schema work). Returns null for
 * kinds it does not know.
 */
public final class Schemas {
  private Schemas() {}

  /** The schema of a top-level kind, e.g. ("apps", "v1", "Deployment"); null when unknown. */
  public static Schema forKind(String group, String version, String kind) {
    return null;
  }
}
