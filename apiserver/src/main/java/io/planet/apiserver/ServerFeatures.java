package io.planet.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Meta;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import io.planet.api.apply.FieldSet;
import io.planet.api.apply.ManagedFields;
import io.planet.api.apply.PathElement;
import io.planet.api.apply.ServerSideApply;
import io.planet.api.patch.Patches;
import io.planet.api.proto.ProtobufCodec;
import io.planet.api.schema.Schema;
import io.planet.api.schema.FieldValidator;
import io.planet.api.schema.Pruning;
import io.planet.api.schema.Schemas;
import io.planet.api.openapi.OpenApiV2;
import io.planet.api.openapi.OpenApiV3;
import io.planet.api.table.TablePrinters;
import io.planet.api.table.Tables;
import io.planet.apiserver.handlers.Features;
import io.planet.apiserver.handlers.ResourcePath;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import io.planet.apiserver.storage.Storage;
import java.time.Instant;
import java.util.List;

/** The server's features wired to the api module's implementations (patches, tables, OpenAPI, protobuf, apply). */
final class ServerFeatures extends Features {
  private final ResourceRegistry registry;

  ServerFeatures(Storage storage, ResourceRegistry registry) {
    super(storage);
    this.registry = registry;
  }

  /** The structural schema of a served type (built-in or from its CRD), or null when unknown. */
  static Schema schema(ResourceType type) {
    if (type.isCustom()) return Schemas.forCustomResource(type.crd(), type.version());
    return Schemas.forKind(type.group(), type.version(), type.kind());
  }

  /** The OpenAPI document at /openapi/{path} ("v2", "v3", "v3/apis/apps/v1"), or null. */
  ObjectNode openApi(String path) {
    if (path.equals("v2")) return OpenApiV2.document(registry);
    if (path.equals("v3")) return OpenApiV3.index(registry);
    if (path.startsWith("v3/")) return OpenApiV3.document(registry, path.substring(3));
    return null;
  }

  /** Builds the schema caches off the request path (the first reflection over the model classes takes a second). */
  void warmUp() {
    Thread t = new Thread(() -> {
      try {
        OpenApiV3.index(registry);
      } catch (RuntimeException e) {
        // served lazily on first request instead
      }
    }, "openapi-warmup");
    t.setDaemon(true);
    t.start();
  }

  @Override
  protected List<String> unknownFields(ResourceType type, ObjectNode obj) {
    if (type.isCustom()) {
      // upstream's decoder prunes custom resources and reports what it dropped: one walk for both
      return FieldValidator.unknownFieldMessages(
          Pruning.prune(obj, Schemas.structuralForCustomResource(type.crd(), type.version())));
    }
    Schema schema = schema(type);
    if (schema == null) return List.of();
    return FieldValidator.unknownFieldMessages(FieldValidator.unknownFields(schema, obj));
  }

  @Override
  public ObjectNode decode(ApiRequest req, ResourceType type, WriteOptions opts, List<String> warnings) {
    ObjectNode obj = super.decode(req, type, opts, warnings);
    // custom resources: type errors are schema validation errors (422), reported with the others by their strategy
    Schema schema = type.isCustom() ? null : schema(type);
    if (schema != null) {
      String err = FieldValidator.decodeError(schema, obj);
      if (err != null) throw ApiException.badRequest(FieldValidator.decodeErrorMessage(type.kind(), type.version(), err));
    }
    return obj;
  }

  @Override
  protected ObjectNode decodeProtobuf(byte[] body) {
    return ProtobufCodec.decode(body);
  }

  @Override
  public ObjectNode table(ResourceType type, List<ObjectNode> items, String includeObject, boolean withColumns,
      String resourceVersion, String continueToken, Long remaining, Instant now) {
    return Tables.table(TablePrinters.forType(type), items, includeObject, withColumns, resourceVersion, continueToken,
        remaining, now);
  }

  @Override
  public ObjectNode applyPatch(String contentType, ObjectNode current, byte[] body, ResourceType type, WriteOptions opts,
      List<String> warnings) {
    JsonNode out = Patches.apply(contentType, current, body, schema(type), type.isCustom());
    if (!out.isObject()) throw ApiException.badRequest("the patch produced a value that is not an object");
    return (ObjectNode) out;
  }

  /** Fields the main resource's writers never own: status lives behind its own subresource. */
  private static FieldSet resetFields(ResourceType type, String sub) {
    if (sub.isEmpty() && type.hasStatus()) return FieldSet.of(io.planet.api.apply.FieldPath.of(PathElement.field("status")));
    return null;
  }

  @Override
  public ObjectNode serverSideApply(ApiRequest req, ResourcePath p, ResourceType type, Store store, WriteOptions opts,
      String sub, List<String> warnings) {
    ServerSideApply.requireManager(opts.fieldManager());
    ObjectNode applied = decode(req, type, opts, warnings);
    WriteOptions applyOpts = opts.asApply();
    Schema schema = schema(type);
    ObjectNode live;
    try {
      live = store.get(p.namespace(), p.name());
    } catch (ApiException e) {
      if (e.code() != 404 || !sub.isEmpty()) throw e;
      live = null;
    }
    if (live == null) {
      if (!Meta.name(applied).isEmpty() && !Meta.name(applied).equals(p.name())) {
        throw ApiException.badRequest("the name of the object (" + Meta.name(applied) + ") does not match the name on the URL (" + p.name() + ")");
      }
      ObjectNode created = ServerSideApply.apply(null, applied, opts.fieldManager(), opts.force(), schema, type.apiVersion(),
          Instant.now(), sub, resetFields(type, sub));
      Meta.meta(created).put("name", p.name());
      try {
        ObjectNode out = store.create(p.namespace(), created, applyOpts);
        out.put("_created", true);
        return out;
      } catch (ApiException e) {
        if (!e.reason().equals("AlreadyExists")) throw e;
        // raced with a create: apply to what is there now
      }
    }
    return store.update(p.namespace(), p.name(), sub, applyOpts, current -> {
      ObjectNode out = ServerSideApply.apply(current, applied, opts.fieldManager(), opts.force(), schema,
          type.apiVersion(), Instant.now(), sub, resetFields(type, sub));
      Meta.meta(out).put("resourceVersion", Meta.resourceVersion(current));
      return out;
    });
  }

  /** managedFields for non-apply writes. */
  static void recordManagedFields(ResourceType type, ObjectNode old, ObjectNode obj, WriteOptions opts, String sub) {
    if (opts.apply() || sub.equals("delete") || sub.equals("binding") || sub.equals("finalize")) return;
    String manager = opts.fieldManager().isEmpty() ? ManagedFields.defaultManager(opts.userAgent()) : opts.fieldManager();
    if (manager.isEmpty()) manager = "unknown";
    ManagedFields.recordUpdate(old, obj, manager, type.apiVersion(), sub, schema(type), Instant.now());
  }
}
