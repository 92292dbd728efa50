package io.planet.apiserver.auth;

/**
 * What a request asks to do (upstream's authorizer.Attributes). A resource request names verb, API group, resource,
 * subresource, namespace and name (empty strings when absent); a non-resource request names verb and path.
 * Verbs are Kubernetes' (get, list, watch, create, update, patch, delete, deletecollection, plus impersonate, bind,
 * escalate, use …), not HTTP methods.
 */
public record AuthorizationAttributes(UserInfo user, String verb, boolean resourceRequest, String apiGroup,
    String apiVersion, String resource, String subresource, String namespace, String name, String path) {

  public static AuthorizationAttributes resource(UserInfo user, String verb, String apiGroup, String apiVersion,
      String resource, String subresource, String namespace, String name) {
    return new AuthorizationAttributes(user, verb, true, nz(apiGroup), nz(apiVersion), nz(resource), nz(subresource),
        nz(namespace), nz(name), "");
  }

  public static AuthorizationAttributes nonResource(UserInfo user, String verb, String path) {
    return new AuthorizationAttributes(user, verb, false, "", "", "", "", "", "", nz(path));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
