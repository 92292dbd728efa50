package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;

/** The Status errors upstream's webhook plugins return (webhook/errors and apierrors.NewInternalError). */
final class WebhookErrors {
  private WebhookErrors() {}

  /** ErrCallingWebhook.Error(). */
  static String callingWebhook(String webhook, String reason) {
    return "failed calling webhook \"" + webhook + "\": " + reason;
  }

  /** apierrors.NewInternalError: 500, the error as the one cause. */
  static ApiException internal(String error) {
    ObjectNode details = Json.object();
    details.putArray("causes").addObject().put("message", error);
    return new ApiException(500, "InternalError", "Internal error occurred: " + error, details);
  }

  /**
   * ToStatusErr: the webhook's own status with the message prefixed by who denied it; never below 400.
   */
  static ApiException denied(String webhook, JsonNode status) {
    String deniedBy = "admission webhook \"" + webhook + "\" denied the request";
    JsonNode s = status == null ? Json.object() : status;
    int code = s.path("code").asInt(0);
    if (code < 400) code = 400;
    String message = s.path("message").asText("");
    String reason = s.path("reason").asText("");
    String text;
    if (!message.isEmpty()) text = deniedBy + ": " + message;
    else if (!reason.isEmpty()) text = deniedBy + ": " + reason;
    else text = deniedBy + " without explanation";
    ObjectNode details = s.get("details") instanceof ObjectNode d ? d.deepCopy() : null;
    return new ApiException(code, reason, text, details);
  }

  static ApiException dryRunUnsupported(String webhook) {
    return ApiException.badRequest("admission webhook \"" + webhook + "\" does not support dry run");
  }
}
