package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.schema.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metadata.managedFields}: which manager owns which fields, as upstream's apiserver fieldmanager keeps it.
 * Entries are identified as upstream's manager identifiers: manager, operation, subresource, and for Update
 * operations the apiVersion (an applier has one entry whatever version it applies with).
 */
public final class ManagedFields {
  public static final String APPLY = "Apply";
  public static final String UPDATE = "Update";
  public static final String FIELDS_V1 = "FieldsV1";
  /** Update managers beyond this many are merged, oldest first, into {@link #ANCIENT_CHANGES} entries. */
  public static final int MAX_UPDATE_MANAGERS = 10;
  public static final String ANCIENT_CHANGES = "ancient-changes";

  /** Fields never tracked (upstream's stripMetaManager). */
  static final FieldSet STRIPPED = FieldSet.of(
      FieldPath.fields("apiVersion"),
      FieldPath.fields("kind"),
      FieldPath.fields("metadata"),
      FieldPath.fields("metadata", "name"),
      FieldPath.fields("metadata", "namespace"),
      FieldPath.fields("metadata", "creationTimestamp"),
      FieldPath.fields("metadata", "selfLink"),
      FieldPath.fields("metadata", "uid"),
      FieldPath.fields("metadata", "clusterName"),
      FieldPath.fields("metadata", "generation"),
      FieldPath.fields("metadata", "managedFields"),
      FieldPath.fields("metadata", "resourceVersion"));

  /** One managedFields entry. {@code time} may be null; {@code subresource} is "" for the main resource. */
  public record Entry(String manager, String operation, String apiVersion, Instant time, String subresource, FieldSet fields) {
    public Entry {
      subresource = subresource == null ? "" : subresource;
    }

    public Key key() {
      return new Key(manager, operation, APPLY.equals(operation) ? "" : apiVersion, subresource);
    }

    public Entry withFields(FieldSet f) {
      return new Entry(manager, operation, apiVersion, time, subresource, f);
    }

    public Entry withTime(Instant t) {
      return new Entry(manager, operation, apiVersion, t, subresource, fields);
    }

    /** The entry as it appears in metadata.managedFields (field order as upstream serializes it). */
    public ObjectNode toJson() {
      ObjectNode o = Json.object();
      o.put("manager", manager);
      o.put("operation", operation);
      o.put("apiVersion", apiVersion);
      if (time != null) o.put("time", Meta.timestamp(time));
      o.put("fieldsType", FIELDS_V1);
      o.set("fieldsV1", fields.toJson());
      if (!subresource.isEmpty()) o.put("subresource", subresource);
      return o;
    }
  }

  /** Upstream's manager identifier: apiVersion is "" for Apply entries. */
  public record Key(String manager, String operation, String apiVersion, String subresource) {
    /** As upstream's printManager: {@code "mgr" with subresource "status" using apps/v1}. */
    String describe() {
      StringBuilder b = new StringBuilder(JsonQuote.quote(manager));
      if (!subresource.isEmpty()) b.append(" with subresource ").append(JsonQuote.quote(subresource));
      if (UPDATE.equals(operation)) b.append(" using ").append(apiVersion);
      return b.toString();
    }
  }

  private final Map<Key, Entry> entries = new LinkedHashMap<>();

  public ManagedFields() {}

  /**
   * Decodes a managedFields array as upstream's DecodeManagedFields does, rejecting entries whose operation is not
   * Apply/Update, whose apiVersion is empty, whose fieldsType is not FieldsV1 or whose fieldsV1 does not parse.
   */
  public static ManagedFields decode(JsonNode array) {
    ManagedFields mf = new ManagedFields();
    if (array == null || array.isNull()) return mf;
    if (!array.isArray()) throw new IllegalArgumentException("managedFields must be a list");
    for (int i = 0; i < array.size(); i++) {
      JsonNode e = array.get(i);
      if (!e.isObject()) throw new IllegalArgumentException("managed fields entry " + i + " must be an object");
      String op = Json.str(e, "operation");
      if (!op.equals(APPLY) && !op.equals(UPDATE)) throw new IllegalArgumentException("operation must be `Apply` or `Update`");
      String apiVersion = Json.str(e, "apiVersion");
      if (apiVersion.isEmpty()) throw new IllegalArgumentException("apiVersion must not be empty");
      String type = Json.str(e, "fieldsType");
      if (type.isEmpty()) throw new IllegalArgumentException("missing fieldsType in managed fields entry " + i);
      if (!type.equals(FIELDS_V1)) throw new IllegalArgumentException("invalid fieldsType \"" + type + "\" in managed fields entry " + i);
      Instant time = null;
      if (e.hasNonNull("time")) {
        time = Meta.parseTime(e.get("time").asText());
        if (time == null) throw new IllegalArgumentException("invalid time in managed fields entry " + i);
      }
      FieldSet fields = FieldSet.fromJson(e.get("fieldsV1"));
      mf.put(new Entry(Json.str(e, "manager"), op, apiVersion, time, Json.str(e, "subresource"), fields));
    }
    return mf;
  }

