package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import io.planet.api.selector.FieldSelector;
import io.planet.api.selector.LabelSelector;
import io.planet.apiserver.admission.AdmissionAttributes;
import io.planet.apiserver.admission.AdmissionChain;
import io.planet.apiserver.auth.serviceaccount.TokenRequests;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Responses;
import io.planet.apiserver.registry.DeleteOptions;
import io.planet.apiserver.registry.ListOptions;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The REST verbs on resources and their subresources (status, scale, binding, eviction, finalize). */
public final class ResourceHandler {
  private static final Set<String> PATCH_TYPES = Set.of("application/json-patch+json", "application/merge-patch+json",
      "application/strategic-merge-patch+json", "application/apply-patch+yaml", "application/apply-patch+cbor");

  private final ResourceRegistry registry;
  private final Function<ResourceType, Store> stores;
  private final WatchHandler watches;
  private final Features features;
  private final PodLogs podLogs;
  private final PodExec podExec;
  private final PodPortForward podPortForward;
  private final NodeProxy nodeProxy;
  private final EndpointProxy endpointProxy = new EndpointProxy();
  private final AdmissionChain admission;
  private TokenRequests tokenRequests;
  private io.planet.apiserver.auth.rbac.EscalationCheck escalation;

  public ResourceHandler(ResourceRegistry registry, Function<ResourceType, Store> stores, WatchHandler watches, Features features) {
    this(registry, stores, watches, features, new AdmissionChain(List.of()), KubeletClientTls.NONE);
  }

  /** {@code kubeletTls}: how logs, exec, attach, port-forward and node proxy connect to kubelets. */
  public ResourceHandler(ResourceRegistry registry, Function<ResourceType, Store> stores, WatchHandler watches, Features features,
      AdmissionChain admission, KubeletClientTls kubeletTls) {
    this.admission = admission;
    Kubelets kubelets = new Kubelets(kubeletTls);
    this.podLogs = new PodLogs(kubelets);
    this.podExec = new PodExec(kubelets);
    this.podPortForward = new PodPortForward(kubelets);
    this.nodeProxy = new NodeProxy(kubelets);
    this.registry = registry;
    this.stores = stores;
    this.watches = watches;
    this.features = features;
  }

  /** Serves serviceaccounts/token with this issuer (none: 404, as an API server without a signing key). */
  public ResourceHandler withTokenRequests(TokenRequests t) {
    this.tokenRequests = t;
    return this;
  }

  /** Checks writes to RBAC roles and bindings for privilege escalation (under RBAC authorization). */
  public ResourceHandler withEscalationCheck(io.planet.apiserver.auth.rbac.EscalationCheck check) {
    this.escalation = check;
    return this;
  }

