package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Meta;
import io.planet.apiserver.admission.AdmissionAttributes;
import io.planet.apiserver.admission.StoreLookup;
import io.planet.apiserver.registry.Store;
import java.util.Map;

/**
 * Whether a webhook applies to a request, as upstream's ShouldCallHook: the namespaceSelector (on the namespace's
 * labels; cluster-scoped objects other than namespaces always match), the objectSelector (on the new or the old
 * object's labels), then the rules (operations, API groups, versions, resources with subresources and wildcards,
 * scope). A missing namespace is 404, but only for a webhook whose rules match.
 */
final class WebhookMatcher {
  private final StoreLookup stores;

  WebhookMatcher(StoreLookup stores) {
    this.stores = stores;
  }

  boolean matches(Webhook w, AdmissionAttributes a) {
    ApiException namespaceError = null;
    boolean namespaceMatches;
    try {
      namespaceMatches = namespaceSelectorMatches(w, a);
    } catch (ApiException e) {
      namespaceMatches = true;
      namespaceError = e;
    }
    if (!namespaceMatches) return false;
    if (!w.objectSelector().isEmpty()
        && !labelsMatch(w, a.object()) && !labelsMatch(w, a.oldObject())) {
      return false;
    }
    boolean ruleMatches = false;
    for (JsonNode rule : w.rules()) {
      if (ruleMatches(rule, a)) {
        ruleMatches = true;
        break;
      }
    }
    if (!ruleMatches) return false;
    if (namespaceError != null) throw namespaceError;
    return true;
  }

  private static boolean labelsMatch(Webhook w, ObjectNode obj) {
    return obj != null && w.objectSelector().matches(Meta.labels(obj));
  }

  static boolean isNamespace(AdmissionAttributes a) {
    return a.type().group().isEmpty() && a.type().plural().equals("namespaces");
  }

  /** The namespace upstream's attributes carry: a namespace's own name for requests on an existing namespace. */
  static String namespaceOf(AdmissionAttributes a) {
    if (isNamespace(a)) return a.operation().equals(AdmissionAttributes.CREATE) ? "" : a.name();
    return a.namespace();
  }

  private boolean namespaceSelectorMatches(Webhook w, AdmissionAttributes a) {
    String namespace = namespaceOf(a);
    if (namespace.isEmpty() && !isNamespace(a)) return true;
    if (w.namespaceSelector().isEmpty()) return true;
    Map<String, String> labels;
    boolean write = a.operation().equals(AdmissionAttributes.CREATE) || a.operation().equals(AdmissionAttributes.UPDATE);
    if (isNamespace(a) && a.subresource().isEmpty() && write && a.object() != null) {
      // a namespace being created or updated is matched on its new labels
      labels = Meta.labels(a.object());
    } else {
      labels = Meta.labels(namespace(namespace));
    }
    return w.namespaceSelector().matches(labels);
  }

  /** From the watch cache, else from etcd (the cache may lag a just-created namespace); 404 when absent. */
  private ObjectNode namespace(String name) {
    Store namespaces = stores.store("", "v1", "namespaces");
    ObjectNode ns = namespaces.cache().get(namespaces.key("", name));
    return ns != null ? ns : namespaces.get("", name);
  }

  static boolean ruleMatches(JsonNode rule, AdmissionAttributes a) {
    return scopeMatches(rule.path("scope").asText("*"), a)
        && contains(rule.path("operations"), a.operation())
        && contains(rule.path("apiGroups"), a.type().group())
        && contains(rule.path("apiVersions"), a.type().version())
        && resourceMatches(rule.path("resources"), a.type().plural(), a.subresource());
  }

  private static boolean scopeMatches(String scope, AdmissionAttributes a) {
    boolean clusterScoped = isNamespace(a) || namespaceOf(a).isEmpty();
    return switch (scope) {
      case "*" -> true;
      case "Namespaced" -> !clusterScoped;
      case "Cluster" -> clusterScoped;
      default -> false;
    };
  }

  private static boolean contains(JsonNode items, String value) {
    for (JsonNode i : items) {
      if (i.asText().equals("*") || i.asText().equals(value)) return true;
    }
    return false;
  }

  private static boolean resourceMatches(JsonNode resources, String resource, String subresource) {
    for (JsonNode r : resources) {
      String s = r.asText();
      int slash = s.indexOf('/');
      String res = slash < 0 ? s : s.substring(0, slash);
      String sub = slash < 0 ? "" : s.substring(slash + 1);
      if ((res.equals("*") || res.equals(resource)) && (sub.equals("*") || sub.equals(subresource))) return true;
    }
    return false;
  }
}
