package io.planet.api.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.planet.api.ApiException;
import io.planet.api.FieldError;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.io.IOException;
import java.util.List;

/**
 * Entry point of the PATCH verb for the three client-side patch types: picks the patch type from the Content-Type,
 * decodes the body and applies it, with upstream's status codes for unsupported types and malformed bodies.
 * Server-side apply ({@link PatchType#APPLY_YAML}) is recognised but must be routed to the field manager instead.
 */
public final class Patches {
  private static final List<String> BUILTIN_TYPES = List.of(PatchType.JSON.mediaType(), PatchType.MERGE.mediaType(),
      PatchType.STRATEGIC_MERGE.mediaType(), PatchType.APPLY_YAML.mediaType());
  /** Custom resources have no Go struct tags, so upstream does not offer strategic merge patch for them. */
  private static final List<String> CUSTOM_RESOURCE_TYPES = List.of(PatchType.JSON.mediaType(),
      PatchType.MERGE.mediaType(), PatchType.APPLY_YAML.mediaType());

  private static final ObjectReader READER = Json.MAPPER.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Patches() {}

  /** The patch media types a resource accepts, in the order upstream lists them in 415 errors. */
  public static List<String> acceptedMediaTypes(boolean isCustomResource) {
    return isCustomResource ? CUSTOM_RESOURCE_TYPES : BUILTIN_TYPES;
  }

  /**
   * The patch type for a request, or 415 UnsupportedMediaType when the resource does not accept it (unknown type, or
   * strategic merge patch on a custom resource).
   */
  public static PatchType patchType(String contentType, boolean isCustomResource) {
    PatchType type = PatchType.fromContentType(contentType).orElse(null);
    if (type == null || (type == PatchType.STRATEGIC_MERGE && isCustomResource)) {
      throw PatchErrors.unsupportedMediaType(acceptedMediaTypes(isCustomResource));
    }
    return type;
  }

  /**
   * Applies a PATCH body to the current object and returns the patched object (a new tree; {@code doc} is not
   * modified).
   *
   * @param schema the resource's top-level schema for strategic merge patch; null patches without list metadata
   * @throws ApiException 415 for an unsupported patch type, 400 for a body that does not decode, 422/413/500 as
   *     upstream for patches that do not apply, 422 when the result is not an object
   * @throws IllegalArgumentException for {@link PatchType#APPLY_YAML}, which server-side apply handles
   */
  public static JsonNode apply(String contentType, JsonNode doc, byte[] patchBody, Schema schema,
      boolean isCustomResource) {
    PatchType type = patchType(contentType, isCustomResource);
    JsonNode result = switch (type) {
      case JSON -> JsonPatch.apply(doc, decode(patchBody, null));
      case MERGE -> MergePatch.apply(doc, decode(patchBody, MergePatch.INVALID_PATCH));
      case STRATEGIC_MERGE -> StrategicMergePatch.apply(doc, decode(patchBody, null), schema);
      case APPLY_YAML -> throw new IllegalArgumentException(
          "apply patches (" + type.mediaType() + ") are handled by server-side apply, not Patches");
    };
    if (!result.isObject()) {
      // Upstream fails decoding the patched JSON back into the object and reports it against "patch".
      throw ApiException.invalid("", "", "", List.of(FieldError.invalid("patch", result.toString(),
          "json: cannot unmarshal " + GoValues.jsonKind(result) + " into Go value of type map[string]interface {}")));
    }
    return result;
  }

  /** Parses the body as one JSON value; decode errors are 400 with {@code fixedMessage} or the parser's message. */
  private static JsonNode decode(byte[] body, String fixedMessage) {
    JsonNode node;
    try {
      node = body == null ? null : READER.readTree(body);
    } catch (JsonProcessingException e) {
      throw PatchErrors.badRequest(fixedMessage != null ? fixedMessage : e.getOriginalMessage());
    } catch (IOException e) {
      throw PatchErrors.badRequest(fixedMessage != null ? fixedMessage : e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw PatchErrors.badRequest(fixedMessage != null ? fixedMessage : "unexpected end of JSON input");
    }
    return node;
  }
}
