package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A RoleBinding (namespace set) or ClusterRoleBinding (namespace "") as the authorizer needs it: the role it grants
 * and to whom.
 */
public record Binding(String namespace, String name, String roleKind, String roleName, List<Subject> subjects) {
  public Binding {
    subjects = List.copyOf(subjects);
  }

  public static Binding fromJson(JsonNode b) {
    JsonNode meta = b.path("metadata");
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : b.path("subjects")) subjects.add(Subject.fromJson(s));
    return new Binding(meta.path("namespace").asText(""), meta.path("name").asText(""),
        b.path("roleRef").path("kind").asText(""), b.path("roleRef").path("name").asText(""), subjects);
  }

  public boolean clusterScoped() {
    return namespace.isEmpty();
  }

  /** The first subject naming the user, or null (upstream's appliesTo). */
  public Subject subjectFor(io.planet.apiserver.auth.UserInfo user) {
    for (Subject s : subjects) if (s.appliesTo(user, namespace)) return s;
    return null;
  }

  /** As upstream's binding describers, e.g. {@code RoleBinding "readers/dev" of Role "reader" to User "alice"}. */
  public String describe(Subject subject) {
    String who = subject.describe(namespace);
    if (clusterScoped()) {
      return "ClusterRoleBinding \"" + name + "\" of " + roleKind + " \"" + roleName + "\" to " + who;
    }
    return "RoleBinding \"" + name + "/" + namespace + "\" of " + roleKind + " \"" + roleName + "\" to " + who;
  }
}
