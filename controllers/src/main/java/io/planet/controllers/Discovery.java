package io.planet.controllers;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API server's resources at their preferred versions, as discovery reports them (built-ins and custom). */
final class Discovery {
  /** One resource type; {@code verbs} as discovery lists them. */
  record Resource(String groupVersion, ResourceDefinitionContext context, List<String> verbs) {
    boolean supports(String verb) {
      return verbs != null && verbs.contains(verb);
    }

    String apiVersion() {
      return groupVersion;
    }

    String kind() {
      return context.getKind();
    }

    boolean namespaced() {
      return context.isNamespaceScoped();
    }

    String plural() {
      return context.getPlural();
    }
  }

  /** What discovery found, and the group versions it could not read (upstream reports those, then carries on). */
  record Result(List<Resource> resources, Map<String, String> failed) {}

  private Discovery() {}

  static Result preferredResources(KubernetesClient client) {
    List<String> groupVersions = new ArrayList<>();
    groupVersions.add("v1");
    for (APIGroup g : client.getApiGroups().getGroups()) {
      groupVersions.add(g.getPreferredVersion() != null ? g.getPreferredVersion().getGroupVersion()
          : g.getVersions().get(0).getGroupVersion());
    }
    List<Resource> out = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    for (String gv : groupVersions) {
      APIResourceList list;
      try {
        list = client.getApiResources(gv);
      } catch (RuntimeException e) {
        failed.put(gv, e.getMessage());
        continue;
      }
      if (list == null) {
        failed.put(gv, "not found");
        continue;
      }
      for (APIResource r : list.getResources()) {
        if (r.getName().contains("/")) continue; // subresources
        out.add(new Resource(gv, ResourceDefinitionContext.fromApiResource(gv, r), r.getVerbs()));
      }
    }
    return new Result(out, failed);
  }
}