  public void handle(ApiRequest req, ResourcePath p) {
    ResourceType type = registry.get(p.group(), p.version(), p.resource()).orElseThrow(() -> notFoundPath(req));
    if (!p.namespace().isEmpty() && !type.namespaced()) throw notFoundPath(req);
    Negotiation neg = Negotiation.of(req.accept());
    if (neg == null) {
      throw new ApiException(406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }
    Store store = stores.apply(type);
    String method = req.method();
    if (p.legacyWatch() || (method.equals("GET") && p.name().isEmpty() && (req.flag("watch")))) {
      if (!p.subresource().isEmpty()) throw notFoundPath(req);
      watches.watch(req, store, p.namespace(), p.name(), listOptions(req, store), neg);
      return;
    }
    if (!p.subresource().isEmpty()) {
      subresource(req, p, type, store, neg);
      return;
    }
    if (p.name().isEmpty()) {
      switch (method) {
        case "GET" -> list(req, p, store, neg);
        case "POST" -> create(req, p, type, store, neg);
        case "DELETE" -> deleteCollection(req, p, type, store, neg);
        default -> throw methodNotSupported(method, type);
      }
      return;
    }
    switch (method) {
      case "GET" -> {
        if (req.flag("watch")) {
          watches.watch(req, store, p.namespace(), p.name(), listOptions(req, store), neg);
          return;
        }
        ObjectNode obj = store.get(p.namespace(), p.name());
        respond(req, 200, type, obj, neg, List.of());
      }
      case "PUT" -> update(req, p, type, store, neg, "");
      case "PATCH" -> patch(req, p, type, store, neg, "");
      case "DELETE" -> delete(req, p, type, store, neg);
      default -> throw methodNotSupported(method, type);
    }
  }

  static ApiException notFoundPath(ApiRequest req) {
    return new ApiException(404, "NotFound", "the server could not find the requested resource");
  }

  private static ApiException methodNotSupported(String method, ResourceType type) {
    return ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
  }

  // ---- options

  ListOptions listOptions(ApiRequest req, Store store) {
    LabelSelector labels = LabelSelector.parse(req.param("labelSelector"));
    FieldSelector fields = FieldSelector.parse(req.param("fieldSelector"));
    if (!fields.isEmpty()) {
      Set<String> supported = features.supportedFieldSelectors(store.type());
      for (FieldSelector.Requirement r : fields.requirements()) {
        if (!supported.contains(r.field())) throw ApiException.badRequest(features.unsupportedFieldSelector(store.type(), r.field()));
      }
    }
    long limit = 0;
    if (!req.param("limit").isEmpty()) {
      try {
        limit = Long.parseLong(req.param("limit"));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid limit \"" + req.param("limit") + "\"");
      }
    }
    Long timeout = null;
    if (!req.param("timeoutSeconds").isEmpty()) {
      try {
        timeout = Long.parseLong(req.param("timeoutSeconds"));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid timeoutSeconds \"" + req.param("timeoutSeconds") + "\"");
      }
    }
    Boolean sendInitial = req.hasParam("sendInitialEvents") ? req.flag("sendInitialEvents") : null;
    return new ListOptions(labels, fields, Math.max(limit, 0), req.param("continue"), req.param("resourceVersion"),
        req.param("resourceVersionMatch"), req.flag("allowWatchBookmarks"), timeout, sendInitial);
  }

  /** The write's options with the admission chain bound to the request's user; Warning headers go to {@code warnings}. */
  WriteOptions writeOptions(ApiRequest req, List<String> warnings) {
    io.planet.apiserver.auth.UserInfo u = req.user();
    io.planet.apiserver.registry.WriteAdmission checks = admission.forRequest(u, warnings);
    if (escalation != null && u != null) {
      checks = escalation.guard(u, io.planet.apiserver.auth.rbac.RequestInfo.of(req), checks);
    }
    WriteOptions opts = writeOptions(req).withAdmission(checks);
    return u == null ? opts : opts.withRequester(new io.planet.api.Requester(u.name(), u.uid(), u.groups(), u.extra()));
  }

  WriteOptions writeOptions(ApiRequest req) {
    boolean dryRun = false;
    for (String d : req.params("dryRun")) {
      if (d.equals("All")) dryRun = true;
      else throw ApiException.invalid("meta.k8s.io", "CreateOptions", "", List.of(io.planet.api.FieldError.notSupported("dryRun", d, List.of("All"))));
    }
    String validation = req.param("fieldValidation");
    if (validation.isEmpty()) validation = "Warn";
    if (!Set.of("Strict", "Warn", "Ignore").contains(validation)) {
      throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + validation + "\": supported values: \"Ignore\", \"Warn\", \"Strict\"");
    }
    String manager = req.param("fieldManager");
    if (manager.length() > 128) {
      throw ApiException.invalid("meta.k8s.io", "UpdateOptions", "", List.of(io.planet.api.FieldError.tooLong("fieldManager", 128)));
    }
    return new WriteOptions(dryRun, manager, validation, req.flag("force"), req.userAgent());
  }

  // ---- verbs

  private void list(ApiRequest req, ResourcePath p, Store store, Negotiation neg) {
    ListOptions o = listOptions(req, store);
    Store.ListResult r = store.list(p.namespace(), o);
    ResourceType type = store.type();
    if (neg.shape() == Negotiation.Shape.TABLE) {
      ObjectNode table = features.table(type, r.items(), req.param("includeObject"), true,
          Long.toString(r.revision()), r.continueToken(), r.remainingItemCount(), Instant.now());
      if (!"v1".equals(neg.tableVersion())) table.put("apiVersion", "meta.k8s.io/" + neg.tableVersion());
      Responses.json(req, 200, table, neg.mediaType(), List.of());
      return;
    }
    ObjectNode list = Json.object();
    boolean partial = neg.shape() == Negotiation.Shape.PARTIAL_METADATA;
    list.put("kind", partial ? "PartialObjectMetadataList" : type.listKind());
    list.put("apiVersion", partial ? "meta.k8s.io/" + neg.tableVersion() : type.apiVersion());
    ObjectNode meta = list.putObject("metadata");
    meta.put("resourceVersion", Long.toString(r.revision()));
    if (!r.continueToken().isEmpty()) meta.put("continue", r.continueToken());
    if (r.remainingItemCount() != null) meta.put("remainingItemCount", r.remainingItemCount());
    ArrayNode items = list.putArray("items");
    for (ObjectNode i : r.items()) items.add(partial ? partialMetadata(i, neg.tableVersion()) : i);
    Responses.json(req, 200, list, neg.mediaType(), List.of());
  }

  static ObjectNode partialMetadata(ObjectNode obj, String version) {
    ObjectNode p = Json.object();
    p.put("kind", "PartialObjectMetadata");
    p.put("apiVersion", "meta.k8s.io/" + (version == null ? "v1" : version));
    p.set("metadata", obj.get("metadata"));
    return p;
  }

  private void respond(ApiRequest req, int code, ResourceType type, ObjectNode obj, Negotiation neg, List<String> warnings) {
    if (neg.shape() == Negotiation.Shape.TABLE) {
      ObjectNode table = features.table(type, List.of(obj), req.param("includeObject"), true,
          Meta.resourceVersion(obj), "", null, Instant.now());
      Responses.json(req, code, table, neg.mediaType(), warnings);
    } else if (neg.shape() == Negotiation.Shape.PARTIAL_METADATA) {
      Responses.json(req, code, partialMetadata(obj, neg.tableVersion()), neg.mediaType(), warnings);
    } else {
      Responses.json(req, code, obj, neg.mediaType(), warnings);
    }
  }

  /** Decodes and checks a body for a write to {@code type}: kind and apiVersion defaulted from or matched to the URL. */
  private ObjectNode body(ApiRequest req, ResourceType type, WriteOptions opts, List<String> warnings) {
    ObjectNode obj = features.decode(req, type, opts, warnings);
    checkKind(obj, type.apiVersion(), type.kind());
    return obj;
  }

  static void checkKind(ObjectNode obj, String apiVersion, String kind) {
    String av = Json.str(obj, "apiVersion");
    String k = Json.str(obj, "kind");
    if (!k.isEmpty() && !k.equals(kind)) {
      throw ApiException.badRequest("the object provided is unrecognized (must be of type " + kind + "): "
          + "kind " + k + " does not match the expected kind " + kind);
    }
    if (!av.isEmpty() && !av.equals(apiVersion)) {
      throw ApiException.badRequest("the API version in the data (" + av + ") does not match the expected API version (" + apiVersion + ")");
    }
    obj.put("apiVersion", apiVersion);
    obj.put("kind", kind);
    // keep apiVersion and kind first, as clients print them
    ObjectNode reordered = Json.object();
    reordered.put("apiVersion", apiVersion);
    reordered.put("kind", kind);
    obj.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) reordered.set(e.getKey(), e.getValue());
    });
    obj.removeAll();
    obj.setAll(reordered);
  }

  private void checkNamespace(ObjectNode obj, ResourcePath p, ResourceType type) {
    if (!type.namespaced()) return;
    String bodyNs = Meta.namespace(obj);
    if (p.namespace().isEmpty()) throw notFoundPath(null);
    if (!bodyNs.isEmpty() && !bodyNs.equals(p.namespace())) {
      throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
  }

  private void create(ApiRequest req, ResourcePath p, ResourceType type, Store store, Negotiation neg) {
    if (!type.verbs().contains("create")) throw methodNotSupported("POST", type);
    List<String> warnings = new ArrayList<>();
    WriteOptions opts = writeOptions(req, warnings);
    ObjectNode obj = body(req, type, opts, warnings);
    checkNamespace(obj, p, type);
    if (type.group().isEmpty() && type.plural().equals("bindings")) {
      bind(req, p.namespace(), Meta.name(obj), obj, opts);
      return;
    }
    ObjectNode created = store.create(p.namespace(), obj, features.forCreate(type, opts));
    respond(req, 201, type, created, neg, warnings);
  }

  private void update(ApiRequest req, ResourcePath p, ResourceType type, Store store, Negotiation neg, String sub) {
    List<String> warnings = new ArrayList<>();
    WriteOptions opts = writeOptions(req, warnings);
    ObjectNode obj = body(req, type, opts, warnings);
    if (!Meta.name(obj).isEmpty() && !Meta.name(obj).equals(p.name())) {
      throw ApiException.badRequest("the name of the object (" + Meta.name(obj) + ") does not match the name on the URL (" + p.name() + ")");
    }
    checkNamespace(obj, p, type);
    if (sub.isEmpty() && features.allowCreateOnUpdate(type) && !exists(store, p)) {
      Meta.meta(obj).put("name", p.name());
      Meta.meta(obj).remove("resourceVersion");
      ObjectNode created = store.create(p.namespace(), obj, features.forCreate(type, opts));
      respond(req, 201, type, created, neg, warnings);
      return;
    }
    // without a resourceVersion the update is unconditional for built-in kinds; custom resources require one
    if (Meta.resourceVersion(obj).isEmpty() && type.isCustom()) {
      throw ApiException.invalid(type.group(), type.kind(), p.name(), List.of(new io.planet.api.FieldError(
          io.planet.api.FieldError.Type.INVALID, "metadata.resourceVersion",
          "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")));
    }
    ObjectNode out = store.update(p.namespace(), p.name(), sub, opts, current -> obj.deepCopy());
    respond(req, 200, type, out, neg, warnings);
  }

  private boolean exists(Store store, ResourcePath p) {
    try {
      store.get(p.namespace(), p.name());
      return true;
    } catch (ApiException e) {
      if (e.code() == 404) return false;
      throw e;
    }
  }

  private void patch(ApiRequest req, ResourcePath p, ResourceType type, Store store, Negotiation neg, String sub) {
    String ct = req.contentType().split(";")[0].trim().toLowerCase();
    if (!PATCH_TYPES.contains(ct)) {
      throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
          + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
          + (type.isCustom() ? "" : ", application/strategic-merge-patch+json"));
    }
    List<String> warnings = new ArrayList<>();
    WriteOptions opts = writeOptions(req, warnings);
    if (ct.startsWith("application/apply-patch")) {
      ObjectNode out = features.serverSideApply(req, p, type, store, opts, sub, warnings);
      respond(req, out.has("_created") ? 201 : 200, type, strip(out), neg, warnings);
      return;
    }
    ObjectNode out = store.update(p.namespace(), p.name(), sub, features.forPatch(opts, ct), current -> {
      String rv = Meta.resourceVersion(current);
      ObjectNode patched = features.applyPatch(ct, current, req.body(), type, opts, warnings);
      checkKind(patched, type.apiVersion(), type.kind());
      // a resourceVersion in the patch is a precondition; otherwise the patch applies to the latest object
      if (Meta.resourceVersion(patched).isEmpty()) Meta.meta(patched).put("resourceVersion", rv);
      return patched;
    });
    respond(req, 200, type, out, neg, warnings);
  }

  private static ObjectNode strip(ObjectNode o) {
    o.remove("_created");
    return o;
  }

  private void delete(ApiRequest req, ResourcePath p, ResourceType type, Store store, Negotiation neg) {
    DeleteOptions o = deleteOptions(req);
    List<String> warnings = new ArrayList<>();
    admission.admit(req.user(), AdmissionAttributes.DELETE, type, p.namespace(), p.name(), "",
        store.get(p.namespace(), p.name()), o.dryRun(), warnings);
    Store.DeleteResult r = store.delete(p.namespace(), p.name(), o);
    int code = !r.deleted() && Boolean.FALSE.equals(o.orphanDependents()) ? 202 : 200;
    if (r.deleted() && !features.returnsDeletedObject(type)) {
      ObjectNode status = Json.object();
      status.put("kind", "Status");
      status.put("apiVersion", "v1");
      status.putObject("metadata");
      status.put("status", "Success");
      ObjectNode d = status.putObject("details");
      d.put("name", p.name());
      if (!type.group().isEmpty()) d.put("group", type.group());
      d.put("kind", type.plural());
      d.put("uid", Meta.uid(r.object()));
      Responses.json(req, code, status, neg.mediaType(), warnings);
      return;
    }
    respond(req, code, type, r.object(), neg, warnings);
  }

  DeleteOptions deleteOptions(ApiRequest req) {
    JsonNode body = null;
    if (req.body().length > 0) {
      List<String> ignored = new ArrayList<>();
      body = features.decodeAny(req, ignored);
      String kind = Json.str(body, "kind");
      if (!kind.isEmpty() && !kind.equals("DeleteOptions")) {
        throw ApiException.badRequest("the body of the request was in an unknown format");
      }
    }
    Long grace = null;
    String prop = null;
    Boolean orphan = null;
    String uid = null;
    String rv = null;
    boolean dryRun = false;
    if (body != null) {
      if (body.hasNonNull("gracePeriodSeconds")) grace = body.get("gracePeriodSeconds").asLong();
      if (body.hasNonNull("propagationPolicy")) prop = body.get("propagationPolicy").asText();
      if (body.hasNonNull("orphanDependents")) orphan = body.get("orphanDependents").asBoolean();
      JsonNode pre = body.get("preconditions");
      if (pre != null && pre.isObject()) {
        if (pre.hasNonNull("uid")) uid = pre.get("uid").asText();
        if (pre.hasNonNull("resourceVersion")) rv = pre.get("resourceVersion").asText();
      }
      for (JsonNode d : body.path("dryRun")) {
        if (d.asText().equals("All")) dryRun = true;
        else throw ApiException.badRequest("dryRun: Unsupported value: \"" + d.asText() + "\": supported values: \"All\"");
      }
    }
    if (!req.param("gracePeriodSeconds").isEmpty()) {
      try {
        grace = Long.parseLong(req.param("gracePeriodSeconds"));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid gracePeriodSeconds \"" + req.param("gracePeriodSeconds") + "\"");
      }
    }
    if (!req.param("propagationPolicy").isEmpty()) prop = req.param("propagationPolicy");
    if (!req.param("orphanDependents").isEmpty()) orphan = req.flag("orphanDependents");
    for (String d : req.params("dryRun")) {
      if (d.equals("All")) dryRun = true;
      else throw ApiException.badRequest("dryRun: Unsupported value: \"" + d + "\": supported values: \"All\"");
    }
    if (prop != null && !Set.of("Orphan", "Background", "Foreground").contains(prop)) {
      throw ApiException.invalid("meta.k8s.io", "DeleteOptions", "", List.of(io.planet.api.FieldError.notSupported(
          "propagationPolicy", prop, List.of("Foreground", "Background", "Orphan"))));
    }
    if (prop != null && orphan != null) {
      throw ApiException.invalid("meta.k8s.io", "DeleteOptions", "", List.of(io.planet.api.FieldError.invalid(
          "propagationPolicy", prop, "orphanDependents and deletionPropagation cannot be both set")));
    }
    return new DeleteOptions(grace, prop, orphan, uid, rv, dryRun);
  }

  private void deleteCollection(ApiRequest req, ResourcePath p, ResourceType type, Store store, Negotiation neg) {
    if (!type.verbs().contains("deletecollection")) throw methodNotSupported("DELETE", type);
    ListOptions lo = listOptions(req, store);
    DeleteOptions o = deleteOptions(req);
    Store.ListResult r = store.list(p.namespace(), new ListOptions(lo.labelSelector(), lo.fieldSelector(), 0, "", "", "", false, null, null));
    ObjectNode list = Json.object();
    list.put("kind", type.listKind());
    list.put("apiVersion", type.apiVersion());
    list.putObject("metadata").put("resourceVersion", Long.toString(r.revision()));
    ArrayNode items = list.putArray("items");
    for (ObjectNode i : r.items()) {
      try {
        // each item is admitted as a DELETE, as upstream's DeleteCollection does
        admission.admit(req.user(), AdmissionAttributes.DELETE, type, Meta.namespace(i), Meta.name(i), "", i, o.dryRun(),
            new ArrayList<>());
        items.add(store.delete(Meta.namespace(i), Meta.name(i), o).object());
      } catch (ApiException e) {
        if (e.code() != 404) throw e;
      }
    }
    Responses.json(req, 200, list, neg.mediaType(), List.of());
  }

  // ---- subresources

  private void subresource(ApiRequest req, ResourcePath p, ResourceType type, Store store, Negotiation neg) {
    String sub = p.subresource();
    if (!type.subresources().contains(sub)) throw notFoundPath(req);
    String method = req.method();
    switch (sub) {
      case "status" -> {
        switch (method) {
          case "GET" -> respond(req, 200, type, store.get(p.namespace(), p.name()), neg, List.of());
          case "PUT" -> update(req, p, type, store, neg, "status");
          case "PATCH" -> patch(req, p, type, store, neg, "status");
          default -> throw methodNotSupported(method, type);
        }
      }
      case "ephemeralcontainers" -> {
        // pods/ephemeralcontainers: only spec.ephemeralContainers change (the pod strategy keeps the rest)
        switch (method) {
          case "GET" -> respond(req, 200, type, store.get(p.namespace(), p.name()), neg, List.of());
          case "PUT" -> update(req, p, type, store, neg, "ephemeralcontainers");
          case "PATCH" -> patch(req, p, type, store, neg, "ephemeralcontainers");
          default -> throw methodNotSupported(method, type);
        }
      }
      case "approval" -> {
        // certificatesigningrequests/approval: only status.conditions change (the strategy keeps the rest)
        switch (method) {
          case "GET" -> respond(req, 200, type, store.get(p.namespace(), p.name()), neg, List.of());
          case "PUT" -> update(req, p, type, store, neg, "approval");
          case "PATCH" -> patch(req, p, type, store, neg, "approval");
          default -> throw methodNotSupported(method, type);
        }
      }
      case "scale" -> features.scale(req, p, type, store);
      case "binding" -> {
        if (!method.equals("POST")) throw methodNotSupported(method, type);
        WriteOptions opts = writeOptions(req);
        List<String> warnings = new ArrayList<>();
        ObjectNode b = features.decodeAny(req, warnings);
        bind(req, p.namespace(), p.name(), b, opts);
      }
      case "eviction" -> {
        if (!method.equals("POST")) throw methodNotSupported(method, type);
        ObjectNode eviction = features.decodeAny(req, new ArrayList<>());
        admission.admit(req.user(), AdmissionAttributes.CREATE, type, p.namespace(), p.name(), "eviction",
            store.get(p.namespace(), p.name()), false, new ArrayList<>());
        ResourceType pdbs = registry.get("policy", "v1", "poddisruptionbudgets").orElseThrow();
        new Eviction(store, stores.apply(pdbs)).evict(p.namespace(), p.name(), eviction);
        Responses.json(req, 201, createdStatus());
      }
      case "token" -> {
        if (tokenRequests == null) throw notFoundPath(req);
        if (!method.equals("POST")) throw methodNotSupported(method, type);
        ObjectNode request = features.decodeAny(req, new ArrayList<>());
        Responses.json(req, 201, tokenRequests.create(p.namespace(), p.name(), request), neg.mediaType(), List.of());
      }
      case "finalize" -> {
        if (!method.equals("PUT")) throw methodNotSupported(method, type);
        WriteOptions opts = writeOptions(req);
        List<String> warnings = new ArrayList<>();
        ObjectNode obj = body(req, type, opts, warnings);
        ObjectNode out = store.update("", p.name(), "finalize", opts, current -> {
          ObjectNode next = current.deepCopy();
          JsonNode fin = obj.path("spec").get("finalizers");
          if (fin == null) Json.with(next, "spec").remove("finalizers");
          else Json.with(next, "spec").set("finalizers", fin);
          String rv = Meta.resourceVersion(obj);
          if (!rv.isEmpty()) Meta.meta(next).put("resourceVersion", rv);
          return next;
        });
        features.afterFinalize(type, store, out);
        respond(req, 200, type, out, neg, List.of());
      }
      case "log" -> {
        if (!method.equals("GET")) throw methodNotSupported(method, type);
        ResourceType nodes = registry.get("", "v1", "nodes").orElseThrow();
        podLogs.serve(req, store.get(p.namespace(), p.name()), stores.apply(nodes));
      }
      case "exec" -> {
        if (!method.equals("GET") && !method.equals("POST")) throw methodNotSupported(method, type);
        admitConnect(req, p, type);
        ResourceType nodes = registry.get("", "v1", "nodes").orElseThrow();
        podExec.serve(req, store.get(p.namespace(), p.name()), stores.apply(nodes));
      }
      case "proxy" -> {
        // the path keeps its trailing slash, as upstream's JoinPreservingTrailingSlash
        String path = p.proxyPath().isEmpty() || !req.path().endsWith("/") || p.proxyPath().endsWith("/")
            ? p.proxyPath() : p.proxyPath() + "/";
        admitConnect(req, p, type);
        if (type.kind().equals("Node")) {
          nodeProxy.serve(req, store.get("", p.name()), path);
        } else if (type.kind().equals("Pod")) {
          EndpointProxy.Target t = EndpointProxy.Target.parse(p.name(), "pod");
          endpointProxy.serve(req, EndpointProxy.podLocation(t, store.get(p.namespace(), t.name())), path);
        } else if (type.kind().equals("Service")) {
          EndpointProxy.Target t = EndpointProxy.Target.parse(p.name(), "service");
          ObjectNode service = store.get(p.namespace(), t.name());
          Store endpoints = stores.apply(registry.get("", "v1", "endpoints").orElseThrow());
          endpointProxy.serve(req, EndpointProxy.serviceLocation(t, service, endpoints.get(p.namespace(), t.name())), path);
        } else {
          features.connect(req, p, type, store);
        }
      }
      case "attach" -> {
        if (!method.equals("GET") && !method.equals("POST")) throw methodNotSupported(method, type);
        admitConnect(req, p, type);
        ResourceType nodes = registry.get("", "v1", "nodes").orElseThrow();
        podExec.serve(req, store.get(p.namespace(), p.name()), stores.apply(nodes), "attach");
      }
      case "portforward" -> {
        if (!method.equals("GET") && !method.equals("POST")) throw methodNotSupported(method, type);
        admitConnect(req, p, type);
        ResourceType nodes = registry.get("", "v1", "nodes").orElseThrow();
        podPortForward.serve(req, store.get(p.namespace(), p.name()), stores.apply(nodes));
      }
      default -> features.connect(req, p, type, store);
    }
  }

  /** A CONNECT (exec, attach, port-forward, proxy) goes through admission as upstream's connecter handler does. */
  private void admitConnect(ApiRequest req, ResourcePath p, ResourceType type) {
    admission.admit(req.user(), AdmissionAttributes.CONNECT, type, p.namespace(), p.name(), p.subresource(), null, false,
        new ArrayList<>());
  }

  /** pods/binding: sets spec.nodeName once; 409 when already bound, as upstream's BindingREST. */
  private void bind(ApiRequest req, String namespace, String podName, ObjectNode binding, WriteOptions opts) {
    String target = Json.str(binding.get("target"), "name");
    if (target.isEmpty()) {
      throw ApiException.invalid("", "Binding", podName, List.of(io.planet.api.FieldError.required("target.name", "")));
    }
    ResourceType pods = registry.get("", "v1", "pods").orElseThrow();
    Store store = stores.apply(pods);
    store.update(namespace, podName, "binding", opts, pod -> {
      if (Meta.isDeleting(pod)) {
        throw ApiException.conflict("", "pods", podName, "pod " + podName + " is being deleted, cannot be assigned to a host");
      }
      String current = pod.path("spec").path("nodeName").asText("");
      if (!current.isEmpty()) {
        throw ApiException.conflict("", "pods/binding", podName, "pod " + podName + " is already assigned to node \"" + current + "\"");
      }
      Json.with(pod, "spec").put("nodeName", target);
      ObjectNode status = Json.with(pod, "status");
      ArrayNode conds = status.has("conditions") ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
      for (int i = conds.size() - 1; i >= 0; i--) if (conds.get(i).path("type").asText().equals("PodScheduled")) conds.remove(i);
      ObjectNode c = conds.addObject();
      c.put("type", "PodScheduled");
      c.put("status", "True");
      c.putNull("lastProbeTime");
      c.put("lastTransitionTime", Meta.now());
      JsonNode ann = Json.at(binding, "metadata", "annotations");
      if (ann != null && ann.isObject()) Json.with(Meta.meta(pod), "annotations").setAll((ObjectNode) ann);
      return pod;
    });
    Responses.json(req, 201, createdStatus());
  }

  /** What binding and eviction answer: a Success Status with code 201. */
  private static ObjectNode createdStatus() {
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    status.put("code", 201);
    return status;
  }
}
