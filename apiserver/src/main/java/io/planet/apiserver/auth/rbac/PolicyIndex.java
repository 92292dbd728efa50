package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.auth.UserInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RBAC objects in memory, shaped for authorization: role rules by name and bindings indexed by subject (user
 * name, group name, service-account user), so a decision looks at the bindings of the requesting user only, however
 * many bindings the cluster has. Fed by {@link PolicySync}; reads are lock-free.
 */
public final class PolicyIndex {
  /** The four RBAC resources and where they are stored. */
  public enum Kind {
    ROLE("rbac.authorization.k8s.io/roles"),
    CLUSTER_ROLE("rbac.authorization.k8s.io/clusterroles"),
    ROLE_BINDING("rbac.authorization.k8s.io/rolebindings"),
    CLUSTER_ROLE_BINDING("rbac.authorization.k8s.io/clusterrolebindings");

    public final String storagePrefix;

    Kind(String storagePrefix) {
      this.storagePrefix = storagePrefix;
    }
  }

  /** Receives rules in upstream's order (cluster role bindings, then role bindings); false stops the walk. */
  @FunctionalInterface
  public interface RuleVisitor {
    /** {@code source} describes the binding (null with an error); {@code error} is set when a role is missing. */
    boolean visit(String source, PolicyRule rule, String error);
  }

  private final Map<String, List<PolicyRule>> clusterRoles = new ConcurrentHashMap<>();
  /** namespace/name → rules. */
  private final Map<String, List<PolicyRule>> roles = new ConcurrentHashMap<>();
  /** namespace/name ("/name" for cluster role bindings) → binding. */
  private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
  /** namespace|subject key → bindings naming that subject ("" namespace for cluster role bindings). */
  private final Map<String, Set<Binding>> bySubject = new ConcurrentHashMap<>();

  /** Adds or replaces an object of the given kind. */
  public void put(Kind kind, JsonNode obj) {
    String ns = obj.path("metadata").path("namespace").asText("");
    String name = obj.path("metadata").path("name").asText("");
    switch (kind) {
      case ROLE -> roles.put(ns + "/" + name, PolicyRule.rulesOf(obj));
      case CLUSTER_ROLE -> clusterRoles.put(name, PolicyRule.rulesOf(obj));
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> putBinding(Binding.fromJson(obj));
    }
  }

  public void remove(Kind kind, String namespace, String name) {
    switch (kind) {
      case ROLE -> roles.remove(namespace + "/" + name);
      case CLUSTER_ROLE -> clusterRoles.remove(name);
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> removeBinding(namespace + "/" + name);
    }
  }

  /** Forgets every object of a kind (before its source lists again). */
  public synchronized void clear(Kind kind) {
    switch (kind) {
      case ROLE -> roles.clear();
      case CLUSTER_ROLE -> clusterRoles.clear();
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> {
        boolean cluster = kind == Kind.CLUSTER_ROLE_BINDING;
        for (Binding b : List.copyOf(bindings.values())) {
          if (b.clusterScoped() == cluster) removeBinding(b.namespace() + "/" + b.name());
        }
      }
    }
  }

  private synchronized void putBinding(Binding b) {
    removeBinding(b.namespace() + "/" + b.name());
    bindings.put(b.namespace() + "/" + b.name(), b);
    for (Subject s : b.subjects()) {
      String key = s.indexKey(b.namespace());
      if (key != null) bySubject.computeIfAbsent(b.namespace() + "|" + key, k -> ConcurrentHashMap.newKeySet()).add(b);
    }
  }

  private synchronized void removeBinding(String key) {
    Binding old = bindings.remove(key);
    if (old == null) return;
    for (Subject s : old.subjects()) {
      String k = s.indexKey(old.namespace());
      if (k == null) continue;
      Set<Binding> set = bySubject.get(old.namespace() + "|" + k);
      if (set == null) continue;
      set.remove(old);
      if (set.isEmpty()) bySubject.remove(old.namespace() + "|" + k);
    }
  }

  /** The bindings in a namespace ("" for cluster role bindings) that may name the user, by name. */
  private List<Binding> candidates(UserInfo user, String namespace) {
    Set<Binding> out = new LinkedHashSet<>();
    addAll(out, namespace + "|" + Subject.USER + ":" + user.name());
    for (String g : user.groups()) addAll(out, namespace + "|" + Subject.GROUP + ":" + g);
    List<Binding> sorted = new ArrayList<>(out);
    sorted.sort(Comparator.comparing(Binding::name));
    return sorted;
  }

  private void addAll(Set<Binding> out, String key) {
    Set<Binding> s = bySubject.get(key);
    if (s != null) out.addAll(s);
  }

  /**
   * Walks the rules that apply to the user in the namespace (upstream's VisitRulesFor): those of the cluster role
   * bindings naming the user, then, for a namespaced request, those of the namespace's role bindings.
   */
  public void visitRulesFor(UserInfo user, String namespace, RuleVisitor visitor) {
    visitRulesFor(user, namespace, false, visitor);
  }

  /** {@code registryWording}: missing roles worded as the registry's NotFound, as upstream's RBAC storage resolves. */
  private void visitRulesFor(UserInfo user, String namespace, boolean registryWording, RuleVisitor visitor) {
    if (!visit(user, "", registryWording, visitor)) return;
    if (!namespace.isEmpty()) visit(user, namespace, registryWording, visitor);
  }

  private boolean visit(UserInfo user, String namespace, boolean registryWording, RuleVisitor visitor) {
    for (Binding b : candidates(user, namespace)) {
      Subject subject = b.subjectFor(user);
      if (subject == null) continue;
      List<PolicyRule> rules = switch (b.roleKind()) {
        case "ClusterRole" -> clusterRoles.get(b.roleName());
        case "Role" -> namespace.isEmpty() ? null : roles.get(namespace + "/" + b.roleName());
        default -> null;
      };
      if (rules == null) {
        if (!visitor.visit(null, null, missingRole(b, registryWording))) return false;
        continue;
      }
      String source = b.describe(subject);
      for (PolicyRule r : rules) if (!visitor.visit(source, r, null)) return false;
    }
    return true;
  }

  /**
   * The error texts of upstream's listers (the authorizer's, singular resource) or of its registry (the RBAC
   * storage's escalation checks, plural).
   */
  private static String missingRole(Binding b, boolean registryWording) {
    String plural = registryWording ? "s" : "";
    return switch (b.roleKind()) {
      case "ClusterRole" -> "clusterrole" + plural + ".rbac.authorization.k8s.io \"" + b.roleName() + "\" not found";
      case "Role" -> "role" + plural + ".rbac.authorization.k8s.io \"" + b.roleName() + "\" not found";
      default -> "unsupported role reference kind: \"" + b.roleKind() + "\"";
    };
  }

  /** The rules that apply to the user in the namespace and the errors met (upstream's RulesFor). */
  public Rules rulesFor(UserInfo user, String namespace) {
    return rulesFor(user, namespace, false);
  }

  /** As {@link #rulesFor(UserInfo, String)}; {@code registryWording} as upstream's RBAC storage words missing roles. */
  public Rules rulesFor(UserInfo user, String namespace, boolean registryWording) {
    List<PolicyRule> rules = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    visitRulesFor(user, namespace, registryWording, (source, rule, error) -> {
      if (rule != null) rules.add(rule);
      if (error != null) errors.add(error);
      return true;
    });
    return new Rules(rules, errors);
  }

  public record Rules(List<PolicyRule> rules, List<String> errors) {}

  /** How many bindings are indexed (for tests and metrics). */
  public int bindingCount() {
    return bindings.size();
  }
}
