package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and ClusterRoleBinding. */
public final class RbacStrategy implements ResourceStrategy {
  static final String GROUP = "rbac.authorization.k8s.io";

  private final String kind;

  public RbacStrategy(String kind) {
    this.kind = kind;
  }

  private boolean isBinding() {
    return kind.endsWith("Binding");
  }

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    if (!isBinding()) return;
    Trees.putIfAbsent(Trees.with(obj, "roleRef"), "apiGroup", GROUP);
    for (ObjectNode s : Trees.items(obj, "subjects")) {
      if (s.has("apiGroup")) continue;
      switch (Trees.str(s, "kind")) {
        case "ServiceAccount" -> s.put("apiGroup", "");
        case "User", "Group" -> s.put("apiGroup", GROUP);
        default -> { }
      }
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    if (isBinding()) validateBinding(obj, errors);
    else validateRules(obj, kind.equals("Role"), errors);
  }

  private static void validateRules(ObjectNode obj, boolean namespaced, List<FieldError> errors) {
    List<ObjectNode> rules = Trees.items(obj, "rules");
    for (int i = 0; i < rules.size(); i++) {
      ObjectNode rule = rules.get(i);
      String p = "rules[" + i + "]";
      if (Trees.isEmpty(rule, "verbs")) errors.add(Errors.required(p + ".verbs", "verbs must contain at least one value"));
      if (!Trees.isEmpty(rule, "nonResourceURLs")) {
        String urls = Errors.goStringSlice(rule.get("nonResourceURLs"));
        if (namespaced) errors.add(Errors.invalidRendered(p + ".nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"));
        if (!Trees.isEmpty(rule, "apiGroups") || !Trees.isEmpty(rule, "resources") || !Trees.isEmpty(rule, "resourceNames")) {
          errors.add(Errors.invalidRendered(p + ".nonResourceURLs", urls, "rules cannot apply to both regular resources and non-resource URLs"));
        }
        continue;
      }
      if (Trees.isEmpty(rule, "apiGroups") && !rule.has("apiGroups")) {
        errors.add(Errors.required(p + ".apiGroups", "resource rules must supply at least one api group"));
      } else if (Trees.array(rule, "apiGroups") != null && rule.get("apiGroups").isEmpty()) {
        errors.add(Errors.required(p + ".apiGroups", "resource rules must supply at least one api group"));
      }
      if (Trees.isEmpty(rule, "resources")) errors.add(Errors.required(p + ".resources", "resource rules must supply at least one resource"));
    }
  }

  private void validateBinding(ObjectNode obj, List<FieldError> errors) {
    JsonNode ref = obj.get("roleRef");
    String apiGroup = Trees.str(ref, "apiGroup");
    if (!apiGroup.isEmpty() && !apiGroup.equals(GROUP)) errors.add(Errors.notSupported("roleRef.apiGroup", apiGroup, List.of(GROUP)));
    String refKind = Trees.str(ref, "kind");
    List<String> kinds = kind.equals("RoleBinding") ? List.of("Role", "ClusterRole") : List.of("ClusterRole");
    if (!kinds.contains(refKind)) errors.add(Errors.notSupported("roleRef.kind", refKind, kinds));
    String name = Trees.str(ref, "name");
    if (name.isEmpty()) errors.add(Errors.required("roleRef.name"));
    else for (String m : Names.pathSegment(name, false)) errors.add(Errors.invalid("roleRef.name", name, m));
    List<ObjectNode> subjects = Trees.items(obj, "subjects");
    for (int i = 0; i < subjects.size(); i++) {
      ObjectNode s = subjects.get(i);
      String p = "subjects[" + i + "]";
      String sname = Trees.str(s, "name");
      if (sname.isEmpty()) errors.add(Errors.required(p + ".name"));
      String sg = Trees.str(s, "apiGroup");
      switch (Trees.str(s, "kind")) {
        case "ServiceAccount" -> {
          if (!sname.isEmpty()) for (String m : Names.dns1123Subdomain(sname)) errors.add(Errors.invalid(p + ".name", sname, m));
          if (!sg.isEmpty()) errors.add(Errors.notSupported(p + ".apiGroup", sg, List.of("")));
          if (kind.equals("ClusterRoleBinding") && Trees.str(s, "namespace").isEmpty()) errors.add(Errors.required(p + ".namespace"));
        }
        case "User", "Group" -> {
          if (!sg.equals(GROUP)) errors.add(Errors.notSupported(p + ".apiGroup", sg, List.of(GROUP)));
        }
        default -> errors.add(Errors.notSupported(p + ".kind", Trees.str(s, "kind"), List.of("ServiceAccount", "User", "Group")));
      }
    }
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
    if (isBinding() && !Trees.semanticEquals(obj.get("roleRef"), old.get("roleRef"))) {
      JsonNode ref = obj.get("roleRef");
      errors.add(Errors.invalidRendered("roleRef", "rbac.RoleRef{APIGroup:" + Errors.quote(Trees.str(ref, "apiGroup"))
          + ", Kind:" + Errors.quote(Trees.str(ref, "kind")) + ", Name:" + Errors.quote(Trees.str(ref, "name")) + "}",
          "cannot change roleRef"));
    }
  }
}
