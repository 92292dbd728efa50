package io.planet.apiserver.auth.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import io.planet.apiserver.handlers.Features;
import io.planet.apiserver.handlers.ResourcePath;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import java.util.ArrayList;
import java.util.Set;
import java.util.function.Function;

/**
 * TEMPORARY bridge until the admission chain (io.planet.apiserver.admission) runs {@link NodeRestriction} itself:
 * turns a REST write by a node identity into admission attributes before the handler writes. The object an update
 * will store is previewed from the current object (PUT body, patch applied to a copy, server-side apply as a dry run),
 * so a concurrent write between the preview and the store is not seen (the chain will admit inside the update).
 * Everyone else's requests, reads and connect subresources return at once.
 */
public final class NodeRestrictionRequests {
  private static final Set<String> CONNECT_SUBRESOURCES = Set.of("proxy", "exec", "attach", "portforward", "log");
  private static final Set<String> PATCH_TYPES = Set.of("application/json-patch+json", "application/merge-patch+json",
      "application/strategic-merge-patch+json");

  private final NodeRestriction restriction;
  private final Features features;

  public NodeRestrictionRequests(ResourceRegistry registry, Function<ResourceType, Store> stores, Features features) {
    ResourceType pods = registry.get("", "v1", "pods").orElseThrow();
    ResourceType nodes = registry.get("", "v1", "nodes").orElseThrow();
    this.restriction = new NodeRestriction((ns, name) -> find(stores.apply(pods), ns, name),
        name -> find(stores.apply(nodes), "", name));
    this.features = features;
  }

  /** Throws NodeRestriction's 403 (or 404) when a node identity may not make this write. */
  public void admit(ApiRequest req, ResourcePath p, ResourceType type, Store store) {
    String method = req.method();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return;
    if (!NodeIdentity.of(req.user()).isNode() || !NodeRestriction.restricts(type.group(), type.plural())) return;
    String sub = p.subresource();
    if (CONNECT_SUBRESOURCES.contains(sub)) return;
    String op;
    ObjectNode obj = null;
    ObjectNode old = null;
    switch (method) {
      case "POST" -> {
        op = NodeRestriction.CREATE;
        obj = features.decodeAny(req, new ArrayList<>());
      }
      case "PUT" -> {
        old = find(store, p.namespace(), p.name());
        if (old == null && !sub.isEmpty()) return; // the handler answers 404
        op = old == null ? NodeRestriction.CREATE : NodeRestriction.UPDATE;
        obj = features.decodeAny(req, new ArrayList<>());
      }
      case "PATCH" -> {
        String ct = req.contentType().split(";")[0].trim().toLowerCase();
        old = find(store, p.namespace(), p.name());
        if (ct.startsWith("application/apply-patch")) {
          WriteOptions dryRun = new WriteOptions(true, req.param("fieldManager"), "Ignore", req.flag("force"),
              req.userAgent());
          obj = features.serverSideApply(req, p, type, store, dryRun, sub, new ArrayList<>());
          obj.remove("_created");
        } else {
          if (old == null || !PATCH_TYPES.contains(ct)) return; // the handler answers 404 or 415
          obj = features.applyPatch(ct, old.deepCopy(), req.body(), type, WriteOptions.DEFAULT, new ArrayList<>());
        }
        op = old == null ? NodeRestriction.CREATE : NodeRestriction.UPDATE;
      }
      case "DELETE" -> {
        if (p.name().isEmpty()) {
          // upstream admits each deleted object; refusing the whole collection is the safe approximation here
          throw ApiException.forbidden(type.group(), type.plural(), "", "node \""
              + NodeIdentity.of(req.user()).nodeName() + "\" cannot delete collections of this resource");
        }
        old = find(store, p.namespace(), p.name());
        if (old == null) return; // the handler answers 404
        op = NodeRestriction.DELETE;
      }
      default -> {
        return;
      }
    }
    restriction.admit(req.user(), op, type.group(), type.plural(), sub, p.namespace(), p.name(), obj, old);
  }

  private static ObjectNode find(Store store, String namespace, String name) {
    try {
      return store.get(namespace, name);
    } catch (ApiException e) {
      if (e.code() == 404) return null;
      throw e;
    }
  }
}
