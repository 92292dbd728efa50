package io.planet.apiserver.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.auth.rbac.RequestInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An audit.k8s.io/v1 Policy: rules checked in order, the first that matches a request decides its level, the stages
 * left out (the policy's omitStages plus the rule's) and whether managedFields are left out of logged objects. A
 * request no rule matches is not audited (level None), as upstream.
 */
public final class AuditPolicy {
  public static final Set<String> STAGES = Set.of(AuditEvent.REQUEST_RECEIVED, AuditEvent.RESPONSE_STARTED,
      AuditEvent.RESPONSE_COMPLETE, AuditEvent.PANIC);

  /** What the policy decided for one request. */
  public record Decision(AuditLevel level, Set<String> omitStages, boolean omitManagedFields) {
    public static final Decision NONE = new Decision(AuditLevel.NONE, Set.of(), false);

    public boolean records(String stage) {
      return level != AuditLevel.NONE && !omitStages.contains(stage);
    }
  }

  private record GroupResources(String group, List<String> resources, List<String> resourceNames) {}

  private record Rule(AuditLevel level, List<String> users, List<String> userGroups, List<String> verbs,
      List<GroupResources> resources, List<String> namespaces, List<String> nonResourceURLs, Set<String> omitStages,
      Boolean omitManagedFields) {}

  private final List<Rule> rules;
  private final Set<String> omitStages;
  private final boolean omitManagedFields;

  private AuditPolicy(List<Rule> rules, Set<String> omitStages, boolean omitManagedFields) {
    this.rules = rules;
    this.omitStages = omitStages;
    this.omitManagedFields = omitManagedFields;
  }

  /** Without a policy file: every request at Metadata. */
  public static AuditPolicy metadataForAll() {
    return new AuditPolicy(List.of(new Rule(AuditLevel.METADATA, List.of(), List.of(), List.of(), List.of(),
        List.of(), List.of(), Set.of(), null)), Set.of(), false);
  }

  public static AuditPolicy read(Path file) throws IOException {
    try {
      return parse(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new IOException("--audit-policy-file " + file + ": " + e.getMessage(), e);
    }
  }

  public static AuditPolicy parse(String yaml) throws IOException {
    JsonNode doc = Json.YAML.readTree(yaml);
    if (doc == null || !doc.isObject()) throw new IllegalArgumentException("not a Policy object");
    if (!doc.path("kind").asText().equals("Policy")) {
      throw new IllegalArgumentException("kind must be Policy, not \"" + doc.path("kind").asText() + "\"");
    }
    String apiVersion = doc.path("apiVersion").asText();
    if (!Set.of("audit.k8s.io/v1", "audit.k8s.io/v1beta1").contains(apiVersion)) {
      throw new IllegalArgumentException("apiVersion must be audit.k8s.io/v1, not \"" + apiVersion + "\"");
    }
    List<Rule> rules = new ArrayList<>();
    int i = 0;
    for (JsonNode r : doc.path("rules")) {
      String where = "rules[" + i++ + "]";
      if (!r.hasNonNull("level")) throw new IllegalArgumentException(where + ".level: Required value");
      List<GroupResources> resources = new ArrayList<>();
      for (JsonNode g : r.path("resources")) {
        resources.add(new GroupResources(g.path("group").asText(""), strings(g.path("resources")),
            strings(g.path("resourceNames"))));
      }
      List<String> nonResourceURLs = strings(r.path("nonResourceURLs"));
      if (!nonResourceURLs.isEmpty() && (!resources.isEmpty() || r.path("namespaces").size() > 0)) {
        throw new IllegalArgumentException(where + ": rules cannot apply to both regular resources and non-resource URLs");
      }
      rules.add(new Rule(AuditLevel.parse(r.path("level").asText()), strings(r.path("users")),
          strings(r.path("userGroups")), strings(r.path("verbs")), resources, strings(r.path("namespaces")),
          nonResourceURLs, stages(r.path("omitStages"), where), r.has("omitManagedFields")
              ? r.path("omitManagedFields").asBoolean() : null));
    }
    return new AuditPolicy(List.copyOf(rules), stages(doc.path("omitStages"), "omitStages"),
        doc.path("omitManagedFields").asBoolean(false));
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : arr) out.add(n.asText());
    return List.copyOf(out);
  }

  private static Set<String> stages(JsonNode arr, String where) {
    Set<String> out = new HashSet<>();
    for (JsonNode n : arr) {
      if (!STAGES.contains(n.asText())) throw new IllegalArgumentException(where + ": unknown stage \"" + n.asText() + "\"");
      out.add(n.asText());
    }
    return Set.copyOf(out);
  }

  /** The decision for a request by {@code user} (null when authentication failed). */
  public Decision evaluate(UserInfo user, RequestInfo info) {
    for (Rule r : rules) {
      if (!matches(r, user, info)) continue;
      Set<String> omit = new HashSet<>(omitStages);
      omit.addAll(r.omitStages());
      return new Decision(r.level(), Set.copyOf(omit),
          r.omitManagedFields() != null ? r.omitManagedFields() : omitManagedFields);
    }
    return Decision.NONE;
  }

  private static boolean matches(Rule r, UserInfo user, RequestInfo info) {
    if (!r.users().isEmpty() && (user == null || !r.users().contains(user.name()))) return false;
    if (!r.userGroups().isEmpty()) {
      if (user == null || user.groups().stream().noneMatch(r.userGroups()::contains)) return false;
    }
    if (!r.verbs().isEmpty() && !r.verbs().contains(info.verb())) return false;
    if (!r.namespaces().isEmpty() || !r.resources().isEmpty()) return matchesResource(r, info);
    if (!r.nonResourceURLs().isEmpty()) return matchesNonResource(r, info);
    return true;
  }

  private static boolean matchesNonResource(Rule r, RequestInfo info) {
    if (info.resourceRequest()) return false;
    for (String spec : r.nonResourceURLs()) {
      if (spec.equals("*") || spec.equals(info.path())) return true;
      if (spec.endsWith("*") && info.path().startsWith(spec.substring(0, spec.length() - 1))) return true;
    }
    return false;
  }

  private static boolean matchesResource(Rule r, RequestInfo info) {
    if (!info.resourceRequest()) return false;
    // "" in namespaces matches cluster-scoped requests
    if (!r.namespaces().isEmpty() && !r.namespaces().contains(info.namespace())) return false;
    if (r.resources().isEmpty()) return true;
    String combined = info.subresource().isEmpty() ? info.resource() : info.resource() + "/" + info.subresource();
    for (GroupResources g : r.resources()) {
      if (!g.group().equals(info.apiGroup())) continue;
      if (g.resources().isEmpty()) return true;
      if (!g.resourceNames().isEmpty() && !g.resourceNames().contains(info.name())) continue;
      for (String res : g.resources()) {
        if (res.equals("*") || res.equals(combined)) return true;
        if (!info.subresource().isEmpty() && res.startsWith("*/") && info.subresource().equals(res.substring(2))) {
          return true;
        }
        if (res.endsWith("/*") && info.resource().equals(res.substring(0, res.length() - 2))) return true;
      }
    }
    return false;
  }
}
