package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.apiserver.registry.Store;
import java.util.Set;

/**
 * Upstream's NamespaceLifecycle: nothing new in a missing namespace (404) or one being terminated (403), and the
 * system namespaces default, kube-system and kube-public may not be deleted.
 */
final class NamespaceLifecycle implements AdmissionPlugin {
  private static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");
  private final StoreLookup stores;

  NamespaceLifecycle(StoreLookup stores) {
    this.stores = stores;
  }

  @Override
  public String name() {
    return AdmissionPlugins.NAMESPACE_LIFECYCLE;
  }

  @Override
  public void validate(AdmissionAttributes a) {
    if (a.operation().equals(AdmissionAttributes.DELETE) && a.isResource("", "namespaces") && IMMORTAL.contains(a.name())) {
      throw a.forbidden("this namespace may not be deleted");
    }
    if (!a.operation().equals(AdmissionAttributes.CREATE) || !a.type().namespaced() || a.namespace().isEmpty()) return;
    ObjectNode ns = namespace(stores, a.namespace());
    if (ns == null) throw ApiException.notFound("", "namespaces", a.namespace());
    if (Meta.isDeleting(ns) || "Terminating".equals(ns.path("status").path("phase").asText())) {
      ObjectNode details = Json.object();
      details.put("name", a.name());
      if (!a.type().group().isEmpty()) details.put("group", a.type().group());
      details.put("kind", a.type().plural());
      ObjectNode cause = details.putArray("causes").addObject();
      cause.put("reason", "NamespaceTerminating");
      cause.put("message", "namespace " + a.namespace() + " is being terminated");
      cause.put("field", "metadata.namespace");
      throw new ApiException(403, "Forbidden", a.type().qualifiedResource() + " \"" + a.name()
          + "\" is forbidden: unable to create new content in namespace " + a.namespace() + " because it is being terminated", details);
    }
  }

  /** The namespace from the watch cache, or from etcd when the cache has not seen it yet; null when absent. */
  static ObjectNode namespace(StoreLookup stores, String name) {
    Store namespaces = stores.store("", "v1", "namespaces");
    ObjectNode ns = namespaces.cache().get(namespaces.key("", name));
    if (ns != null) return namespaces.served(ns);
    try {
      return namespaces.get("", name);
    } catch (ApiException e) {
      if (e.code() == 404) return null;
      throw e;
    }
  }
}
