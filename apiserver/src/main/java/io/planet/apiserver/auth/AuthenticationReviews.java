package io.planet.apiserver.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.proto.ProtobufCodec;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Responses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * authentication.k8s.io/v1: SelfSubjectReview (who am I, for {@code kubectl auth whoami}) and TokenReview (is this
 * token valid, and whose is it). Both are create-only and stored nowhere.
 */
public final class AuthenticationReviews {
  private static final String GROUP = "/apis/authentication.k8s.io/";
  private final RequestAuthentication authentication;

  public AuthenticationReviews(RequestAuthentication authentication) {
    this.authentication = authentication;
  }

  /** Serves the request when it is one of ours; false otherwise. */
  public boolean handle(ApiRequest req) {
    String path = req.path();
    if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    if (!path.startsWith(GROUP)) return false;
    String[] versionAndResource = path.substring(GROUP.length()).split("/");
    if (versionAndResource.length != 2) return false;
    String version = versionAndResource[0];
    String resource = versionAndResource[1];
    // SelfSubjectReview is GA in 1.28; kubectl 1.26/1.27 ask for v1alpha1/v1beta1. TokenReview is v1 only.
    boolean self = resource.equals("selfsubjectreviews") && List.of("v1", "v1beta1", "v1alpha1").contains(version);
    boolean token = resource.equals("tokenreviews") && version.equals("v1");
    if (!self && !token) return false;
    if (!req.method().equals("POST")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    ObjectNode review = self ? selfSubjectReview(req.user(), version) : tokenReview(decode(req));
    Responses.json(req, 201, review);
    return true;
  }

  private static ObjectNode selfSubjectReview(UserInfo user, String version) {
    ObjectNode o = Json.object();
    o.put("kind", "SelfSubjectReview");
    o.put("apiVersion", "authentication.k8s.io/" + version);
    Meta.meta(o).put("creationTimestamp", Meta.now());
    o.putObject("status").set("userInfo", userInfo(user));
    return o;
  }

  private ObjectNode tokenReview(ObjectNode in) {
    String token = in.path("spec").path("token").asText("");
    if (token.isEmpty()) throw ApiException.badRequest("spec.token is required");
    ObjectNode out = Json.object();
    out.put("kind", "TokenReview");
    out.put("apiVersion", "authentication.k8s.io/v1");
    ObjectNode meta = Meta.meta(out);
    meta.put("creationTimestamp", Meta.now());
    out.set("spec", in.path("spec").deepCopy());
    ObjectNode status = out.putObject("status");
    try {
      List<String> audiences = new ArrayList<>();
      in.path("spec").path("audiences").forEach(a -> audiences.add(a.asText()));
      Optional<TokenResponse> response = authentication.authenticateToken(token, audiences);
      status.put("authenticated", response.isPresent());
      response.ifPresent(r -> status.set("user", userInfo(r.user())));
      // the audiences asked for that the token is valid for; none asked: the API server's own, not echoed back
      if (response.isPresent() && !audiences.isEmpty()) {
        ArrayNode valid = status.putArray("audiences");
        response.get().audiences().forEach(valid::add);
      }
    } catch (AuthenticationException e) {
      status.put("authenticated", false);
      status.put("error", e.getMessage());
    }
    return out;
  }

  private static ObjectNode decode(ApiRequest req) {
    if (ProtobufCodec.isProtobuf(req.contentType())) return ProtobufCodec.decode(req.body());
    try {
      JsonNode n = req.contentType().startsWith("application/yaml") ? Json.YAML.readTree(req.body()) : Json.parse(req.body());
      if (n instanceof ObjectNode o) return o;
    } catch (IOException e) {
      throw ApiException.badRequest("error decoding request body: " + e.getMessage());
    }
    throw ApiException.badRequest("the body of the request must be a JSON object");
  }

  static ObjectNode userInfo(UserInfo u) {
    ObjectNode o = Json.object();
    o.put("username", u.name());
    if (!u.uid().isEmpty()) o.put("uid", u.uid());
    ArrayNode groups = o.putArray("groups");
    u.groups().forEach(groups::add);
    if (!u.extra().isEmpty()) {
      ObjectNode extra = o.putObject("extra");
      for (Map.Entry<String, List<String>> e : u.extra().entrySet()) {
        ArrayNode values = extra.putArray(e.getKey());
        e.getValue().forEach(values::add);
      }
    }
    return o;
  }
}
