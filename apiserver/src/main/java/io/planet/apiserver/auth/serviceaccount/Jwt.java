package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Compact JWS with RS256 (RFC 7515/7519), the only form service-account tokens take: header.claims.signature, each
 * part base64url without padding. Signing and verifying use the JDK's SHA256withRSA; nothing else is accepted.
 */
public final class Jwt {
  public static final String RS256 = "RS256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** A token split into its parts, its signature not yet checked. */
  public record Parsed(ObjectNode header, ObjectNode claims, byte[] signingInput, byte[] signature) {
    public String keyId() {
      return header.path("kid").asText("");
    }

    /** Whether the signature verifies with one of these keys (RS256 only). */
    public boolean verifiedBy(List<PublicKey> keys) {
      if (!RS256.equals(header.path("alg").asText())) return false;
      for (PublicKey k : keys) {
        try {
          Signature s = Signature.getInstance("SHA256withRSA");
          s.initVerify(k);
          s.update(signingInput);
          if (s.verify(signature)) return true;
        } catch (GeneralSecurityException e) {
          // a key of another type, or a signature of the wrong length: not this key
        }
      }
      return false;
    }
  }

  private Jwt() {}

  /** Signs the claims with the key; the header names the key by {@link #keyId}. */
  public static String sign(ObjectNode claims, PrivateKey key, String keyId) {
    ObjectNode header = Json.object();
    header.put("alg", RS256);
    header.put("kid", keyId);
    String input = encode(Json.bytes(header)) + "." + encode(Json.bytes(claims));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + encode(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a service-account token: " + e.getMessage(), e);
    }
  }

  /** The parts of a compact JWS whose header and claims are JSON objects; null when the text is not one. */
  public static Parsed parse(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) return null;
    try {
      JsonNode header = Json.parse(DECODER.decode(parts[0]));
      JsonNode claims = Json.parse(DECODER.decode(parts[1]));
      if (!(header instanceof ObjectNode h) || !(claims instanceof ObjectNode c)) return null;
      byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
      return new Parsed(h, c, input, DECODER.decode(parts[2]));
    } catch (Exception e) {
      // not base64url, or not JSON: not a JWT at all
      return null;
    }
  }

  /** Upstream's key id: the SHA-256 of the DER (PKIX) public key, base64url without padding. */
  public static String keyId(PublicKey key) {
    try {
      return ENCODER.encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }
}