  /** The managed fields stored in an object; empty when absent or invalid. */
  public static ManagedFields of(JsonNode obj) {
    try {
      return decode(Json.at(obj, "metadata", "managedFields"));
    } catch (IllegalArgumentException e) {
      return new ManagedFields();
    }
  }

  public Entry get(Key key) {
    return entries.get(key);
  }

  public void put(Entry e) {
    entries.put(e.key(), e);
  }

  public void remove(Key key) {
    entries.remove(key);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Entries in upstream's order: Apply before Update, then by time (seconds), manager, apiVersion, subresource. */
  public List<Entry> entries() {
    List<Entry> l = new ArrayList<>(entries.values());
    l.sort(Comparator.comparing(Entry::operation)
        .thenComparingLong(e -> e.time() == null ? 0 : e.time().getEpochSecond())
        .thenComparing(Entry::manager)
        .thenComparing(Entry::apiVersion)
        .thenComparing(Entry::subresource));
    return l;
  }

  public ArrayNode encode() {
    ArrayNode a = Json.array();
    for (Entry e : entries()) a.add(e.toJson());
    return a;
  }

  /** Writes the entries into obj.metadata.managedFields, removing the field when there are none. */
  public void storeInto(ObjectNode obj) {
    if (entries.isEmpty()) {
      if (obj.get("metadata") instanceof ObjectNode m) m.remove("managedFields");
      return;
    }
    Json.with(obj, "metadata").set("managedFields", encode());
  }

  /**
   * Upstream's update step shared by Update and Apply: other managers lose the fields this operation changed
   * (conflicts) and the fields it removed. Returns the conflicts per manager; when there are conflicts and
   * {@code force} is false nothing is changed.
   */
  Map<Key, FieldSet> takeOver(Key workflow, Comparison cmp, boolean force) {
    FieldSet changed = cmp.modified().union(cmp.added());
    Map<Key, FieldSet> conflicts = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      if (e.key().equals(workflow)) continue;
      FieldSet c = e.fields().intersection(changed);
      if (!c.isEmpty()) conflicts.put(e.key(), c);
    }
    if (!force && !conflicts.isEmpty()) return conflicts;
    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Entry> me = it.next();
      if (me.getKey().equals(workflow)) continue;
      FieldSet c = conflicts.get(me.getKey());
      FieldSet f = me.getValue().fields();
      if (c != null) f = f.difference(c);
      f = f.difference(cmp.removed());
      if (f.isEmpty()) {
        it.remove();
      } else {
        me.setValue(me.getValue().withFields(f));
      }
    }
    return conflicts;
  }

  /** Merges the oldest Update entries into per-version "ancient-changes" entries beyond the cap, as upstream. */
  void capUpdateManagers() {
    List<Entry> updaters = new ArrayList<>();
    for (Entry e : entries.values()) if (UPDATE.equals(e.operation())) updaters.add(e);
    if (updaters.size() <= MAX_UPDATE_MANAGERS) return;
    updaters.sort(Comparator.<Entry>comparingLong(e -> e.time() == null ? 0 : e.time().getEpochSecond())
        .thenComparing(e -> e.key().toString()));
    int count = updaters.size();
    for (int i = 0; i < updaters.size() && count > MAX_UPDATE_MANAGERS; i++) {
      Entry e = updaters.get(i);
      Key bucketKey = new Key(ANCIENT_CHANGES, UPDATE, e.apiVersion(), "");
      if (e.key().equals(bucketKey)) continue;
      Entry bucket = entries.get(bucketKey);
      entries.remove(e.key());
      if (bucket == null) {
        bucket = new Entry(ANCIENT_CHANGES, UPDATE, e.apiVersion(), e.time(), "", e.fields());
      } else {
        count--;
        Instant t = bucket.time() == null || (e.time() != null && e.time().isAfter(bucket.time())) ? e.time() : bucket.time();
        bucket = new Entry(ANCIENT_CHANGES, UPDATE, e.apiVersion(), t, "", bucket.fields().union(e.fields()));
      }
      entries.put(bucketKey, bucket);
    }
  }

  // ---- non-apply writes ----

  /** Upstream's default manager for writes without fieldManager: the User-Agent up to the first "/". */
  public static String defaultManager(String userAgent) {
    if (userAgent == null) return "";
    int i = userAgent.indexOf('/');
    return i < 0 ? userAgent : userAgent.substring(0, i);
  }

  /** {@link #recordUpdate(ObjectNode, ObjectNode, String, String, String, Schema, Instant, FieldSet)} with the
   * default reset fields: nothing for the main resource, every top-level field but status and metadata for /status. */
  public static void recordUpdate(ObjectNode oldObj, ObjectNode newObj, String manager, String apiVersion,
      String subresource, Schema schema, Instant now) {
    recordUpdate(oldObj, newObj, manager, apiVersion, subresource, schema, now, null);
  }

  /**
   * Records a non-apply write (create, update, non-apply patch): the fields it added or modified become
   * {@code manager}'s (operation Update, merged with its entry for this apiVersion and subresource), other managers
   * lose them and every manager loses removed fields. The result is stored in newObj.metadata.managedFields.
   *
   * @param oldObj the stored object, null on create
   * @param resetFields fields the strategy resets for this subresource (never attributed); null for the default
   */
  public static void recordUpdate(ObjectNode oldObj, ObjectNode newObj, String manager, String apiVersion,
      String subresource, Schema schema, Instant now, FieldSet resetFields) {
    String sub = subresource == null ? "" : subresource;
    ManagedFields managed = liveOrNew(oldObj, newObj, !sub.isEmpty());
    if (newObj.get("metadata") instanceof ObjectNode m) m.remove("managedFields");
    // Upstream does not start tracking an existing object that has no managed fields (nor after a reset).
    if (managed.isEmpty() && oldObj != null) return;
    ObjectNode old = oldObj == null ? null : withoutManagedFields(oldObj);
    FieldSet reset = resetFields != null ? resetFields : defaultResetFields(sub, old, newObj);
    Comparison cmp = Comparison.of(old, newObj, schema).excluding(reset);
    managed.takeOver(null, cmp, true);
    FieldSet taken = cmp.modified().union(cmp.added()).recursiveDifference(reset).difference(STRIPPED);
    if (!taken.isEmpty()) {
      Entry mine = new Entry(manager, UPDATE, apiVersion, now, sub, taken);
      Entry prev = managed.get(mine.key());
      if (prev != null) mine = mine.withFields(prev.fields().union(taken));
      managed.put(mine);
    }
    managed.capUpdateManagers();
    managed.storeInto(newObj);
  }

  /**
   * Upstream's decodeLiveOrNew: managedFields sent in the body replace the stored ones when they decode and are not
   * empty; {@code []} or {@code [{}]} resets them; subresource writes always keep the stored ones.
   */
  static ManagedFields liveOrNew(JsonNode oldObj, JsonNode newObj, boolean isSubresource) {
    if (isSubresource) return of(oldObj);
    JsonNode sent = Json.at(newObj, "metadata", "managedFields");
    if (sent != null && sent.isArray() && (sent.isEmpty() || (sent.size() == 1 && sent.get(0).isObject() && sent.get(0).isEmpty()))) {
      return new ManagedFields();
    }
    try {
      ManagedFields mf = decode(sent);
      if (!mf.isEmpty()) return mf;
    } catch (IllegalArgumentException e) {
      // fall back to the stored ones, so clients that mangle the field cannot wipe it
    }
    return of(oldObj);
  }

  static ObjectNode withoutManagedFields(ObjectNode obj) {
    ObjectNode copy = obj.deepCopy();
    if (copy.get("metadata") instanceof ObjectNode m) m.remove("managedFields");
    return copy;
  }

  private static FieldSet defaultResetFields(String subresource, JsonNode oldObj, JsonNode newObj) {
    FieldSet reset = new FieldSet();
    if (!"status".equals(subresource)) return reset;
    for (JsonNode o : new JsonNode[] {oldObj, newObj}) {
      if (o == null) continue;
      o.fieldNames().forEachRemaining(f -> {
        if (!f.equals("status") && !f.equals("metadata")) reset.insert(FieldPath.fields(f));
      });
    }
    return reset;
  }
}
