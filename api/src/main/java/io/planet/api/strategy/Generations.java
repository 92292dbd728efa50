package io.planet.api.strategy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;

/** metadata.generation for kinds that track spec changes (workloads, jobs, PDBs, CRDs). */
final class Generations {
  private Generations() {}

  static void onCreate(ObjectNode obj) {
    Meta.meta(obj).put("generation", 1);
  }

  /** Bumps the stored generation when {@code changed}, else keeps it. */
  static void onUpdate(ObjectNode obj, ObjectNode old, boolean changed) {
    long gen = Trees.num(Trees.obj(old, "metadata"), "generation", 0);
    if (changed) gen++;
    if (gen > 0) Meta.meta(obj).put("generation", gen);
  }

  static boolean specChanged(ObjectNode obj, ObjectNode old) {
    return !Trees.semanticEquals(obj.get("spec"), old.get("spec"));
  }
}
