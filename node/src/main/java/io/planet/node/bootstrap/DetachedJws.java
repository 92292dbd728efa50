package io.planet.node.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bootstrap signer's detached JWS (RFC 7515 appendix F, as upstream's cluster-bootstrap/token/jws): an HS256
 * compact serialization {@code header..signature} whose payload (the signed content) is left out, keyed with the
 * token's secret and naming the token id as {@code kid}.
 */
public final class DetachedJws {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private DetachedJws() {}

  /** The signature of {@code content} by the token, as the bootstrap signer writes it. */
  public static String sign(String content, String tokenId, String tokenSecret) {
    String header = B64.encodeToString(("{\"alg\":\"HS256\",\"kid\":\"" + tokenId + "\"}").getBytes(StandardCharsets.UTF_8));
    return header + ".." + B64.encodeToString(hmac(header + "." + payload(content), tokenSecret));
  }

  /** Whether {@code jws} signs {@code content} with this token (HS256, kid = the token id). */
  public static boolean verify(String jws, String content, String tokenId, String tokenSecret) {
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3 || !parts[1].isEmpty()) return false;
    try {
      JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
      if (!header.path("alg").asText().equals("HS256") || !header.path("kid").asText().equals(tokenId)) return false;
      byte[] expected = hmac(parts[0] + "." + payload(content), tokenSecret);
      return MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]));
    } catch (java.io.IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String payload(String content) {
    return B64.encodeToString(content.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(String input, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
