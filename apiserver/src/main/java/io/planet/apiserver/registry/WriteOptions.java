package io.planet.apiserver.registry;

import io.planet.api.Requester;

/**
 * Query options of a write (upstream's CreateOptions/UpdateOptions/PatchOptions).
 *
 * @param fieldValidation Strict, Warn or Ignore
 * @param apply whether this write is a server-side apply (which keeps managedFields itself)
 * @param admission the admission chain bound to the request's user; {@link WriteAdmission#NONE} for the server's own
 *     writes
 * @param requester who sent the write, for strategies that record it; {@link Requester#NONE} for the server's own
 */
public record WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent,
    boolean apply, WriteAdmission admission, Requester requester) {
  public static final WriteOptions DEFAULT = new WriteOptions(false, "", "Ignore", false, "", false);

  public WriteOptions {
    if (admission == null) admission = WriteAdmission.NONE;
    if (requester == null) requester = Requester.NONE;
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent,
      boolean apply, WriteAdmission admission) {
    this(dryRun, fieldManager, fieldValidation, force, userAgent, apply, admission, Requester.NONE);
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent,
      boolean apply) {
    this(dryRun, fieldManager, fieldValidation, force, userAgent, apply, WriteAdmission.NONE);
  }

  public WriteOptions(boolean dryRun, String fieldManager, String fieldValidation, boolean force, String userAgent) {
    this(dryRun, fieldManager, fieldValidation, force, userAgent, false);
  }

  public WriteOptions withManager(String manager) {
    return new WriteOptions(dryRun, manager, fieldValidation, force, userAgent, apply, admission, requester);
  }

  public WriteOptions asApply() {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, force, userAgent, true, admission, requester);
  }

  public WriteOptions withAdmission(WriteAdmission a) {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, force, userAgent, apply, a, requester);
  }

  public WriteOptions withRequester(Requester r) {
    return new WriteOptions(dryRun, fieldManager, fieldValidation, force, userAgent, apply, admission, r);
  }
}
