/**
 * Server-side apply and {@code metadata.managedFields} bookkeeping, as upstream's structured-merge-diff v4 and the
 * apiserver fieldmanager do, as pure functions over Jackson trees.
 *
 * <ul>
 *   <li>{@link io.planet.api.apply.FieldSet}: sets of field paths in the FieldsV1 encoding.
 *   <li>{@link io.planet.api.apply.ManagedFields}: entries, decoding/encoding and
 *       {@link io.planet.api.apply.ManagedFields#recordUpdate recordUpdate} for non-apply writes.
 *   <li>{@link io.planet.api.apply.ServerSideApply}: {@code PATCH application/apply-patch+yaml}.
 * </ul>
 */
package io.planet.api.apply;
