package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Discovery documents: legacy ({@code APIVersions}, {@code APIGroupList}, {@code APIResourceList}) and aggregated
 * ({@code apidiscovery.k8s.io/v2} and {@code v2beta1} {@code APIGroupDiscoveryList}).
 */
public final class Discovery {
  public static final String AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  public static final String AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

  private final ResourceRegistry registry;
  private final String serverAddress;
  private volatile RemoteGroups remote = RemoteGroups.NONE;

  public Discovery(ResourceRegistry registry, String serverAddress) {
    this.registry = registry;
    this.serverAddress = serverAddress;
  }

  /** Adds the groups other servers serve through APIServices (after the local ones, as upstream's priorities put them). */
  public Discovery withRemoteGroups(RemoteGroups r) {
    this.remote = r;
    return this;
  }

  /** Local versions first, then a backend's versions the registry does not serve. */
  private List<String> versions(String group, Map<String, List<String>> remoteGroups) {
    List<String> local = registry.versions(group);
    List<String> more = remoteGroups.get(group);
    if (more == null) return local;
    List<String> all = new ArrayList<>(local);
    for (String v : more) if (!all.contains(v)) all.add(v);
    return all;
  }

  /** Every named group: the registry's, then the remote ones. */
  private Set<String> allGroups(Map<String, List<String>> remoteGroups) {
    Set<String> groups = new LinkedHashSet<>(registry.groups());
    groups.addAll(remoteGroups.keySet());
    return groups;
  }

  /** The aggregated version a client's Accept asks for first ("v2", "v2beta1"), or null for legacy. */
  public static String aggregatedVersion(String accept) {
    if (accept == null) return null;
    for (String part : accept.split(",")) {
      String p = part.replace(" ", "");
      if (p.contains("g=apidiscovery.k8s.io") && p.contains("as=APIGroupDiscoveryList")) {
        if (p.contains("v=v2beta1")) return "v2beta1";
        if (p.contains("v=v2")) return "v2";
      }
      if (p.startsWith("application/json") || p.startsWith("*/*")) return null;
    }
    return null;
  }

  public ObjectNode apiVersions() {
    ObjectNode o = Json.object();
    o.put("kind", "APIVersions");
    o.putArray("versions").add("v1");
    ArrayNode addrs = o.putArray("serverAddressByClientCIDRs");
    ObjectNode a = addrs.addObject();
    a.put("clientCIDR", "0.0.0.0/0");
    a.put("serverAddress", serverAddress);
    return o;
  }

  public ObjectNode groupList() {
    ObjectNode o = Json.object();
    o.put("kind", "APIGroupList");
    o.put("apiVersion", "v1");
    ArrayNode groups = o.putArray("groups");
    Map<String, List<String>> remoteGroups = remote.groups();
    for (String g : allGroups(remoteGroups)) {
      if (g.isEmpty()) continue;
      groups.add(group(g, remoteGroups));
    }
    return o;
  }

  /** Null when the group is not served. */
  public ObjectNode group(String g) {
    return group(g, remote.groups());
  }

  private ObjectNode group(String g, Map<String, List<String>> remoteGroups) {
    List<String> versions = versions(g, remoteGroups);
    if (versions.isEmpty()) return null;
    ObjectNode o = Json.object();
    o.put("kind", "APIGroup");
    o.put("apiVersion", "v1");
    o.put("name", g);
    ArrayNode vs = o.putArray("versions");
    for (String v : versions) {
      ObjectNode gv = vs.addObject();
      gv.put("groupVersion", g + "/" + v);
      gv.put("version", v);
    }
    ObjectNode pref = o.putObject("preferredVersion");
    pref.put("groupVersion", g + "/" + versions.get(0));
    pref.put("version", versions.get(0));
    return o;
  }

  /** Null when the group/version is not served. */
  public ObjectNode resourceList(String group, String version) {
    List<ResourceType> types = registry.resources(group, version);
    if (types.isEmpty()) return null;
    ObjectNode o = Json.object();
    o.put("kind", "APIResourceList");
    o.put("apiVersion", "v1");
    o.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode rs = o.putArray("resources");
    for (ResourceType t : types) {
      ObjectNode r = rs.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      putVerbsAndNames(r, t);
      for (String sub : t.subresources()) {
        Subresource s = Subresource.of(t, sub);
        ObjectNode sr = rs.addObject();
        sr.put("name", t.plural() + "/" + sub);
        sr.put("singularName", "");
        sr.put("namespaced", t.namespaced());
        if (!s.group().equals(t.group()) || !s.version().equals(t.version())) {
          sr.put("group", s.group());
          sr.put("version", s.version());
        }
        sr.put("kind", s.kind());
        ArrayNode sv = sr.putArray("verbs");
        s.verbs().forEach(sv::add);
      }
    }
    return o;
  }

  /** verbs, shortNames and categories: the same fields in the legacy and the aggregated documents. */
  private static void putVerbsAndNames(ObjectNode r, ResourceType t) {
    ArrayNode verbs = r.putArray("verbs");
    t.verbs().forEach(verbs::add);
    if (!t.shortNames().isEmpty()) {
      ArrayNode sn = r.putArray("shortNames");
      t.shortNames().forEach(sn::add);
    }
    if (!t.categories().isEmpty()) {
      ArrayNode c = r.putArray("categories");
      t.categories().forEach(c::add);
    }
  }

