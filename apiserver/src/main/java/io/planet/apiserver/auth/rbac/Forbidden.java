package io.planet.apiserver.auth.rbac;

import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.auth.AuthorizationAttributes;

/**
 * The 403 a request gets when no authorizer allows it, worded as upstream's responsewriters.Forbidden:
 * {@code pods "x" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "dev"},
 * {@code ... at the cluster scope}, {@code forbidden: User "bob" cannot get path "/metrics"}, with the authorizer's
 * reason appended after ": " when it has one.
 */
public final class Forbidden {
  private Forbidden() {}

  /** The "User ... cannot ..." sentence (upstream's forbiddenMessage). */
  public static String message(AuthorizationAttributes a) {
    String user = a.user() == null ? "" : a.user().name();
    if (!a.resourceRequest()) {
      return "User " + quote(user) + " cannot " + a.verb() + " path " + quote(a.path());
    }
    String resource = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
    String base = "User " + quote(user) + " cannot " + a.verb() + " resource " + quote(resource) + " in API group "
        + quote(a.apiGroup());
    return a.namespace().isEmpty() ? base + " at the cluster scope" : base + " in the namespace " + quote(a.namespace());
  }

  /** The Forbidden error: status message, reason Forbidden and details {name, group, kind = resource}. */
  public static ApiException exception(AuthorizationAttributes a, String reason) {
    String why = message(a) + (reason == null || reason.isEmpty() ? "" : ": " + reason);
    if (a.resourceRequest()) return ApiException.forbidden(a.apiGroup(), a.resource(), a.name(), why);
    // no group/resource: upstream's NewForbidden with an empty qualified resource
    return new ApiException(403, "Forbidden", "forbidden: " + why, Json.object());
  }

  /** Go's %q for the plain strings Kubernetes names are. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\x%02x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
