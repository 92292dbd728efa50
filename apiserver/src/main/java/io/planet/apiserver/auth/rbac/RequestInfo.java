package io.planet.apiserver.auth.rbac;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.http.ApiRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * What a request asks for, read from its method, path and query as upstream's RequestInfoFactory does: resource
 * requests under /api and /apis get a Kubernetes verb (get/list/watch/create/update/patch/delete/deletecollection,
 * or the special path verbs watch and proxy), group, version, namespace, resource, name and subresource; everything
 * else is a non-resource request whose verb is the lower-cased HTTP method.
 */
public record RequestInfo(boolean resourceRequest, String path, String verb, String apiGroup, String apiVersion,
    String namespace, String resource, String subresource, String name, List<String> parts) {

  private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
  private static final Set<String> SPECIAL_VERBS_NO_SUBRESOURCES = Set.of("proxy");
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  public static RequestInfo of(ApiRequest req) {
    return parse(req.method(), req.path(), req::param);
  }

  /** @param param a query parameter's first value, "" when absent */
  public static RequestInfo parse(String method, String path, Function<String, String> param) {
    RequestInfo nonResource = new RequestInfo(false, path, method.toLowerCase(Locale.ROOT), "", "", "", "", "", "",
        List.of());
    List<String> parts = split(path);
    if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) return nonResource;
    boolean groupless = parts.get(0).equals("api");
    parts = parts.subList(1, parts.size());
    String group = "";
    if (!groupless) {
      if (parts.size() < 3) return nonResource;
      group = parts.get(0);
      parts = parts.subList(1, parts.size());
    }
    String version = parts.get(0);
    parts = parts.subList(1, parts.size());
    String verb;
    if (SPECIAL_VERBS.contains(parts.get(0))) {
      // /api/v1/watch alone names nothing; upstream answers it as an error, here as a non-resource request
      if (parts.size() < 2) return nonResource;
      verb = parts.get(0);
      parts = parts.subList(1, parts.size());
    } else {
      verb = switch (method) {
        case "POST" -> "create";
        case "GET", "HEAD" -> "get";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> "delete";
        default -> "";
      };
    }
    String namespace = "";
    if (parts.get(0).equals("namespaces") && parts.size() > 1) {
      namespace = parts.get(1);
      // /namespaces/{ns}/{resource}... unless it is the namespace itself or its status/finalize subresource
      if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0);
    String name = parts.size() >= 2 ? parts.get(1) : "";
    String subresource = parts.size() >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.contains(verb) ? parts.get(2) : "";
    if (name.isEmpty() && verb.equals("get")) {
      verb = isTrue(param.apply("watch")) ? "watch" : "list";
    }
    // a list or watch of one object by field selector is authorized as that object (kubectl get pod x -w)
    if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
      name = exactName(param.apply("fieldSelector"));
    }
    if (name.isEmpty() && verb.equals("delete")) verb = "deletecollection";
    return new RequestInfo(true, path, verb, group, version, namespace, resource, subresource, name, List.copyOf(parts));
  }

  private static List<String> split(String path) {
    String p = path;
    while (p.startsWith("/")) p = p.substring(1);
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty()) return List.of();
    return new ArrayList<>(Arrays.asList(p.split("/", -1)));
  }

  private static boolean isTrue(String v) {
    return v.equals("1") || v.equalsIgnoreCase("true") || v.equals("t") || v.equals("T");
  }

  /** The name a field selector requires exactly (metadata.name=x or ==x), if it is a valid path segment. */
  private static String exactName(String selector) {
    if (selector == null || selector.isEmpty()) return "";
    for (String term : selector.split(",")) {
      String t = term.trim();
      String value = null;
      if (t.startsWith("metadata.name==")) value = t.substring("metadata.name==".length());
      else if (t.startsWith("metadata.name=")) value = t.substring("metadata.name=".length());
      if (value != null) {
        value = value.trim();
        boolean valid = !value.isEmpty() && !value.equals(".") && !value.equals("..") && !value.contains("/")
            && !value.contains("%");
        return valid ? value : "";
      }
    }
    return "";
  }

  /** The attributes an authorizer decides on for this request by the given user. */
  public AuthorizationAttributes attributes(UserInfo user) {
    if (!resourceRequest) return AuthorizationAttributes.nonResource(user, verb, path);
    return AuthorizationAttributes.resource(user, verb, apiGroup, apiVersion, resource, subresource, namespace, name);
  }
}
