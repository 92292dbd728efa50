package io.planet.apiserver.auth;

/**
 * What a request asks to do (upstream's authorizer.Attributes). A resource request names verb, API group, resource,
 * subresource, namespace and name (empty strings when absent); a non-resource request names verb and path.
 * Verbs are Kubernetes' (get, list, watch, create, update, patch, delete, deletecollection, plus impersonate, bind,
 * escalate, use …), not HTTP methods. {@code fieldSelector} is a list, watch or deletecollection's raw field selector
 * ("" when none), which upstream's authorizers may decide on (AuthorizeWithSelectors; the Node authorizer does).
 */
public record AuthorizationAttributes(UserInfo user, String verb, boolean resourceRequest, String apiGroup,
    String apiVersion, String resource, String subresource, String namespace, String name, String path,
    String fieldSelector) {

  public static AuthorizationAttributes resource(UserInfo user, String verb, String apiGroup, String apiVersion,
      String resource, String subresource, String namespace, String name) {
    return new AuthorizationAttributes(user, verb, true, nz(apiGroup), nz(apiVersion), nz(resource), nz(subresource),
        nz(namespace), nz(name), "", "");
  }

  public static AuthorizationAttributes nonResource(UserInfo user, String verb, String path) {
    return new AuthorizationAttributes(user, verb, false, "", "", "", "", "", "", nz(path), "");
  }

  /** These attributes with the request's field selector (kept for list, watch and deletecollection only). */
  public AuthorizationAttributes withFieldSelector(String selector) {
    boolean collection = verb.equals("list") || verb.equals("watch") || verb.equals("deletecollection");
    return new AuthorizationAttributes(user, verb, resourceRequest, apiGroup, apiVersion, resource, subresource,
        namespace, name, path, collection && resourceRequest ? nz(selector) : "");
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
