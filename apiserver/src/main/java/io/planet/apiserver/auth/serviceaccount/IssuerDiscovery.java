package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Responses;
import java.math.BigInteger;
import java.net.URI;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * Service-account issuer discovery (upstream's ServiceAccountIssuerDiscovery): the OpenID provider configuration at
 * /.well-known/openid-configuration and the verification keys as a JWK set at /openid/v1/jwks, so other systems
 * can verify our service-account tokens. RBAC allows them through system:service-account-issuer-discovery.
 */
public final class IssuerDiscovery {
  public static final String CONFIGURATION = "/.well-known/openid-configuration";
  public static final String JWKS = "/openid/v1/jwks";
  private final byte[] configuration;
  private final byte[] keySet;

  public IssuerDiscovery(String issuer, List<PublicKey> keys) {
    ObjectNode c = Json.object();
    c.put("issuer", issuer);
    c.put("jwks_uri", jwksUri(issuer));
    c.putArray("response_types_supported").add("id_token");
    c.putArray("subject_types_supported").add("public");
    c.putArray("id_token_signing_alg_values_supported").add(Jwt.RS256);
    configuration = Json.bytes(c);
    ObjectNode set = Json.object();
    ArrayNode arr = set.putArray("keys");
    for (PublicKey k : keys) {
      if (!(k instanceof RSAPublicKey rsa)) continue;
      ObjectNode j = arr.addObject();
      j.put("use", "sig");
      j.put("kty", "RSA");
      j.put("kid", Jwt.keyId(k));
      j.put("alg", Jwt.RS256);
      j.put("n", Jwt.encode(unsigned(rsa.getModulus())));
      j.put("e", Jwt.encode(unsigned(rsa.getPublicExponent())));
    }
    keySet = Json.bytes(set);
  }

  /** The issuer's URL with path /openid/v1/jwks (an issuer that is no URL gets the bare path). */
  private static String jwksUri(String issuer) {
    try {
      URI u = URI.create(issuer);
      if (u.getScheme() != null && u.getHost() != null) return u.resolve(JWKS).toString();
    } catch (IllegalArgumentException e) {
      // not a URL
    }
    return JWKS;
  }

  /** Big-endian bytes without the sign byte, as JWK wants them (RFC 7518 §6.3.1). */
  private static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  public static boolean serves(String path) {
    return path.equals(CONFIGURATION) || path.equals(JWKS);
  }

  public void handle(ApiRequest req) {
    if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    boolean config = req.path().equals(CONFIGURATION);
    Responses.bytes(req, 200, config ? configuration : keySet, config ? "application/json" : "application/jwk-set+json");
  }
}
