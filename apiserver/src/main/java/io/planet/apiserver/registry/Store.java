package io.planet.apiserver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Conversions;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.api.strategy.MetadataValidation;
import io.planet.apiserver.storage.Storage;
import io.planet.apiserver.storage.StorageException;
import io.planet.apiserver.storage.WatchCache;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The generic REST store of one served resource (upstream's generic registry Store): keys, create/get/list/update/
 * delete with the resource's strategy, graceful deletion and finalizers, lists from etcd or the watch cache.
 */
public final class Store {
  private static final int MAX_NAME_GENERATION_ATTEMPTS = 8;
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ResourceType type;
  private final ResourceType storageType;
  private final Storage storage;
  private final WatchCache cache;
  private final Hooks hooks;
  private final String root;

  /** Cross-resource checks and side effects the server wires in (admission, allocators, TTLs, GC switch). */
  public interface Hooks {
    /** Before a create is stored (e.g. allocate a cluster IP); returns an undo action. */
    default Runnable beforeCreate(ResourceType type, ObjectNode obj, boolean dryRun) {
      return () -> {};
    }

    /** Before an update is stored (e.g. allocate node ports for a changed service). */
    default Runnable beforeUpdate(ResourceType type, ObjectNode obj, ObjectNode old, boolean dryRun) {
      return () -> {};
    }

    /** After an object is gone (release its allocations). */
    default void afterDelete(ResourceType type, ObjectNode obj) {}

    /** Time to live of stored objects of this type in seconds (Events), 0 = forever. */
    default long ttlSeconds(ResourceType type) {
      return 0;
    }

    /** Whether deletes add the orphan/foregroundDeletion finalizers (a garbage collector runs). */
    default boolean garbageCollectionEnabled() {
      return false;
    }

    /** managedFields bookkeeping for non-apply writes. */
    default void recordManagedFields(ResourceType type, ObjectNode old, ObjectNode obj, WriteOptions opts, String subresource) {}
  }

  public Store(ResourceType type, ResourceType storageType, Storage storage, WatchCache cache, Hooks hooks) {
    this.type = type;
    this.storageType = storageType;
    this.storage = storage;
    this.cache = cache;
    this.hooks = hooks;
    this.root = "/registry/" + type.storagePrefix() + "/";
  }

  public ResourceType type() {
    return type;
  }

  public WatchCache cache() {
    return cache;
  }

  public String key(String namespace, String name) {
    return type.namespaced() ? root + namespace + "/" + name : root + name;
  }

  /** The key prefix of a list: the whole resource, or one namespace. */
  public String listPrefix(String namespace) {
    return type.namespaced() && namespace != null && !namespace.isEmpty() ? root + namespace + "/" : root;
  }

  // ---- conversion between the served and the stored version

  private ObjectNode toStorage(ObjectNode obj) {
    return type == storageType ? obj : Conversions.convert(obj, storageType);
  }

  /** A served copy of a stored object (cached objects are shared: never mutate them). */
  public ObjectNode served(ObjectNode stored) {
    ObjectNode out = type.version().equals(storageType.version()) && type.group().equals(storageType.group())
        ? stored : Conversions.convert(stored.deepCopy(), type);
    return type.strategy().defaultOnRead(type, out);
  }

  private ObjectNode servedCopy(ObjectNode stored) {
    ObjectNode s = served(stored);
    return s == stored ? stored.deepCopy() : s;
  }

  // ---- errors

  private ApiException map(StorageException e, String name) {
    return switch (e.code()) {
      case KEY_EXISTS -> ApiException.alreadyExists(type.group(), type.plural(), name);
      case NOT_FOUND -> ApiException.notFound(type.group(), type.plural(), name);
      case CONFLICT -> ApiException.conflict(type.group(), type.plural(), name,
          "the object has been modified; please apply your changes to the latest version and try again");
      case COMPACTED -> ApiException.gone("The resourceVersion for the provided list is too old.");
      case TOO_LARGE_REVISION -> ApiException.timeout("Too large resource version", 1);
      case UNAVAILABLE -> new ApiException(503, "ServiceUnavailable", e.getMessage());
    };
  }

  // ---- reads

  public ObjectNode get(String namespace, String name) {
    try {
      Storage.Item item = storage.get(key(namespace, name));
      if (item == null) throw ApiException.notFound(type.group(), type.plural(), name);
      return served(item.object());
    } catch (StorageException e) {
      throw map(e, name);
    }
  }

  public record ListResult(List<ObjectNode> items, long revision, String continueToken, Long remainingItemCount) {}

  /** A predicate for label and field selectors over stored objects. */
  public Predicate<ObjectNode> filter(ListOptions o) {
    if (o.labelSelector().isEmpty() && o.fieldSelector().isEmpty()) return x -> true;
    return obj -> o.labelSelector().matches(Meta.labels(obj)) && o.fieldSelector().matches(fields(obj));
  }

  /** metadata.name, metadata.namespace and the strategy's selectable fields. */
  public Map<String, String> fields(ObjectNode obj) {
    Map<String, String> f = new HashMap<>(type.strategy().selectableFields(obj));
    f.put("metadata.name", Meta.name(obj));
    if (type.namespaced()) f.put("metadata.namespace", Meta.namespace(obj));
    return f;
  }

  public ListResult list(String namespace, ListOptions o) {
    Predicate<ObjectNode> filter = filter(o);
    String prefix = listPrefix(namespace);
    String rv = o.resourceVersion();
    String match = o.resourceVersionMatch();
    if (!match.isEmpty() && !match.equals("NotOlderThan") && !match.equals("Exact")) {
      throw ApiException.badRequest("resourceVersionMatch: Unsupported value: \"" + match + "\": supported values: \"Exact\", \"NotOlderThan\"");
    }
    if (!match.isEmpty() && rv.isEmpty()) {
      throw invalidOptions("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided");
    }
    if (!o.continueToken().isEmpty()) {
      if (!rv.isEmpty() && !rv.equals("0")) {
        throw invalidOptions("resourceVersion", "specifying resource version is not allowed when using continue");
      }
      Continue c = Continue.decode(o.continueToken());
      return listFromStorage(prefix, c.start(), o.limit(), c.revision(), filter, filtered(o), true);
    }
    long requested = parseRv(rv);
    boolean exact = match.equals("Exact") || (match.isEmpty() && o.limit() > 0 && requested > 0);
    if (exact) {
      if (requested == 0) throw invalidOptions("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
      return listFromStorage(prefix, null, o.limit(), requested, filter, filtered(o), false);
    }
    if (rv.equals("0") || (requested > 0 && cache != null && cache.revision() >= requested)) {
      // "any" or "not older than" a revision the cache already has: served from memory, limit ignored as upstream
      if (cache != null) {
        WatchCache.Snapshot s = cache.list(prefix, filter);
        List<ObjectNode> items = new ArrayList<>(s.items().size());
        for (ObjectNode i : s.items()) items.add(served(i));
        return new ListResult(items, s.revision(), "", null);
      }
    }
    if (requested > 0) {
      long current = storage.currentRevision();
      if (requested > current) {
        throw ApiException.timeout("Too large resource version: " + requested + ", current: " + current, 1);
      }
    }
    return listFromStorage(prefix, null, o.limit(), 0, filter, filtered(o), false);
  }

  private ApiException invalidOptions(String field, String detail) {
    return ApiException.invalid("meta.k8s.io", "ListOptions", "",
        List.of(new FieldError(FieldError.Type.FORBIDDEN, field, field + ": Forbidden: " + detail)));
  }

  private static boolean filtered(ListOptions o) {
    return !o.labelSelector().isEmpty() || !o.fieldSelector().isEmpty();
  }

  static long parseRv(String rv) {
    if (rv == null || rv.isEmpty()) return 0;
    try {
      long v = Long.parseLong(rv);
      if (v < 0) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resource version \"" + rv + "\"");
    }
  }

  private ListResult listFromStorage(String prefix, String start, long limit, long revision, Predicate<ObjectNode> filter,
      boolean filtered, boolean fromContinue) {
    List<ObjectNode> out = new ArrayList<>();
    long readRev = revision;
    String next = start == null ? null : root + start;
    String lastKey = null;
    boolean more;
    Long remaining = null;
    try {
      while (true) {
        // with selectors, read bigger pages: most keys may not match
        long want = limit <= 0 ? 0 : filtered ? Math.max(limit - out.size(), 500) : limit - out.size();
        Storage.Page page = storage.list(prefix, next, want, readRev);
        if (readRev == 0) readRev = page.revision();
        int examined = 0;
        for (Storage.Item i : page.items()) {
          examined++;
          lastKey = i.key();
          if (filter.test(i.object())) {
            out.add(served(i.object()));
            if (limit > 0 && out.size() >= limit) break;
          }
        }
        boolean stoppedEarly = examined < page.items().size();
        more = stoppedEarly || page.more();
        if (limit <= 0 || !page.more() || out.size() >= limit || page.items().isEmpty()) {
          if (!filtered && !stoppedEarly && page.remaining() >= 0) remaining = page.remaining();
          break;
        }
        next = lastKey + "\0";
      }
    } catch (StorageException e) {
      if (e.code() == StorageException.Code.COMPACTED) {
        if (fromContinue) {
          throw new ApiException(410, "Expired", "The provided continue parameter is too old to display a consistent list result. "
              + "You can start a new list without the continue parameter, or use the continue token in this response to "
              + "retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list "
              + "- objects that were created, modified, or deleted between the time the first chunk was returned and now "
              + "may show up in the list.");
        }
        throw ApiException.gone("The resourceVersion for the provided list is too old.");
      }
      throw map(e, "");
    }
    String token = "";
    Long remainingCount = null;
    if (more && lastKey != null) {
      token = new Continue(readRev, lastKey.substring(root.length()) + "\0").encode();
      if (remaining != null && remaining > 0) remainingCount = remaining;
    }
    return new ListResult(out, readRev, token, remainingCount);
  }

  /** The continue token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key"} as upstream encodes it. */
  record Continue(long revision, String startRelative) {
    String encode() {
      ObjectNode t = Json.object();
      t.put("v", "meta.k8s.io/v1");
      t.put("rv", revision);
      t.put("start", startRelative);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(t));
    }

    static Continue decode(String token) {
      try {
        JsonNode t = Json.parse(new String(Base64.getUrlDecoder().decode(token.replace('+', '-').replace('/', '_').replace("=", "")), StandardCharsets.UTF_8));
        if (!"meta.k8s.io/v1".equals(t.path("v").asText()) || t.path("rv").asLong() <= 0) throw new IllegalArgumentException();
        String start = t.path("start").asText();
        if (start.contains("..") || start.startsWith("/")) throw new IllegalArgumentException();
        return new Continue(t.path("rv").asLong(), start);
      } catch (RuntimeException e) {
        throw ApiException.badRequest("continue key is not valid: invalid continue token");
      }
    }

    String start() {
      return startRelative;
    }
  }

  // ---- writes

  private ApiException invalid(ObjectNode obj, List<FieldError> errors) {
    return ApiException.invalid(type.group(), type.kind(), Meta.name(obj), errors);
  }

  /** Create. The object is already decoded, kind-checked and namespace-checked by the handler. */
  public ObjectNode create(String namespace, ObjectNode obj, WriteOptions opts) {
    ObjectNode meta = Meta.meta(obj);
    if (type.namespaced()) meta.put("namespace", namespace);
    else meta.remove("namespace");
    boolean generated = Meta.name(obj).isEmpty() && !Meta.generateName(obj).isEmpty();
    for (int attempt = 0; ; attempt++) {
      // a generated name may be tried again: keep the request's object pristine then
      ObjectNode candidate = generated ? obj.deepCopy() : obj;
      if (generated) Meta.meta(candidate).put("name", generateName(Meta.generateName(obj)));
      try {
        return createOnce(namespace, candidate, opts);
      } catch (ApiException e) {
        if (generated && e.reason().equals("AlreadyExists") && attempt < MAX_NAME_GENERATION_ATTEMPTS) continue;
        if (generated && e.reason().equals("AlreadyExists")) {
          throw new ApiException(409, "AlreadyExists", e.getMessage() + ", the server was not able to generate a unique name for the object", e.details());
        }
        throw e;
      }
    }
  }

  static String generateName(String base) {
    if (base.length() > 58) base = base.substring(0, 58);
    StringBuilder b = new StringBuilder(base);
    for (int i = 0; i < 5; i++) b.append(ALPHANUMS.charAt(RANDOM.nextInt(ALPHANUMS.length())));
    return b.toString();
  }

  private ObjectNode createOnce(String namespace, ObjectNode obj, WriteOptions opts) {
    ObjectNode meta = Meta.meta(obj);
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    meta.remove("generation");
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", Meta.now());
    type.strategy().applyDefaults(type, obj);
    opts.admission().mutate("CREATE", type, namespace, "", obj, null, opts.dryRun());
    // strategies of kinds that track generation set it to 1; custom resources always do
    type.strategy().prepareForCreate(type, obj, opts.requester());
    meta = Meta.meta(obj);
    if (type.isCustom()) meta.put("generation", 1);
    if (meta.has("managedFields") && !meta.get("managedFields").isArray()) meta.remove("managedFields");
    List<FieldError> errors = new ArrayList<>();
    if (Meta.name(obj).isEmpty()) {
      errors.add(FieldError.required("metadata.name", "name or generateName is required"));
    }
    MetadataValidation.validate(type, obj, errors);
    type.strategy().validate(type, obj, errors);
    if (!errors.isEmpty()) throw invalid(obj, errors);
    opts.admission().validate("CREATE", type, namespace, "", obj, null, opts.dryRun());
    hooks.recordManagedFields(type, null, obj, opts, "");
    String name = Meta.name(obj);
    Runnable undo = hooks.beforeCreate(type, obj, opts.dryRun());
    try {
      if (opts.dryRun()) {
        if (storage.get(key(namespace, name)) != null) throw ApiException.alreadyExists(type.group(), type.plural(), name);
        return obj;
      }
      ObjectNode stored = storage.create(key(namespace, name), toStorage(obj), hooks.ttlSeconds(type));
      return served(stored);
    } catch (StorageException e) {
      undo.run();
      throw map(e, name);
    } catch (RuntimeException e) {
      undo.run();
      throw e;
    }
  }

  /**
   * Read-modify-write of one object (PUT, PATCH, status and scale writes). {@code mutate} gets the current served
   * object and returns the desired one; it may throw. {@code expectedRv} from the request body pins the revision.
   *
   * @param subresource "" for the main resource, "status" or another subresource name
   */
  public ObjectNode update(String namespace, String name, String subresource, WriteOptions opts,
      UnaryOperator<ObjectNode> mutate) {
    String key = key(namespace, name);
    final ObjectNode[] result = new ObjectNode[1];
    final boolean[] deleteNow = new boolean[1];
    try {
      ObjectNode stored = storage.update(key, 0, current -> {
        ObjectNode old = served(current);
        ObjectNode desired = mutate.apply(old.deepCopy());
        ObjectNode next = prepareUpdate(namespace, name, subresource, opts, old, desired);
        result[0] = next;
        if (opts.dryRun()) return null;
        deleteNow[0] = Meta.isDeleting(next) && !Meta.hasFinalizers(next)
            && next.path("metadata").path("deletionGracePeriodSeconds").asLong(0) == 0
            && next.path("spec").path("finalizers").size() == 0;
        return toStorage(next);
      }, hooks.ttlSeconds(type));
      if (opts.dryRun()) return result[0];
      ObjectNode out = served(stored);
      if (deleteNow[0]) {
        // the last finalizer is gone from an object being deleted: it goes now
        try {
          ObjectNode deleted = storage.delete(key, Long.parseLong(Meta.resourceVersion(stored)));
          hooks.afterDelete(type, deleted);
          return served(deleted);
        } catch (StorageException e) {
          if (e.code() != StorageException.Code.NOT_FOUND && e.code() != StorageException.Code.CONFLICT) throw map(e, name);
        }
      }
      return out;
    } catch (StorageException e) {
      throw map(e, name);
    }
  }

  private ObjectNode prepareUpdate(String namespace, String name, String subresource, WriteOptions opts,
      ObjectNode old, ObjectNode obj) {
    ObjectNode meta = Meta.meta(obj);
    // preconditions: a resourceVersion in the body must match
    String rv = Meta.resourceVersion(obj);
    if (!rv.isEmpty() && !rv.equals(Meta.resourceVersion(old))) {
      parseRv(rv);
      throw ApiException.conflict(type.group(), type.plural(), name,
          "the object has been modified; please apply your changes to the latest version and try again");
    }
    if (!Meta.name(obj).isEmpty() && !Meta.name(obj).equals(name)) {
      throw ApiException.badRequest("the name of the object (" + Meta.name(obj) + ") does not match the name on the URL (" + name + ")");
    }
    meta.put("name", name);
    if (type.namespaced()) {
      if (!Meta.namespace(obj).isEmpty() && !Meta.namespace(obj).equals(namespace)) {
        throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.put("namespace", namespace);
    }
    if (subresource.equals("delete") || subresource.equals("binding") || subresource.equals("finalize")) {
      // the server's own graceful-deletion write: metadata only
      meta.put("resourceVersion", Meta.resourceVersion(old));
      return obj;
    }
    // system fields always come from the stored object; strategies then bump generation on spec changes
    ObjectNode oldMeta = (ObjectNode) old.get("metadata");
    for (String f : new String[] {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"}) {
      if (oldMeta.has(f)) meta.set(f, oldMeta.get(f));
      else meta.remove(f);
    }
    meta.remove("selfLink");
    if (subresource.equals("status") || subresource.equals("approval") || subresource.equals("ephemeralcontainers")) {
      type.strategy().prepareForSubresourceUpdate(type, subresource, obj, old);
    } else {
      type.strategy().applyDefaults(type, obj);
      opts.admission().mutate("UPDATE", type, namespace, subresource, obj, old, opts.dryRun());
      type.strategy().prepareForUpdate(type, obj, old);
    }
    meta = Meta.meta(obj);
    meta.put("resourceVersion", Meta.resourceVersion(old));
    if (Meta.isDeleting(old) && Meta.hasFinalizers(obj)) {
      // new finalizers may not be added to an object being deleted
      List<String> oldF = strings(oldMeta.get("finalizers"));
      for (String f : strings(meta.get("finalizers"))) {
        if (!oldF.contains(f)) {
          throw ApiException.invalid(type.group(), type.kind(), name, List.of(FieldError.forbidden("metadata.finalizers",
              "no new finalizers can be added if the object is being deleted, found new finalizers []string{\"" + f + "\"}")));
        }
      }
    }
    if (type.isCustom() && specChanged(old, obj)) meta.put("generation", old.path("metadata").path("generation").asLong(0) + 1);
    List<FieldError> errors = new ArrayList<>();
    MetadataValidation.validateUpdate(type, obj, old, errors);
    type.strategy().validateUpdate(type, subresource, obj, old, errors);
    if (!errors.isEmpty()) throw invalid(obj, errors);
    opts.admission().validate("UPDATE", type, namespace, subresource, obj, old, opts.dryRun());
    hooks.recordManagedFields(type, old, obj, opts, subresource);
    hooks.beforeUpdate(type, obj, old, opts.dryRun());
    return obj;
  }

  /** Anything but metadata and status changed: upstream bumps metadata.generation then. */
  private static boolean specChanged(ObjectNode old, ObjectNode obj) {
    ObjectNode a = old.deepCopy();
    ObjectNode b = obj.deepCopy();
    for (ObjectNode o : List.of(a, b)) {
      o.remove("metadata");
      o.remove("status");
      o.remove("apiVersion");
      o.remove("kind");
    }
    return !a.equals(b);
  }

  static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr != null && arr.isArray()) arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Outcome of a delete: the object (still present when graceful or finalized) and whether it is gone. */
  public record DeleteResult(ObjectNode object, boolean deleted) {}

  public DeleteResult delete(String namespace, String name, DeleteOptions o) {
    // a write that lands between our read and the delete is not the client's conflict: decide again on the
    // fresh object (preconditions, when given, are checked against it), as upstream's storage retries
    for (int attempt = 0; ; attempt++) {
      try {
        return deleteOnce(namespace, name, o);
      } catch (StorageException e) {
        if (e.code() != StorageException.Code.CONFLICT || attempt >= 16) throw map(e, name);
      }
    }
  }

  private DeleteResult deleteOnce(String namespace, String name, DeleteOptions o) {
    String key = key(namespace, name);
    Storage.Item item = storage.get(key);
    if (item == null) throw ApiException.notFound(type.group(), type.plural(), name);
    ObjectNode current = served(item.object());
    checkPreconditions(current, o, name);
    long grace = gracePeriod(current, o);
    boolean gcFinalizers = hooks.garbageCollectionEnabled() && propagationFinalizer(o) != null;
    boolean graceful = grace > 0 || Meta.hasFinalizers(current) || gcFinalizers || type.kind().equals("Namespace") && type.group().isEmpty();
    if (graceful) {
      if (type.kind().equals("Namespace") && type.group().isEmpty()) {
        boolean hasSpecFinalizers = current.path("spec").path("finalizers").size() > 0;
        if (!hasSpecFinalizers && !Meta.hasFinalizers(current)) graceful = false;
      }
    }
    if (!graceful) {
      if (o.dryRun()) return new DeleteResult(current, true);
      ObjectNode deleted = storage.delete(key, item.modRevision());
      hooks.afterDelete(type, deleted);
      return new DeleteResult(served(deleted), true);
    }
    // graceful: mark deletionTimestamp (and grace period); finalizers and the node agent finish the job
    long gracePeriod = grace;
    ObjectNode updated = update(namespace, name, "delete", new WriteOptions(o.dryRun(), "", "Ignore", false, ""), obj -> {
      checkPreconditions(obj, o, name);
      ObjectNode meta = Meta.meta(obj);
      if (!meta.has("deletionTimestamp")) {
        meta.put("deletionTimestamp", Meta.timestamp(Instant.now().plusSeconds(gracePeriod)));
        meta.put("deletionGracePeriodSeconds", gracePeriod);
      } else if (meta.path("deletionGracePeriodSeconds").asLong(0) > gracePeriod) {
        // a shorter grace period may replace a longer one
        meta.put("deletionTimestamp", Meta.timestamp(Instant.now().plusSeconds(gracePeriod)));
        meta.put("deletionGracePeriodSeconds", gracePeriod);
      }
      if (gcFinalizers) {
        String f = propagationFinalizer(o);
        ArrayNode fin = meta.has("finalizers") ? (ArrayNode) meta.get("finalizers") : meta.putArray("finalizers");
        if (!strings(fin).contains(f)) fin.add(f);
        String other = f.equals("orphan") ? "foregroundDeletion" : "orphan";
        for (int i = fin.size() - 1; i >= 0; i--) if (fin.get(i).asText().equals(other)) fin.remove(i);
      }
      if (type.kind().equals("Namespace") && type.group().isEmpty()) {
        Json.with(obj, "status").put("phase", "Terminating");
      }
      return obj;
    });
    return new DeleteResult(updated, !Meta.isDeleting(updated));
  }

  private String propagationFinalizer(DeleteOptions o) {
    if ("Orphan".equals(o.propagationPolicy()) || Boolean.TRUE.equals(o.orphanDependents())) return "orphan";
    if ("Foreground".equals(o.propagationPolicy())) return "foregroundDeletion";
    return null;
  }

  /** Only pods delete gracefully (upstream's podStrategy.CheckGracefulDelete); others go at once. */
  private long gracePeriod(ObjectNode obj, DeleteOptions o) {
    if (!(type.group().isEmpty() && type.kind().equals("Pod"))) return 0;
    long period = o.gracePeriodSeconds() != null ? o.gracePeriodSeconds()
        : obj.path("spec").path("terminationGracePeriodSeconds").asLong(type.strategy().defaultGracePeriodSeconds(obj));
    // not scheduled, or already terminated: nothing to wait for
    if (obj.path("spec").path("nodeName").asText("").isEmpty()) period = 0;
    String phase = obj.path("status").path("phase").asText("");
    if (phase.equals("Succeeded") || phase.equals("Failed")) period = 0;
    return Math.max(period, 0);
  }

  private void checkPreconditions(ObjectNode obj, DeleteOptions o, String name) {
    if (o.preconditionUid() != null && !o.preconditionUid().equals(Meta.uid(obj))) {
      throw ApiException.conflict(type.group(), type.plural(), name,
          "Precondition failed: UID in precondition: " + o.preconditionUid() + ", UID in object meta: " + Meta.uid(obj));
    }
    if (o.preconditionResourceVersion() != null && !o.preconditionResourceVersion().equals(Meta.resourceVersion(obj))) {
      throw ApiException.conflict(type.group(), type.plural(), name,
          "Precondition failed: ResourceVersion in precondition: " + o.preconditionResourceVersion()
              + ", ResourceVersion in object meta: " + Meta.resourceVersion(obj));
    }
  }
}
