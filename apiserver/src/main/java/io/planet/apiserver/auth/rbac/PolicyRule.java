package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.auth.AuthorizationAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * One rule of a Role or ClusterRole (rbac/v1 PolicyRule) and upstream's matching of a request against it
 * (rbac/v1 helpers VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches, NonResourceURLMatches).
 */
public record PolicyRule(List<String> verbs, List<String> apiGroups, List<String> resources,
    List<String> resourceNames, List<String> nonResourceURLs) {
  static final String ALL = "*";

  public PolicyRule {
    verbs = List.copyOf(verbs);
    apiGroups = List.copyOf(apiGroups);
    resources = List.copyOf(resources);
    resourceNames = List.copyOf(resourceNames);
    nonResourceURLs = List.copyOf(nonResourceURLs);
  }

  public static PolicyRule fromJson(JsonNode rule) {
    return new PolicyRule(strings(rule, "verbs"), strings(rule, "apiGroups"), strings(rule, "resources"),
        strings(rule, "resourceNames"), strings(rule, "nonResourceURLs"));
  }

  /** The rules of a Role or ClusterRole object ({@code rules}, null or absent meaning none). */
  public static List<PolicyRule> rulesOf(JsonNode role) {
    List<PolicyRule> out = new ArrayList<>();
    for (JsonNode r : role.path("rules")) out.add(fromJson(r));
    return out;
  }

  private static List<String> strings(JsonNode rule, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : rule.path(field)) out.add(s.asText());
    return out;
  }

  public ObjectNode toJson() {
    ObjectNode o = Json.object();
    put(o, "verbs", verbs, true);
    put(o, "apiGroups", apiGroups, false);
    put(o, "resources", resources, false);
    put(o, "resourceNames", resourceNames, false);
    put(o, "nonResourceURLs", nonResourceURLs, false);
    return o;
  }

  private static void put(ObjectNode o, String field, List<String> values, boolean always) {
    if (values.isEmpty() && !always) return;
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  /** Whether this rule allows the request (upstream's RuleAllows). */
  public boolean allows(AuthorizationAttributes a) {
    if (!verbMatches(a.verb())) return false;
    if (!a.resourceRequest()) return nonResourceURLMatches(a.path());
    String combined = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
    return apiGroupMatches(a.apiGroup()) && resourceMatches(combined, a.subresource()) && resourceNameMatches(a.name());
  }

  boolean verbMatches(String verb) {
    return verbs.contains(ALL) || verbs.contains(verb);
  }

  boolean apiGroupMatches(String group) {
    return apiGroups.contains(ALL) || apiGroups.contains(group);
  }

  /** "*" matches everything, "pods/log" its own subresource, and "{@code *}/scale" any resource's scale subresource. */
  boolean resourceMatches(String combinedResource, String subresource) {
    for (String r : resources) {
      if (r.equals(ALL) || r.equals(combinedResource)) return true;
      if (!subresource.isEmpty() && r.equals("*/" + subresource)) return true;
    }
    return false;
  }

  /** No resourceNames means every name; otherwise the request must name one of them (so lists never match). */
  boolean resourceNameMatches(String name) {
    return resourceNames.isEmpty() || resourceNames.contains(name);
  }

  /** Exact paths, "*" for every path, and a trailing "*" (or several) for a prefix. */
  boolean nonResourceURLMatches(String path) {
    for (String u : nonResourceURLs) {
      if (u.equals(ALL) || u.equals(path)) return true;
      if (u.endsWith(ALL) && path.startsWith(u.replaceFirst("\\*+$", ""))) return true;
    }
    return false;
  }

  /**
   * This rule as rules of one verb, one API group and resource (and one resource name) or one non-resource URL each
   * (upstream's BreakdownRule), the units escalation checks cover one by one.
   */
  public List<PolicyRule> breakdown() {
    List<PolicyRule> out = new ArrayList<>();
    for (String group : apiGroups) {
      for (String resource : resources) {
        for (String verb : verbs) {
          if (resourceNames.isEmpty()) {
            out.add(new PolicyRule(List.of(verb), List.of(group), List.of(resource), List.of(), List.of()));
          } else {
            for (String name : resourceNames) {
              out.add(new PolicyRule(List.of(verb), List.of(group), List.of(resource), List.of(name), List.of()));
            }
          }
        }
      }
    }
    for (String url : nonResourceURLs) {
      for (String verb : verbs) out.add(new PolicyRule(List.of(verb), List.of(), List.of(), List.of(), List.of(url)));
    }
    return out;
  }

  /**
   * Whether this rule grants everything a broken-down rule does (upstream's ruleCovers), with the request matchers:
   * wildcards in the held rule cover, a wildcard asked for is covered only by a wildcard, "{@code *}/scale" covers
   * "deployments/scale", a held rule with resourceNames covers only those names and never a rule without them.
   */
  public boolean covers(PolicyRule unit) {
    if (!unit.verbs.stream().allMatch(this::verbMatches)) return false;
    if (!unit.apiGroups.stream().allMatch(this::apiGroupMatches)) return false;
    for (String r : unit.resources) {
      int slash = r.indexOf('/');
      if (!resourceMatches(r, slash < 0 ? "" : r.substring(slash + 1))) return false;
    }
    if (!unit.nonResourceURLs.stream().allMatch(this::nonResourceURLMatches)) return false;
    if (unit.resourceNames.isEmpty()) return resourceNames.isEmpty();
    return unit.resourceNames.stream().allMatch(this::resourceNameMatches);
  }

  /**
   * Upstream's CompactString, as escalation errors show a rule:
   * {@code {APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}} (Go's %q of each non-empty list).
   */
  public String compactString() {
    List<String> parts = new ArrayList<>();
    part(parts, "APIGroups", apiGroups);
    part(parts, "Resources", resources);
    part(parts, "NonResourceURLs", nonResourceURLs);
    part(parts, "ResourceNames", resourceNames);
    part(parts, "Verbs", verbs);
    return "{" + String.join(", ", parts) + "}";
  }

  private static void part(List<String> parts, String field, List<String> values) {
    if (!values.isEmpty()) parts.add(field + ":" + goQuoted(values));
  }

  /** Go's %q of a []string: {@code ["a" "b"]}. */
  static String goQuoted(List<String> values) {
    return "[" + String.join(" ", values.stream().map(Forbidden::quote).toList()) + "]";
  }
}
