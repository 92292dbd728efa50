package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's autoregister controller, at startup: a local APIService (no spec.service) for every built-in group/version
 * this server serves, with upstream's priorities, so that {@code kubectl get apiservices} lists them as upstream does.
 */
public final class AutoRegistration {
  private AutoRegistration() {}

  /** "version.group" → {groupPriorityMinimum, versionPriority}, after kube-apiserver's table. */
  private static final Map<String, int[]> PRIORITIES = Map.ofEntries(
      Map.entry("v1.", new int[] {18000, 1}),
      Map.entry("v1.apiregistration.k8s.io", new int[] {18000, 15}),
      Map.entry("v1.apps", new int[] {17800, 15}),
      Map.entry("v1.events.k8s.io", new int[] {17750, 15}),
      Map.entry("v1.autoscaling", new int[] {17500, 15}),
      Map.entry("v2.autoscaling", new int[] {17500, 30}),
      Map.entry("v1.batch", new int[] {17400, 15}),
      Map.entry("v1.policy", new int[] {17100, 15}),
      Map.entry("v1.rbac.authorization.k8s.io", new int[] {17000, 15}),
      Map.entry("v1.apiextensions.k8s.io", new int[] {16700, 15}),
      Map.entry("v1.coordination.k8s.io", new int[] {16500, 15}),
      Map.entry("v1.discovery.k8s.io", new int[] {16200, 15}));

  /** Creates the missing local APIServices of the registry's built-in (non-CRD) group/versions. */
  public static void register(ResourceRegistry registry, Store apiServices) {
    Set<String> names = new LinkedHashSet<>();
    for (ResourceType t : registry.all()) if (!t.isCustom()) names.add(t.version() + "." + t.group());
    for (String name : names) {
      int dot = name.indexOf('.');
      int[] priority = PRIORITIES.getOrDefault(name, new int[] {1000, 100});
      ObjectNode o = Json.object();
      o.put("apiVersion", "apiregistration.k8s.io/v1");
      o.put("kind", "APIService");
      ObjectNode m = Meta.meta(o);
      m.put("name", name);
      m.putObject("labels").put("kube-aggregator.kubernetes.io/automanaged", "onstart");
      ObjectNode spec = o.putObject("spec");
      spec.put("group", name.substring(dot + 1));
      spec.put("version", name.substring(0, dot));
      spec.put("groupPriorityMinimum", priority[0]);
      spec.put("versionPriority", priority[1]);
      try {
        apiServices.get("", name);
        continue;
      } catch (ApiException e) {
        if (e.code() != 404) throw e;
      }
      try {
        apiServices.create("", o, WriteOptions.DEFAULT.withManager("kube-apiserver"));
      } catch (ApiException e) {
        if (!e.reason().equals("AlreadyExists")) throw e;
      }
    }
  }
}
