package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceType;
import io.planet.apiserver.admission.AdmissionAttributes;
import io.planet.apiserver.auth.UserInfo;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The admission.k8s.io AdmissionReview a webhook is sent (upstream's CreateAdmissionObjects) and the checks on the one
 * it returns (VerifyAdmissionResponse). Both v1 and v1beta1 have the same JSON shape; v1 responses must say so.
 */
final class AdmissionReview {
  /** Kinds of subresources whose object is not the resource's own kind (upstream's subresource storage kinds). */
  private static final Map<String, String[]> SUBRESOURCE_KINDS = Map.of(
      "scale", new String[] {"autoscaling", "v1", "Scale"},
      "binding", new String[] {"", "v1", "Binding"},
      "eviction", new String[] {"policy", "v1", "Eviction"},
      "exec", new String[] {"", "v1", "PodExecOptions"},
      "attach", new String[] {"", "v1", "PodAttachOptions"},
      "portforward", new String[] {"", "v1", "PodPortForwardOptions"},
      "token", new String[] {"authentication.k8s.io", "v1", "TokenRequest"});

  private AdmissionReview() {}

  /** A webhook's answer, as upstream's AdmissionResponse after verification. */
  record Response(boolean allowed, JsonNode patch, JsonNode status, List<String> warnings) {}

  /** A response that fails verification (upstream: "received invalid webhook response: ..."). */
  static final class InvalidResponse extends Exception {
    InvalidResponse(String message) {
      super(message, null, false, false);
    }
  }

  static String newUid() {
    return UUID.randomUUID().toString();
  }

  /** The request body for {@code version} (v1 or v1beta1). */
  static ObjectNode request(String version, String uid, AdmissionAttributes a) {
    ObjectNode review = Json.object();
    review.put("kind", "AdmissionReview");
    review.put("apiVersion", "admission.k8s.io/" + version);
    ObjectNode r = review.putObject("request");
    r.put("uid", uid);
    ResourceType t = a.type();
    ObjectNode kind = kind(t, a.subresource());
    ObjectNode resource = Json.object();
    resource.put("group", t.group());
    resource.put("version", t.version());
    resource.put("resource", t.plural());
    r.set("kind", kind);
    r.set("resource", resource);
    if (!a.subresource().isEmpty()) r.put("subResource", a.subresource());
    // no conversion to an equivalent version happens here, so the request's own kind and resource are the same
    r.set("requestKind", kind.deepCopy());
    r.set("requestResource", resource.deepCopy());
    if (!a.subresource().isEmpty()) r.put("requestSubResource", a.subresource());
    String name = name(a);
    if (!name.isEmpty()) r.put("name", name);
    String namespace = WebhookMatcher.namespaceOf(a);
    if (!namespace.isEmpty()) r.put("namespace", namespace);
    r.put("operation", a.operation());
    r.set("userInfo", userInfo(a.user()));
    r.set("object", a.object() == null ? Json.MAPPER.nullNode() : a.object());
    r.set("oldObject", a.oldObject() == null ? Json.MAPPER.nullNode() : a.oldObject());
    r.put("dryRun", a.dryRun());
    JsonNode options = options(a);
    if (options != null) r.set("options", options);
    return review;
  }

  /** The object's name; empty for a create that only has generateName, as upstream's attributes. */
  private static String name(AdmissionAttributes a) {
    if (a.object() != null && a.operation().equals(AdmissionAttributes.CREATE) && a.subresource().isEmpty()) {
      return Meta.name(a.object());
    }
    return a.name() == null ? "" : a.name();
  }

  private static ObjectNode kind(ResourceType t, String subresource) {
    ObjectNode k = Json.object();
    String[] sub = SUBRESOURCE_KINDS.get(subresource);
    if (subresource.equals("proxy")) sub = new String[] {"", "v1", t.kind() + "ProxyOptions"};
    k.put("group", sub == null ? t.group() : sub[0]);
    k.put("version", sub == null ? t.version() : sub[1]);
    k.put("kind", sub == null ? t.kind() : sub[2]);
    return k;
  }

  private static ObjectNode userInfo(UserInfo u) {
    ObjectNode out = Json.object();
    if (u == null) return out;
    if (!u.name().isEmpty()) out.put("username", u.name());
    if (u.uid() != null && !u.uid().isEmpty()) out.put("uid", u.uid());
    if (!u.groups().isEmpty()) {
      ArrayNode g = out.putArray("groups");
      u.groups().forEach(g::add);
    }
    if (u.extra() != null && !u.extra().isEmpty()) {
      ObjectNode extra = out.putObject("extra");
      u.extra().forEach((k, v) -> {
        ArrayNode values = extra.putArray(k);
        v.forEach(values::add);
      });
    }
    return out;
  }

  /** Create/Update/DeleteOptions as meta.k8s.io/v1 objects; only dryRun is known here. */
  private static JsonNode options(AdmissionAttributes a) {
    String kind = switch (a.operation()) {
      case AdmissionAttributes.CREATE -> "CreateOptions";
      case AdmissionAttributes.UPDATE -> "UpdateOptions";
      case AdmissionAttributes.DELETE -> "DeleteOptions";
      default -> null;
    };
    if (kind == null) return null;
    ObjectNode o = Json.object();
    o.put("kind", kind);
    o.put("apiVersion", "meta.k8s.io/v1");
    if (a.dryRun()) o.putArray("dryRun").add("All");
    return o;
  }

  /** VerifyAdmissionResponse: the uid must match, v1 must answer v1, and only mutating webhooks may patch. */
  static Response verify(String version, String uid, JsonNode review, boolean mutating) throws InvalidResponse {
    JsonNode r = review.get("response");
    if (r == null || r.isNull()) throw new InvalidResponse("webhook response was absent");
    String gotUid = r.path("uid").asText("");
    if (!gotUid.equals(uid)) {
      throw new InvalidResponse("expected response.uid=\"" + uid + "\", got \"" + gotUid + "\"");
    }
    if (version.equals("v1")) {
      String apiVersion = review.path("apiVersion").asText("");
      String kind = review.path("kind").asText("");
      if (!apiVersion.equals("admission.k8s.io/v1") || !kind.equals("AdmissionReview")) {
        throw new InvalidResponse("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
            + gvkString(apiVersion, kind));
      }
    }
    JsonNode patchType = r.get("patchType");
    boolean hasPatchType = patchType != null && !patchType.isNull();
    byte[] patchBytes = new byte[0];
    if (r.hasNonNull("patch")) {
      try {
        patchBytes = Base64.getDecoder().decode(r.get("patch").asText());
      } catch (IllegalArgumentException e) {
        throw new InvalidResponse("illegal base64 data in response.patch");
      }
    }
    if (!mutating && (patchBytes.length > 0 || hasPatchType)) {
      throw new InvalidResponse("validating webhook may not return response.patch or response.patchType");
    }
    JsonNode patch = null;
    if (patchBytes.length > 0) {
      if (version.equals("v1") && !hasPatchType) {
        throw new InvalidResponse("webhook returned response.patch but not response.patchType");
      }
      if (hasPatchType && !patchType.asText().equals("JSONPatch")) {
        throw new InvalidResponse("webhook returned invalid response.patchType of \"" + patchType.asText() + "\"");
      }
      try {
        patch = Json.MAPPER.readTree(patchBytes);
      } catch (java.io.IOException e) {
        throw new InvalidResponse("received undecodable patch in webhook response: " + e.getMessage());
      }
    }
    List<String> warnings = new ArrayList<>();
    for (JsonNode w : r.path("warnings")) warnings.add(w.asText());
    return new Response(r.path("allowed").asBoolean(false), patch, r.get("status"), warnings);
  }

  /** schema.GroupVersionKind.String(). */
  private static String gvkString(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    return group + "/" + version + ", Kind=" + kind;
  }
}
