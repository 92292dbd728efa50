package io.planet.api.patch;

import io.planet.api.ApiException;
import io.planet.api.Json;
import java.util.List;

/** The Status errors upstream's PATCH handler produces for patch failures (apiserver endpoints/handlers/patch.go). */
final class PatchErrors {
  /**
   * What {@code errors.NewGenericServerResponse(422, ...)} says: upstream discards the json-patch / strategic merge
   * error text and returns this fixed message with reason Invalid.
   */
  static final String GENERIC_UNPROCESSABLE = "the server rejected our request due to an error in our request";

  private PatchErrors() {}

  static ApiException badRequest(String message) {
    return ApiException.badRequest(message);
  }

  /** 422 Invalid with upstream's generic message; the real cause is kept as the Java cause for logs. */
  static ApiException unprocessable(String cause) {
    ApiException e = new ApiException(422, "Invalid", GENERIC_UNPROCESSABLE, Json.object());
    e.initCause(new IllegalArgumentException(cause));
    return e;
  }

  /**
   * A plain Go error that upstream's handler passes through unconverted: it renders as code 500 with reason
   * StatusReasonUnknown ("") and the error text as message.
   */
  static ApiException unknown(String message) {
    return new ApiException(500, "", message);
  }

  static ApiException tooLarge(String message) {
    return new ApiException(413, "RequestEntityTooLarge", "Request entity too large: " + message);
  }

  static ApiException unsupportedMediaType(List<String> accepted) {
    return new ApiException(415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
            + String.join(", ", accepted));
  }
}
