package io.planet.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client-visible API error. Every error the API server returns is rendered from one of these as a
 * {@code meta.k8s.io/v1 Status} (kind, code, reason, message, details), as upstream does.
 */
public class ApiException extends RuntimeException {
  private final int code;
  private final String reason;
  private final ObjectNode details;
  private Integer retryAfterSeconds;

  public ApiException(int code, String reason, String message, ObjectNode details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  public ApiException(int code, String reason, String message) {
    this(code, reason, message, null);
  }

  public int code() { return code; }
  public String reason() { return reason; }
  public ObjectNode details() { return details; }
  public Integer retryAfterSeconds() { return retryAfterSeconds; }

  public ApiException retryAfter(int seconds) {
    this.retryAfterSeconds = seconds;
    if (details != null) details.put("retryAfterSeconds", seconds);
    return this;
  }

  private static ObjectNode details(String group, String kind, String name) {
    ObjectNode d = Json.object();
    if (name != null && !name.isEmpty()) d.put("name", name);
    if (group != null && !group.isEmpty()) d.put("group", group);
    if (kind != null) d.put("kind", kind);
    return d;
  }

  /** "pods" or "deployments.apps", as upstream's qualified resource appears in messages. */
  public static String qualified(String group, String resource) {
    return group == null || group.isEmpty() ? resource : resource + "." + group;
  }

  public static ApiException notFound(String group, String resource, String name) {
    return new ApiException(404, "NotFound",
        qualified(group, resource) + " \"" + name + "\" not found", details(group, resource, name));
  }

  public static ApiException alreadyExists(String group, String resource, String name) {
    return new ApiException(409, "AlreadyExists",
        qualified(group, resource) + " \"" + name + "\" already exists", details(group, resource, name));
  }

  public static ApiException conflict(String group, String resource, String name, String why) {
    return new ApiException(409, "Conflict",
        "Operation cannot be fulfilled on " + qualified(group, resource) + " \"" + name + "\": " + why,
        details(group, resource, name));
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message);
  }

  public static ApiException gone(String message) {
    return new ApiException(410, "Expired", message);
  }

  public static ApiException methodNotAllowed(String message) {
    return new ApiException(405, "MethodNotAllowed", message);
  }

  public static ApiException forbidden(String group, String resource, String name, String why) {
    return new ApiException(403, "Forbidden",
        qualified(group, resource) + (name == null || name.isEmpty() ? "" : " \"" + name + "\"") + " is forbidden: " + why,
        details(group, resource, name));
  }

  public static ApiException unsupportedMediaType(String contentType) {
    return new ApiException(415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
            + "application/json, application/yaml, application/vnd.kubernetes.protobuf");
  }

  public static ApiException internal(String message) {
    return new ApiException(500, "InternalError", "Internal error occurred: " + message);
  }

  public static ApiException timeout(String message, int retryAfter) {
    ApiException e = new ApiException(504, "Timeout", message, Json.object());
    return e.retryAfter(retryAfter);
  }

  /** 422 Invalid with one cause per field, as upstream's {@code NewInvalid}. */
  public static ApiException invalid(String group, String kind, String name, java.util.List<FieldError> errors) {
    ObjectNode d = details(group, kind, name);
    ArrayNode causes = d.putArray("causes");
    StringBuilder msg = new StringBuilder();
    for (FieldError e : errors) {
      ObjectNode c = causes.addObject();
      c.put("reason", e.type().causeType());
      c.put("message", e.message());
      c.put("field", e.field());
    }
    // upstream's qualified kind (GroupKind.String()): Kind.group outside the core group
    String qualified = group == null || group.isEmpty() || kind.contains(".") ? kind : kind + "." + group;
    msg.append(qualified).append(" \"").append(name == null ? "" : name).append("\" is invalid: ");
    if (errors.size() == 1) {
      msg.append(errors.get(0).message());
    } else {
      msg.append('[');
      for (int i = 0; i < errors.size(); i++) {
        if (i > 0) msg.append(", ");
        msg.append(errors.get(i).message());
      }
      msg.append(']');
    }
    return new ApiException(422, "Invalid", msg.toString(), d);
  }

  /** The Status object for this error. */
  public ObjectNode toStatus() {
    ObjectNode s = Json.object();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", getMessage());
    if (reason != null && !reason.isEmpty()) s.put("reason", reason);
    if (details != null && !details.isEmpty()) s.set("details", details);
    s.put("code", code);
    return s;
  }
}
