package io.planet.apiserver.registry;

/**
 * Options of a delete (upstream's metav1.DeleteOptions). Null fields were not given.
 *
 * @param propagationPolicy Orphan, Background or Foreground
 */
public record DeleteOptions(
    Long gracePeriodSeconds,
    String propagationPolicy,
    Boolean orphanDependents,
    String preconditionUid,
    String preconditionResourceVersion,
    boolean dryRun) {

  public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null, null, false);
}
