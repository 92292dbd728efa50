package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.schema.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}), as upstream's fieldmanager over
 * structured-merge-diff: the applied configuration is merged into the live object, becomes the manager's Apply
 * field set, fields it stopped applying are removed unless someone else owns them, and changing a field another
 * manager owns is a conflict unless forced.
 *
 * <p>Objects of every apiVersion are compared as given (no conversion between versions).
 */
public final class ServerSideApply {
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  /** Upstream's FieldManagerMaxLength. */
  public static final int MAX_MANAGER_LENGTH = 128;

  private ServerSideApply() {}

  /** Rejects an apply without fieldManager as upstream's ValidatePatchOptions: 422 on PatchOptions.meta.k8s.io. */
  public static void requireManager(String manager) {
    List<FieldError> errors = new ArrayList<>();
    if (manager == null || manager.isEmpty()) {
      errors.add(FieldError.required("fieldManager", "is required for apply patch"));
    } else {
      errors.addAll(managerErrors(manager));
    }
    if (!errors.isEmpty()) throw patchOptionsInvalid(errors);
  }

  /** Length and printable-character checks upstream applies to any fieldManager query parameter. */
  public static List<FieldError> managerErrors(String manager) {
    List<FieldError> errors = new ArrayList<>();
    if (manager == null) return errors;
    if (manager.length() > MAX_MANAGER_LENGTH) errors.add(FieldError.tooLong("fieldManager", MAX_MANAGER_LENGTH));
    for (int i = 0; i < manager.length(); ) {
      int cp = manager.codePointAt(i);
      if (!isPrintable(cp)) {
        errors.add(FieldError.invalid("fieldManager", manager,
            String.format("invalid character U+%04X (at position %d)", cp, i)));
      }
      i += Character.charCount(cp);
    }
    return errors;
  }

  private static boolean isPrintable(int cp) {
    if (cp == ' ') return true;
    int t = Character.getType(cp);
    return !Character.isWhitespace(cp) && t != Character.CONTROL && t != Character.FORMAT && t != Character.UNASSIGNED
        && t != Character.PRIVATE_USE && t != Character.SURROGATE && t != Character.LINE_SEPARATOR
        && t != Character.PARAGRAPH_SEPARATOR && t != Character.SPACE_SEPARATOR;
  }

  private static ApiException patchOptionsInvalid(List<FieldError> errors) {
    ObjectNode d = Json.object();
    d.put("name", "");
    d.put("group", "meta.k8s.io");
    d.put("kind", "PatchOptions");
    ArrayNode causes = d.putArray("causes");
    StringBuilder msg = new StringBuilder("PatchOptions.meta.k8s.io \"\" is invalid: ");
    if (errors.size() > 1) msg.append('[');
    for (int i = 0; i < errors.size(); i++) {
      FieldError e = errors.get(i);
      ObjectNode c = causes.addObject();
      c.put("reason", e.type().causeType());
      c.put("message", e.message().substring(e.field().length() + 2));
      c.put("field", e.field());
      if (i > 0) msg.append(", ");
      msg.append(e.message());
    }
    if (errors.size() > 1) msg.append(']');
    return new ApiException(422, "Invalid", msg.toString(), d);
  }

