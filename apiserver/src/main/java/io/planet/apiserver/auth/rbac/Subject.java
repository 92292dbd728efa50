package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.auth.UserInfo;

/** A binding's subject: a User, a Group or a ServiceAccount (rbac/v1 Subject). */
public record Subject(String kind, String name, String namespace) {
  public static final String USER = "User";
  public static final String GROUP = "Group";
  public static final String SERVICE_ACCOUNT = "ServiceAccount";
  static final String SA_PREFIX = "system:serviceaccount:";

  public static Subject fromJson(JsonNode s) {
    return new Subject(s.path("kind").asText(""), s.path("name").asText(""), s.path("namespace").asText(""));
  }

  /**
   * Whether this subject names the user (upstream's appliesToUser). A ServiceAccount without a namespace means one in
   * the binding's namespace, so in a ClusterRoleBinding it matches nobody.
   */
  public boolean appliesTo(UserInfo user, String bindingNamespace) {
    return switch (kind) {
      case USER -> user.name().equals(name);
      case GROUP -> user.inGroup(name);
      case SERVICE_ACCOUNT -> {
        String ns = namespace.isEmpty() ? bindingNamespace : namespace;
        yield !ns.isEmpty() && user.name().equals(serviceAccountUser(ns, name));
      }
      default -> false;
    };
  }

  /** The user name a service account authenticates as. */
  public static String serviceAccountUser(String namespace, String name) {
    return SA_PREFIX + namespace + ":" + name;
  }

  /** The index key of this subject in a binding of the given namespace ("" for cluster bindings); null never matches. */
  String indexKey(String bindingNamespace) {
    return switch (kind) {
      case USER -> USER + ":" + name;
      case GROUP -> GROUP + ":" + name;
      case SERVICE_ACCOUNT -> {
        String ns = namespace.isEmpty() ? bindingNamespace : namespace;
        yield ns.isEmpty() ? null : USER + ":" + serviceAccountUser(ns, name);
      }
      default -> null;
    };
  }

  /** As upstream's describeSubject: {@code User "alice"}, {@code ServiceAccount "name/ns"}. */
  String describe(String bindingNamespace) {
    if (kind.equals(SERVICE_ACCOUNT)) {
      return kind + " \"" + name + "/" + (namespace.isEmpty() ? bindingNamespace : namespace) + "\"";
    }
    return kind + " \"" + name + "\"";
  }
}
