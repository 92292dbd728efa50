package io.planet.api.apply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.schema.Schema;

/**
 * Removes what an applier stopped applying, as upstream's Updater.prune: fields and items it applied last time,
 * does not apply now, and that no other manager (applier or updater) owns.
 */
final class Pruner {
  private Pruner() {}

  static ObjectNode prune(ObjectNode merged, ManagedFields managed, FieldSet lastSet, Schema schema) {
    if (lastSet == null || lastSet.isEmpty()) return merged;
    ObjectNode pruned = ItemRemover.remove(merged, named(lastSet, schema), schema);
    // Add back what any manager, including the applier's new configuration, owns.
    FieldSet owned = new FieldSet();
    for (ManagedFields.Entry e : managed.entries()) owned = owned.union(e.fields());
    FieldSet mergedSet = named(ObjectFields.of(merged, schema, false), schema);
    FieldSet prunedSet = named(ObjectFields.of(pruned, schema, false), schema);
    pruned = ItemRemover.remove(merged, mergedSet.difference(prunedSet.union(named(owned, schema))), schema);
    // Only remove what the applier owned last time (never unowned leftovers).
    prunedSet = named(ObjectFields.of(pruned, schema, false), schema);
    return ItemRemover.remove(merged, mergedSet.difference(prunedSet).intersection(named(lastSet, schema)), schema);
  }

  private static FieldSet named(FieldSet s, Schema schema) {
    return ItemRemover.ensureNamedFieldsAreMembers(s, schema);
  }
}
