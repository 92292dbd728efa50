package io.planet.apiserver.registry;

/**
 * Query options of a write (upstream's CreateOptions/UpdateOptions/PatchOptions).
 *
 * @param fieldValidation Strict, Warn or Ignore
 * @param apply whether this write is a server-side apply (which keeps managedFields itself)
 * @param admission the admission chain bound to the request's user; {@link WriteAdmission#NONE} for the server's own
 *     writes
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent,
    boolean apply, WriteAdmission admission) {
  public static final WriteOptions DEFAULT = new WriteOptions(false, "", "Ignore", false, "", false);

  public WriteOptions {
    if (admission == null) admission = WriteAdmission.NONE;
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent,
      boolean apply) {
    this(dryRun, fieldManager, fieldValidation, force, userAgent, apply, WriteAdmission.NONE);
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent) {
    this(dryRun, fieldManager, fieldValidation, force, userAgent, false);
  }

  public WriteOptions withManager(String manager) {
    return new WriteOptions(dryRun, manager, fieldValidation, force, userAgent, apply, admission);
  }

  public WriteOptions asApply() {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, force, userAgent, true, admission);
  }

  public WriteOptions withAdmission(WriteAdmission a) {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, force, userAgent, apply, a);
  }
}
