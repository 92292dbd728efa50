package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.Meta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The claims of a bound service-account token, as upstream's serviceaccount.Claims makes them (keys in the order
 * Go writes them): aud, exp, iat, iss, jti, kubernetes.io {namespace, node, pod | secret, serviceaccount,
 * warnafter}, nbf, sub. Also reads them back for the authenticator.
 */
public final class TokenClaims {
  public static final String PRIVATE = "kubernetes.io";

  private TokenClaims() {}

  /** A reference by name and uid, as the claims carry it. */
  public record Ref(String name, String uid) {
    static Ref of(JsonNode obj) {
      return obj == null ? null : new Ref(Meta.name(obj), Meta.uid(obj));
    }

    static Ref read(JsonNode n) {
      if (n == null || !n.isObject()) return null;
      return new Ref(n.path("name").asText(""), n.path("uid").asText(""));
    }

    ObjectNode json() {
      ObjectNode o = Json.object();
      o.put("name", name);
      o.put("uid", uid);
      return o;
    }
  }

  /**
   * The claims for a token of {@code serviceAccount}, bound to {@code pod} or {@code secret} when given (and
   * naming the pod's {@code node} when known); {@code warnAfter} null for none.
   */
  public static ObjectNode build(String issuer, ObjectNode serviceAccount, ObjectNode pod, ObjectNode secret,
      ObjectNode node, List<String> audiences, Instant now, Instant expiry, Instant warnAfter) {
    ObjectNode c = Json.object();
    ArrayNode aud = c.putArray("aud");
    audiences.forEach(aud::add);
    c.put("exp", expiry.getEpochSecond());
    c.put("iat", now.getEpochSecond());
    c.put("iss", issuer);
    c.put("jti", UUID.randomUUID().toString());
    ObjectNode k = c.putObject(PRIVATE);
    k.put("namespace", Meta.namespace(serviceAccount));
    if (pod != null && node != null) k.set("node", Ref.of(node).json());
    if (pod != null) k.set("pod", Ref.of(pod).json());
    else if (secret != null) k.set("secret", Ref.of(secret).json());
    k.set("serviceaccount", Ref.of(serviceAccount).json());
    if (warnAfter != null) k.put("warnafter", warnAfter.getEpochSecond());
    c.put("nbf", now.getEpochSecond());
    c.put("sub", username(Meta.namespace(serviceAccount), Meta.name(serviceAccount)));
    return c;
  }

  /** system:serviceaccount:ns:name, upstream's MakeUsername. */
  public static String username(String namespace, String name) {
    return "system:serviceaccount:" + namespace + ":" + name;
  }

  /** The claims as the authenticator reads them; fields that are absent read as empty or null. */
  public record Read(String issuer, String subject, List<String> audiences, Long expiry, Long notBefore,
      Long issuedAt, String id, String namespace, Ref serviceAccount, Ref pod, Ref secret, Ref node, Long warnAfter) {
    public static Read of(ObjectNode c) {
      JsonNode k = c.path(PRIVATE);
      return new Read(c.path("iss").asText(""), c.path("sub").asText(""), audiences(c.get("aud")),
          number(c.get("exp")), number(c.get("nbf")), number(c.get("iat")), c.path("jti").asText(""),
          k.path("namespace").asText(""), Ref.read(k.get("serviceaccount")), Ref.read(k.get("pod")),
          Ref.read(k.get("secret")), Ref.read(k.get("node")), number(k.get("warnafter")));
    }

    /** aud is a string or an array of strings (RFC 7519 §4.1.3). */
    private static List<String> audiences(JsonNode aud) {
      List<String> out = new ArrayList<>();
      if (aud == null) return out;
      if (aud.isTextual()) out.add(aud.asText());
      else if (aud.isArray()) aud.forEach(a -> out.add(a.asText()));
      return out;
    }

    private static Long number(JsonNode n) {
      return n != null && n.isNumber() ? n.asLong() : null;
    }
  }
}
