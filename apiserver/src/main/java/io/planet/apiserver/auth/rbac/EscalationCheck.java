package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.registry.WriteAdmission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * RBAC's privilege-escalation prevention (upstream's policybased storages of roles, clusterroles, rolebindings and
 * clusterrolebindings with pkg/registry/rbac/validation ConfirmNoEscalation): a user may write a Role or ClusterRole
 * only with rules they already hold (in the role's namespace, or cluster-wide) or with the {@code escalate} verb on
 * it, and a RoleBinding or ClusterRoleBinding only with {@code bind} on the referenced role or holding all its rules.
 * Members of system:masters skip the checks. Runs for user writes after mutating admission and before the strategy
 * validates, on create, update, patch and apply alike, dry-run included.
 */
public final class EscalationCheck {
  static final String GROUP = "rbac.authorization.k8s.io";
  private static final Set<String> RESOURCES = Set.of("roles", "clusterroles", "rolebindings", "clusterrolebindings");
  /** What an aggregationRule may gather: everything (upstream's fullAuthority). */
  static final List<PolicyRule> FULL_AUTHORITY = List.of(
      new PolicyRule(List.of("*"), List.of("*"), List.of("*"), List.of(), List.of()),
      new PolicyRule(List.of("*"), List.of(), List.of(), List.of(), List.of("*")));

  /** A role by resource ("roles" or "clusterroles"), namespace ("" for cluster roles) and name; 404 when absent. */
  @FunctionalInterface
  public interface RoleGetter {
    ObjectNode get(String resource, String namespace, String name);
  }

  private final PolicyIndex policy;
  private final Authorizer authorizer;
  private final RoleGetter roles;

  /**
   * @param policy the rules each user holds (upstream's rule resolver)
   * @param authorizer the server's authorizer chain, asked for {@code escalate} and {@code bind}
   * @param roles live reads of the role a binding references (upstream's GetRoleReferenceRules)
   */
  public EscalationCheck(PolicyIndex policy, Authorizer authorizer, RoleGetter roles) {
    this.policy = policy;
    this.authorizer = authorizer;
    this.roles = roles;
  }

  /** {@code next} with this check after its mutating phase, for writes by {@code user} in the request {@code info}. */
  public WriteAdmission guard(UserInfo user, RequestInfo info, WriteAdmission next) {
    return new WriteAdmission() {
      @Override
      public void mutate(String operation, ResourceType type, String namespace, String subresource, ObjectNode obj,
          ObjectNode old, boolean dryRun) {
        next.mutate(operation, type, namespace, subresource, obj, old, dryRun);
        if (type.group().equals(GROUP) && subresource.isEmpty() && RESOURCES.contains(type.plural())) {
          check(user, info, type.plural(), namespace, obj, old);
        }
      }

      @Override
      public void validate(String operation, ResourceType type, String namespace, String subresource, ObjectNode obj,
          ObjectNode old, boolean dryRun) {
        next.validate(operation, type, namespace, subresource, obj, old, dryRun);
      }
    };
  }

  /**
   * Throws 403 when {@code user} may not write {@code obj} (a create when {@code old} is null).
   *
   * @param resource roles, clusterroles, rolebindings or clusterrolebindings
   * @param namespace the request's namespace ("" for the cluster-scoped kinds)
   */
  public void check(UserInfo user, RequestInfo info, String resource, String namespace, ObjectNode obj, ObjectNode old) {
    // system:masters is the API server's own loopback identity and may do anything (upstream's EscalationAllowed)
    if (user.inGroup(UserInfo.MASTERS)) return;
    switch (resource) {
      case "roles", "clusterroles" -> checkRole(user, info, resource, namespace, obj, old);
      case "rolebindings", "clusterrolebindings" -> checkBinding(user, resource, namespace, obj, old);
      default -> throw new IllegalArgumentException(resource);
    }
  }

  private void checkRole(UserInfo user, RequestInfo info, String resource, String namespace, ObjectNode obj,
      ObjectNode old) {
    if (escalateAuthorized(user, info)) return;
    if (old != null && onlyGarbageCollectorFields(obj, old)) return;
    boolean cluster = resource.equals("clusterroles");
    String scope = cluster ? "" : namespace;
    String denied = confirmNoEscalation(user, scope, PolicyRule.rulesOf(obj));
    if (denied != null) throw ApiException.forbidden(GROUP, resource, Meta.name(obj), denied);
    // an aggregationRule can gather anything (and keeps a role from being tightened), so it takes everything
    if (cluster && (hasAggregationRule(obj) || (old != null && hasAggregationRule(old)))
        && confirmNoEscalation(user, "", FULL_AUTHORITY) != null) {
      throw ApiException.forbidden(GROUP, resource, Meta.name(obj),
          "must have cluster-admin privileges to use the aggregationRule");
    }
  }

  private void checkBinding(UserInfo user, String resource, String namespace, ObjectNode obj, ObjectNode old) {
    if (old != null && onlyGarbageCollectorFields(obj, old)) return;
    String bindingNamespace = resource.equals("rolebindings") ? namespace : "";
    JsonNode ref = obj.path("roleRef");
    String kind = ref.path("kind").asText("");
    String roleName = ref.path("name").asText("");
    if (bindAuthorized(user, kind, ref.path("apiGroup").asText(""), roleName, bindingNamespace)) return;
    String denied = confirmNoEscalation(user, bindingNamespace, roleReferenceRules(kind, roleName, bindingNamespace));
    if (denied != null) throw ApiException.forbidden(GROUP, resource, Meta.name(obj), denied);
  }

  /** {@code escalate} on the requested role (upstream's RoleEscalationAuthorized: the URL's name, "" on create). */
  private boolean escalateAuthorized(UserInfo user, RequestInfo info) {
    if (info == null || !info.resourceRequest() || !info.apiGroup().equals(GROUP)) return false;
    if (!info.resource().equals("roles") && !info.resource().equals("clusterroles")) return false;
    return authorizer.authorize(AuthorizationAttributes.resource(user, "escalate", info.apiGroup(), "*",
        info.resource(), "", info.namespace(), info.name())).allowed();
  }

  /**
   * {@code bind} on the referenced role, asked in the binding's namespace ("" for cluster role bindings), so bind on
   * a ClusterRole can be delegated per namespace (upstream's BindingAuthorized).
   */
  private boolean bindAuthorized(UserInfo user, String kind, String apiGroup, String roleName, String namespace) {
    String resource = switch (kind) {
      case "ClusterRole" -> "clusterroles";
      case "Role" -> "roles";
      default -> null;
    };
    if (resource == null) return false;
    return authorizer.authorize(AuthorizationAttributes.resource(user, "bind", apiGroup, "", resource, "", namespace,
        roleName)).allowed();
  }

  /** The rules of the role a binding references; the role's 404 when it does not exist (upstream's errors). */
  private List<PolicyRule> roleReferenceRules(String kind, String name, String bindingNamespace) {
    return switch (kind) {
      case "ClusterRole" -> PolicyRule.rulesOf(roles.get("clusterroles", "", name));
      case "Role" -> {
        if (bindingNamespace.isEmpty()) throw ApiException.badRequest("Namespace parameter required.");
        yield PolicyRule.rulesOf(roles.get("roles", bindingNamespace, name));
      }
      default -> throw ApiException.internal("unsupported role reference kind: " + Forbidden.quote(kind));
    };
  }

  /**
   * Null when the user holds every rule in the namespace ("" for cluster-wide bindings only), else upstream's
   * message: the missing rules, compacted and sorted, one a line, and the roles that could not be resolved.
   */
  String confirmNoEscalation(UserInfo user, String namespace, List<PolicyRule> rules) {
    PolicyIndex.Rules held = policy.rulesFor(user, namespace, true);
    List<PolicyRule> missing = uncovered(held.rules(), rules);
    if (missing.isEmpty()) return null;
    Set<String> descriptions = new TreeSet<>();
    for (PolicyRule r : compact(missing)) descriptions.add(r.compactString());
    String msg = "user " + Forbidden.quote(user.name()) + " (groups=" + PolicyRule.goQuoted(user.groups())
        + ") is attempting to grant RBAC permissions not currently held:\n" + String.join("\n", descriptions);
    if (!held.errors().isEmpty()) msg += "; resolution errors: [" + RbacAuthorizer.aggregate(held.errors()) + "]";
    return msg;
  }

  /** The broken-down units of {@code wanted} that no rule in {@code held} covers (upstream's Covers). */
  static List<PolicyRule> uncovered(List<PolicyRule> held, List<PolicyRule> wanted) {
    List<PolicyRule> missing = new ArrayList<>();
    for (PolicyRule rule : wanted) {
      for (PolicyRule unit : rule.breakdown()) {
        if (held.stream().noneMatch(h -> h.covers(unit))) missing.add(unit);
      }
    }
    return missing;
  }

  private record SimpleResource(String group, String resource, boolean named, String name) {}

  /**
   * Joins the verbs of missing rules on the same single group, resource and (at most one) resource name (upstream's
   * CompactRules), so a message reads {@code Verbs:["get" "list"]} instead of a line per verb.
   */
  static List<PolicyRule> compact(List<PolicyRule> rules) {
    List<PolicyRule> out = new ArrayList<>();
    Map<SimpleResource, PolicyRule> simple = new LinkedHashMap<>();
    for (PolicyRule r : rules) {
      boolean isSimple = r.resourceNames().size() <= 1 && r.nonResourceURLs().isEmpty() && r.apiGroups().size() == 1
          && r.resources().size() == 1;
      if (!isSimple) {
        out.add(r);
        continue;
      }
      SimpleResource key = new SimpleResource(r.apiGroups().get(0), r.resources().get(0), !r.resourceNames().isEmpty(),
          r.resourceNames().isEmpty() ? "" : r.resourceNames().get(0));
      PolicyRule existing = simple.get(key);
      if (existing == null) {
        simple.put(key, r);
        continue;
      }
      List<String> verbs = new ArrayList<>(existing.verbs());
      for (String v : r.verbs()) if (!verbs.contains(v)) verbs.add(v);
      simple.put(key, new PolicyRule(verbs, existing.apiGroups(), existing.resources(), existing.resourceNames(),
          existing.nonResourceURLs()));
    }
    out.addAll(simple.values());
    return out;
  }

  private static boolean hasAggregationRule(JsonNode clusterRole) {
    return clusterRole.path("aggregationRule").path("clusterRoleSelectors").size() > 0;
  }

  /**
   * Whether an update changes nothing but what the garbage collector writes while deleting (owner references and
   * finalizers, besides selfLink and managedFields), which needs no escalation check (upstream's
   * IsOnlyMutatingGCFields).
   */
  static boolean onlyGarbageCollectorFields(ObjectNode obj, ObjectNode old) {
    ObjectNode copy = obj.deepCopy();
    ObjectNode meta = Meta.meta(copy);
    JsonNode oldMeta = old.path("metadata");
    for (String f : List.of("ownerReferences", "finalizers", "selfLink", "managedFields")) {
      if (oldMeta.has(f)) meta.set(f, oldMeta.get(f).deepCopy());
      else meta.remove(f);
    }
    return copy.equals(old);
  }
}
