package io.planet.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * What the API server knows about one served resource (one group/version/resource): names for discovery,
 * scope, verbs, subresources, where it lives in etcd, and the strategy that holds its rules.
 *
 * @param storagePrefix the etcd key prefix below {@code /registry}, e.g. {@code pods},
 *     {@code services/specs}, {@code apiextensions.k8s.io/customresourcedefinitions}
 * @param storageVersion the version objects are stored in (the other versions of the same group/resource
 *     are converted from and to it)
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    Set<String> subresources,
    String storagePrefix,
    String storageVersion,
    ResourceStrategy strategy,
    ObjectNode crd) {

  public static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public String groupVersion() {
    return apiVersion();
  }

  public String listKind() {
    return kind + "List";
  }

  /** "pods" or "deployments.apps". */
  public String qualifiedResource() {
    return ApiException.qualified(group, plural);
  }

  public boolean hasStatus() {
    return subresources.contains("status");
  }

  public boolean hasScale() {
    return subresources.contains("scale");
  }

  public boolean isCustom() {
    return crd != null;
  }

  /** The verbs the collection and item endpoints support. */
  public List<String> verbs() {
    return strategy.verbs(this);
  }

  public ResourceType withVersion(String v) {
    return new ResourceType(group, v, kind, plural, singular, namespaced, shortNames, categories, subresources,
        storagePrefix, storageVersion, strategy, crd);
  }
}
