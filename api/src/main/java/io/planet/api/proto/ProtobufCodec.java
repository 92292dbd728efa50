package io.planet.api.proto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kubernetes.client.proto.Runtime;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads request bodies in {@code application/vnd.kubernetes.protobuf}, which client-go (kubectl) 1.32+ sends for
 * typed-client calls. The body is the magic {@code k8s\0} followed by a {@code runtime.Unknown} envelope whose
 * typeMeta names the kind and whose raw bytes are that kind's message from k8s.io/api generated.proto.
 * The result is the object as the client would have sent it in JSON, so the rest of the server sees no difference.
 *
 * <p>Only the descriptors of client-java-proto are used, with {@link DynamicMessage}: its generated message
 * classes are compiled against protobuf-java 4.x and fail verification (VerifyError) on the pinned 3.25.x.
 */
public final class ProtobufCodec {
  public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private ProtobufCodec() {}

  /** Whether a Content-Type header names the Kubernetes protobuf encoding (parameters are ignored). */
  public static boolean isProtobuf(String contentType) {
    if (contentType == null) return false;
    int semi = contentType.indexOf(';');
    String mediaType = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return mediaType.equals(MEDIA_TYPE);
  }

  /**
   * The object in a protobuf request body as Kubernetes JSON, with kind and apiVersion from the envelope.
   *
   * @throws ApiException 400 BadRequest for a body that is not a Kubernetes protobuf object of a known kind
   */
  public static ObjectNode decode(byte[] body) {
    if (body == null || !hasMagic(body)) {
      throw ApiException.badRequest("protobuf body does not start with the Kubernetes protobuf prefix \"k8s\\x00\"");
    }
    Envelope envelope = Envelope.parse(Arrays.copyOfRange(body, MAGIC.length, body.length));
    String apiVersion = envelope.apiVersion();
    String kind = envelope.kind();
    if (kind.isEmpty()) throw ApiException.badRequest("Object 'Kind' is missing in protobuf body");
    if (apiVersion.isEmpty()) throw ApiException.badRequest("Object 'apiVersion' is missing in protobuf body");
    if (!envelope.contentEncoding().isEmpty()) {
      throw ApiException.badRequest("unsupported content encoding \"" + envelope.contentEncoding()
          + "\" in protobuf body");
    }
    ObjectNode obj = Json.object();
    obj.put("kind", kind);
    obj.put("apiVersion", apiVersion);
    try {
      obj.setAll(payload(envelope, apiVersion, kind));
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      // Bytes that parse as protobuf but not as a sensible object are still the client's fault.
      throw ApiException.badRequest("unable to decode protobuf body as " + kind + " (" + apiVersion + "): " + e);
    }
    // The envelope's typeMeta wins over anything the payload carried.
    obj.put("kind", kind);
    obj.put("apiVersion", apiVersion);
    return obj;
  }

  static boolean hasMagic(byte[] body) {
    if (body.length < MAGIC.length) return false;
    for (int i = 0; i < MAGIC.length; i++) {
      if (body[i] != MAGIC[i]) return false;
    }
    return true;
  }

  private static ObjectNode payload(Envelope envelope, String apiVersion, String kind) {
    ByteString raw = envelope.raw();
    String contentType = envelope.contentType();
    if (!contentType.isEmpty() && !isProtobuf(contentType)) {
      if (!contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        throw ApiException.badRequest("unsupported content type \"" + contentType + "\" in protobuf body");
      }
      return jsonPayload(raw);
    }
    Descriptor type = ProtoKinds.find(apiVersion, kind);
    if (type == null) {
      throw ApiException.badRequest("no kind \"" + kind + "\" is registered for version \"" + apiVersion
          + "\" in the protobuf encoding");
    }
    try {
      return ProtoJson.object(DynamicMessage.parseFrom(type, raw));
    } catch (InvalidProtocolBufferException e) {
      throw ApiException.badRequest("unable to decode protobuf body as " + kind + " (" + apiVersion + "): "
          + e.getMessage());
    }
  }

  /** runtime.Unknown: typeMeta{apiVersion, kind}, raw, contentEncoding, contentType. */
  private record Envelope(String apiVersion, String kind, ByteString raw, String contentEncoding,
      String contentType) {
    private static final Descriptor UNKNOWN = Runtime.getDescriptor().findMessageTypeByName("Unknown");

    static Envelope parse(byte[] bytes) {
      DynamicMessage unknown;
      try {
        unknown = DynamicMessage.parseFrom(UNKNOWN, bytes);
      } catch (InvalidProtocolBufferException e) {
        throw ApiException.badRequest("unable to decode protobuf body: " + e.getMessage());
      }
      DynamicMessage typeMeta = (DynamicMessage) unknown.getField(UNKNOWN.findFieldByName("typeMeta"));
      return new Envelope(ProtoJson.stringField(typeMeta, "apiVersion"), ProtoJson.stringField(typeMeta, "kind"),
          ProtoJson.bytesField(unknown, "raw"), ProtoJson.stringField(unknown, "contentEncoding"),
          ProtoJson.stringField(unknown, "contentType"));
    }
  }

  private static ObjectNode jsonPayload(ByteString raw) {
    try {
      JsonNode node = Json.parse(raw.toByteArray());
      if (node instanceof ObjectNode o) return o;
    } catch (IOException e) {
      throw ApiException.badRequest("protobuf envelope holds invalid JSON: " + e.getMessage());
    }
    throw ApiException.badRequest("protobuf envelope does not hold a JSON object");
  }
}