  /** {@link #apply(ObjectNode, ObjectNode, String, boolean, Schema, String, Instant, String, FieldSet)} for the main resource. */
  public static ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, Schema schema,
      String apiVersion, Instant now) {
    return apply(live, applied, manager, force, schema, apiVersion, now, "", null);
  }

  /**
   * Applies {@code applied} as {@code manager} and returns the new object (with metadata.managedFields set), ready to
   * be validated and stored; {@code live} is null when the object does not exist (the result is to be created).
   * The inputs are not modified.
   *
   * @param resetFields fields the strategy resets for this subresource (e.g. status on the main resource): not owned
   *     by the applier and not compared; null for none
   * @throws ApiException 409 Conflict with FieldManagerConflict causes; 400 for a version mismatch or managedFields
   *     in the configuration; 500 (reason Unknown) when the configuration does not fit the schema
   */
  public static ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, Schema schema,
      String apiVersion, Instant now, String subresource, FieldSet resetFields) {
    requireManager(manager);
    String sub = subresource == null ? "" : subresource;
    FieldSet reset = resetFields == null ? new FieldSet() : resetFields;
    checkConfiguration(live, applied, apiVersion);

    ManagedFields managed = ManagedFields.of(live);
    ObjectNode liveObj = live == null ? Json.object() : ManagedFields.withoutManagedFields(live);
    FieldSet configSet;
    try {
      configSet = ObjectFields.of(applied, schema, true).recursiveDifference(reset);
    } catch (Shape.TypedError e) {
      throw new ApiException(500, "", "failed to create typed patch object (" + describe(applied) + "): " + e.getMessage());
    }

    ManagedFields.Key key = new ManagedFields.Key(manager, ManagedFields.APPLY, "", sub);
    Attempt attempt = attempt(liveObj, applied, managed, key, configSet, schema, apiVersion, reset, force);
    if (!force && !attempt.conflicts().isEmpty()) {
      // kubectl upgrading from client-side apply takes over the fields its last-applied annotation still holds.
      FieldSet allowed = "kubectl".equals(manager) ? allowedByLastApplied(liveObj, schema, apiVersion) : null;
      Map<ManagedFields.Key, FieldSet> remaining = new LinkedHashMap<>();
      attempt.conflicts().forEach((k, v) -> {
        FieldSet r = allowed == null ? v : v.difference(allowed);
        if (!r.isEmpty()) remaining.put(k, r);
      });
      if (!remaining.isEmpty()) throw conflictError(remaining);
      managed = ManagedFields.of(live);
      attempt = attempt(liveObj, applied, managed, key, configSet, schema, apiVersion, reset, true);
    }
    ObjectNode result = attempt.object();

    ManagedFields.Entry mine = managed.get(key);
    if (mine != null) {
      FieldSet owned = mine.fields().difference(ManagedFields.STRIPPED);
      if (owned.isEmpty()) {
        managed.remove(key);
      } else {
        boolean changed = !JsonValues.equal(liveObj, result);
        ManagedFields.Entry prev = ManagedFields.of(live).get(key);
        Instant t = changed || prev == null || prev.time() == null ? now : prev.time();
        managed.put(new ManagedFields.Entry(manager, ManagedFields.APPLY, apiVersion, t, sub, owned));
      }
    }
    managed.capUpdateManagers();
    managed.storeInto(result);
    if ("kubectl".equals(manager) && hasLastApplied(liveObj)) {
      Json.with(Json.with(result, "metadata"), "annotations").put(LAST_APPLIED, lastApplied(applied));
    }
    return result;
  }

  private record Attempt(ObjectNode object, Map<ManagedFields.Key, FieldSet> conflicts) {}

  /**
   * Merges, prunes and takes ownership (upstream's Updater.Apply). With conflicts and no force, {@code managed} is
   * left with the new Apply entry only and the object is not usable.
   */
  private static Attempt attempt(ObjectNode liveObj, ObjectNode applied, ManagedFields managed, ManagedFields.Key key,
      FieldSet configSet, Schema schema, String apiVersion, FieldSet reset, boolean force) {
    ObjectNode merged = (ObjectNode) Merger.merge(liveObj, applied, schema);
    ManagedFields.Entry last = managed.get(key);
    managed.put(new ManagedFields.Entry(key.manager(), ManagedFields.APPLY, apiVersion,
        last == null ? null : last.time(), key.subresource(), configSet));
    ObjectNode pruned = Pruner.prune(merged, managed, last == null ? null : last.fields(), schema);
    Comparison cmp = Comparison.of(liveObj, pruned, schema).excluding(reset);
    return new Attempt(pruned, managed.takeOver(key, cmp, force));
  }

  private static void checkConfiguration(ObjectNode live, ObjectNode applied, String apiVersion) {
    if (applied == null) throw ApiException.badRequest("error decoding YAML: the applied configuration is empty");
    String version = Json.str(applied, "apiVersion");
    String kind = Json.str(applied, "kind");
    if (live != null && !kind.equals(Json.str(live, "kind"))) {
      throw ApiException.badRequest("invalid object type: " + gvk(version, kind));
    }
    if (!version.equals(apiVersion)) {
      throw ApiException.badRequest("Incorrect version specified in apply patch. Specified patch version: "
          + version + ", expected: " + apiVersion);
    }
    JsonNode mf = applied.path("metadata").get("managedFields");
    if (mf != null && !mf.isNull()) throw ApiException.badRequest("metadata.managedFields must be nil");
  }

  /** Go's GroupVersionKind.String(): {@code apps/v1, Kind=Deployment}, {@code /v1, Kind=Pod}. */
  private static String gvk(String apiVersion, String kind) {
    String gv = apiVersion.contains("/") ? apiVersion : "/" + apiVersion;
    return gv + ", Kind=" + kind;
  }

  private static String describe(ObjectNode obj) {
    String ns = Meta.namespace(obj);
    String name = Meta.name(obj);
    return (ns.isEmpty() ? name : ns + "/" + name) + "; " + gvk(Json.str(obj, "apiVersion"), Json.str(obj, "kind"));
  }

  /** upstream's NewConflictError: 409 Conflict, one FieldManagerConflict cause per field. */
  static ApiException conflictError(Map<ManagedFields.Key, FieldSet> conflicts) {
    List<ManagedFields.Key> managers = new ArrayList<>(conflicts.keySet());
    managers.sort(Comparator.comparing(ManagedFields.Key::manager).thenComparing(ManagedFields.Key::operation)
        .thenComparing(ManagedFields.Key::apiVersion).thenComparing(ManagedFields.Key::subresource));
    ObjectNode details = Json.object();
    ArrayNode causes = details.putArray("causes");
    List<String> lines = new ArrayList<>();
    int count = 0;
    for (ManagedFields.Key k : managers) {
      List<FieldPath> paths = conflicts.get(k).paths();
      lines.add("conflicts with " + k.describe() + ":");
      for (FieldPath p : paths) {
        ObjectNode c = causes.addObject();
        c.put("reason", "FieldManagerConflict");
        c.put("message", "conflict with " + k.describe());
        c.put("field", p.toString());
        lines.add("- " + p);
        count++;
      }
    }
    String message;
    if (count == 1) {
      message = "Apply failed with 1 conflict: conflict with " + managers.get(0).describe() + ": "
          + conflicts.get(managers.get(0)).paths().get(0);
    } else {
      message = "Apply failed with " + count + " conflicts: " + String.join("\n", lines);
    }
    return new ApiException(409, "Conflict", message, details);
  }

  // ---- client-side apply interplay (upstream's lastAppliedManager / lastAppliedUpdater) ----

  private static boolean hasLastApplied(JsonNode obj) {
    JsonNode a = Json.at(obj, "metadata", "annotations", LAST_APPLIED);
    return a != null && !a.asText().isEmpty();
  }

  /** The configuration as kubectl's last-applied annotation holds it (without the annotation itself). */
  private static String lastApplied(ObjectNode applied) {
    ObjectNode copy = applied.deepCopy();
    if (copy.path("metadata").get("annotations") instanceof ObjectNode a) {
      a.remove(LAST_APPLIED);
      if (a.isEmpty()) ((ObjectNode) copy.get("metadata")).remove("annotations");
    }
    return copy.toString();
  }

  /** Fields of the last-applied annotation whose values live still has: conflicts on them are allowed for kubectl. */
  private static FieldSet allowedByLastApplied(ObjectNode liveObj, Schema schema, String apiVersion) {
    if (!hasLastApplied(liveObj)) return null;
    try {
      JsonNode last = Json.parse(Json.at(liveObj, "metadata", "annotations", LAST_APPLIED).asText());
      if (!last.isObject() || !apiVersion.equals(Json.str(last, "apiVersion"))) return null;
      FieldSet set = ObjectFields.of(last, schema, true);
      Comparison cmp = Comparison.of(last, liveObj, schema);
      return set.difference(cmp.modified()).difference(cmp.added()).difference(cmp.removed());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
