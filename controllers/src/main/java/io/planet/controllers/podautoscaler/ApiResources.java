package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * apiVersion + kind to the REST resource, through discovery (upstream's RESTMapper). Answers are cached; a miss
 * asks discovery again, so a CRD installed later is found.
 */
public final class ApiResources {
  /** A resolved resource: where it lives and whether it has a scale subresource. */
  public record Resource(String group, String version, String plural, boolean namespaced, boolean scalable) {
    /** The path prefix of a namespaced object collection: /api/v1/namespaces/ns/pods or /apis/g/v/namespaces/ns/r. */
    public String collection(String namespace) {
      String root = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
      return root + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
    }

    /** GroupResource.String(): {@code deployments.apps}, or {@code services} for the core group. */
    public String groupResource() {
      return group.isEmpty() ? plural : plural + "." + group;
    }
  }

  private final KubernetesClient client;
  private final Map<String, Resource> cache = new ConcurrentHashMap<>();

  public ApiResources(KubernetesClient client) {
    this.client = client;
  }

  /** Throws IllegalArgumentException with upstream's "no matches for kind" wording when discovery does not know it. */
  public Resource resolve(String apiVersion, String kind) {
    String key = apiVersion + "/" + kind;
    Resource r = cache.get(key);
    if (r != null) return r;
    r = discover(apiVersion, kind);
    cache.put(key, r);
    return r;
  }

  private Resource discover(String apiVersion, String kind) {
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
    APIResourceList list;
    try {
      list = client.getApiResources(apiVersion);
    } catch (RuntimeException e) {
      list = null;
    }
    if (list != null && list.getResources() != null) {
      for (APIResource a : list.getResources()) {
        if (a.getName().contains("/") || !kind.equals(a.getKind())) continue;
        boolean scalable = list.getResources().stream().anyMatch(s -> s.getName().equals(a.getName() + "/scale"));
        return new Resource(group, version, a.getName(), Boolean.TRUE.equals(a.getNamespaced()), scalable);
      }
    }
    throw new IllegalArgumentException("no matches for kind \"" + kind + "\" in group \"" + group + "\"");
  }
}
