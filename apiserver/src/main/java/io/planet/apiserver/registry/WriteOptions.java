package io.planet.apiserver.registry;

/**
 * Query options of a write (upstream's CreateOptions/UpdateOptions/PatchOptions).
 *
 * @param fieldValidation Strict, Warn or Ignore
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent) {
  public static final WriteOptions DEFAULT = new WriteOptions(false, "", "Ignore", false, "");

  public WriteOptions withManager(String manager) {
    return new WriteOptions(dryRun, manager, fieldValidation, force, userAgent);
  }
}