  /** What a subresource returns and accepts, as upstream's discovery lists it. */
  public record Subresource(String group, String version, String kind, List<String> verbs) {
    static Subresource of(ResourceType t, String sub) {
      return switch (sub) {
        case "status", "approval" -> new Subresource(t.group(), t.version(), t.kind(), List.of("get", "patch", "update"));
        case "scale" -> new Subresource("autoscaling", "v1", "Scale", List.of("get", "patch", "update"));
        case "binding" -> new Subresource("", "v1", "Binding", List.of("create"));
        case "eviction" -> new Subresource("policy", "v1", "Eviction", List.of("create"));
        case "log" -> new Subresource("", "v1", "Pod", List.of("get"));
        case "exec" -> new Subresource("", "v1", "PodExecOptions", List.of("create", "get"));
        case "attach" -> new Subresource("", "v1", "PodAttachOptions", List.of("create", "get"));
        case "portforward" -> new Subresource("", "v1", "PodPortForwardOptions", List.of("create", "get"));
        case "proxy" -> new Subresource("", "v1", t.kind() + "ProxyOptions",
            List.of("create", "delete", "get", "patch", "update"));
        case "ephemeralcontainers" -> new Subresource("", "v1", "Pod", List.of("get", "patch", "update"));
        case "finalize" -> new Subresource("", "v1", "Namespace", List.of("update"));
        case "token" -> new Subresource("authentication.k8s.io", "v1", "TokenRequest", List.of("create"));
        default -> new Subresource(t.group(), t.version(), t.kind(), List.of("get"));
      };
    }
  }

  /** The aggregated document of the core group ({@code /api}) or of every named group ({@code /apis}). */
  public ObjectNode aggregated(boolean core, String version) {
    ObjectNode o = Json.object();
    o.put("kind", "APIGroupDiscoveryList");
    o.put("apiVersion", "apidiscovery.k8s.io/" + version);
    o.putObject("metadata");
    ArrayNode items = o.putArray("items");
    Map<String, List<String>> remoteGroups = core ? Map.of() : remote.groups();
    for (String g : allGroups(remoteGroups)) {
      if (core != g.isEmpty()) continue;
      ObjectNode item = items.addObject();
      ObjectNode m = item.putObject("metadata");
      m.put("name", g);
      m.put("creationTimestamp", (String) null);
      ArrayNode versions = item.putArray("versions");
      for (String v : versions(g, remoteGroups)) {
        ObjectNode vo = versions.addObject();
        vo.put("version", v);
        if (registry.resources(g, v).isEmpty()) {
          addRemoteVersion(vo, g, v);
          continue;
        }
        ArrayNode rs = vo.putArray("resources");
        for (ResourceType t : registry.resources(g, v)) {
          ObjectNode r = rs.addObject();
          r.put("resource", t.plural());
          ObjectNode rk = r.putObject("responseKind");
          rk.put("group", t.group());
          rk.put("version", t.version());
          rk.put("kind", t.kind());
          r.put("scope", t.namespaced() ? "Namespaced" : "Cluster");
          r.put("singularResource", t.singular());
          putVerbsAndNames(r, t);
          if (!t.subresources().isEmpty()) {
            ArrayNode subs = r.putArray("subresources");
            for (String sub : t.subresources()) {
              Subresource s = Subresource.of(t, sub);
              ObjectNode so = subs.addObject();
              so.put("subresource", sub);
              ObjectNode sk = so.putObject("responseKind");
              sk.put("group", s.group());
              sk.put("version", s.version());
              sk.put("kind", s.kind());
              ArrayNode sv = so.putArray("verbs");
              s.verbs().forEach(sv::add);
            }
          }
        }
        vo.put("freshness", "Current");
      }
    }
    return o;
  }

  /**
   * A backend's version in the aggregated document, converted from its APIResourceList; without an answer the version
   * has no resources and is marked Stale (clients report that group as failed, as with upstream).
   */
  private void addRemoteVersion(ObjectNode vo, String group, String version) {
    ArrayNode rs = vo.putArray("resources");
    ObjectNode list = remote.resourceList(group, version);
    if (list == null) {
      vo.put("freshness", "Stale");
      return;
    }
    Map<String, ObjectNode> byName = new LinkedHashMap<>();
    for (JsonNode r : list.path("resources")) {
      String name = r.path("name").asText();
      int slash = name.indexOf('/');
      if (slash < 0) {
        ObjectNode d = rs.addObject();
        d.put("resource", name);
        putResponseKind(d, r, group, version);
        d.put("scope", r.path("namespaced").asBoolean() ? "Namespaced" : "Cluster");
        if (!r.path("singularName").asText().isEmpty()) d.put("singularResource", r.path("singularName").asText());
        for (String f : List.of("verbs", "shortNames", "categories")) if (r.path(f).isArray()) d.set(f, r.get(f).deepCopy());
        byName.put(name, d);
        continue;
      }
      ObjectNode parent = byName.get(name.substring(0, slash));
      if (parent == null) continue;
      ArrayNode subs = parent.has("subresources") ? (ArrayNode) parent.get("subresources") : parent.putArray("subresources");
      ObjectNode so = subs.addObject();
      so.put("subresource", name.substring(slash + 1));
      putResponseKind(so, r, group, version);
      if (r.path("verbs").isArray()) so.set("verbs", r.get("verbs").deepCopy());
    }
    vo.put("freshness", "Current");
  }

  private static void putResponseKind(ObjectNode d, JsonNode r, String group, String version) {
    ObjectNode rk = d.putObject("responseKind");
    rk.put("group", r.path("group").asText(group));
    rk.put("version", r.path("version").asText(version));
    rk.put("kind", r.path("kind").asText());
  }
}
