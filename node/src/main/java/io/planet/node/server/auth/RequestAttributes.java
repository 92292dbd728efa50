package io.planet.node.server.auth;

/**
 * What a kubelet API request amounts to in API terms, as upstream's nodeAuthorizerAttributesGetter maps it: the
 * node itself ({@code nodes/<name>}) with a subresource chosen by path — {@code /stats} stats, {@code /metrics}
 * metrics, {@code /logs} log, {@code /spec} spec, {@code /checkpoint} checkpoint, everything else (exec, attach,
 * portForward, containerLogs, run, pods, healthz…) proxy — and the verb by HTTP method.
 */
public record RequestAttributes(KubeletUser user, String verb, String resource, String subresource, String name,
    String path) {

  public static RequestAttributes of(KubeletUser user, String method, String path, String nodeName) {
    String subresource = "proxy";
    if (isSubpath(path, "/stats/")) {
      subresource = "stats";
    } else if (isSubpath(path, "/metrics")) {
      subresource = "metrics";
    } else if (isSubpath(path, "/logs/")) {
      subresource = "log";
    } else if (isSubpath(path, "/checkpoint")) {
      subresource = "checkpoint";
    } else if (isSubpath(path, "/spec/")) {
      subresource = "spec";
    }
    return new RequestAttributes(user, verb(method), "nodes", subresource, nodeName, path);
  }

  /** The API verb of an HTTP method; others (HEAD, OPTIONS…) map to none, which no rule grants. */
  static String verb(String method) {
    return switch (method) {
      case "POST" -> "create";
      case "GET" -> "get";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> "";
    };
  }

  /** {@code path} is {@code prefix} (trailing slash ignored) or below it. */
  static boolean isSubpath(String path, String prefix) {
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return path.equals(p) || (path.startsWith(p) && path.charAt(p.length()) == '/');
  }

  /** Upstream's words when the answer is no. */
  public String forbidden() {
    return "Forbidden (user=" + user.name() + ", verb=" + verb + ", resource=" + resource + ", subresource="
        + subresource + ")";
  }

  /** Upstream's words when the authorizer could not answer. */
  public String authorizationError() {
    return "Authorization error (user=" + user.name() + ", verb=" + verb + ", resource=" + resource + ", subresource="
        + subresource + ")";
  }
}
