package io.planet.apiserver.registry;

/**
 * Query options of a write (upstream's CreateOptions/UpdateOptions/PatchOptions).
 *
 * @param fieldValidation Strict, Warn or Ignore
 * @param apply whether this write is a server-side apply (which keeps managedFields itself)
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent,
    boolean apply) {
  public static final WriteOptions DEFAULT = new WriteOptions(false, "", "Ignore", false, "", false);

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent) {
    this(dryRun, fieldManager, fieldValidation, force, userAgent, false);
  }

  public WriteOptions withManager(String manager) {
    return new WriteOptions(dryRun, manager, fieldValidation, force, userAgent, apply);
  }

  public WriteOptions asApply() {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, force, userAgent, true);
  }
}
