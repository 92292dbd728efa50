package io.planet.controllers;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Upstream's cluster-bootstrap jws.ComputeDetachedSignature: a compact JWS (HS256, key = the token secret, protected
 * header {"alg":"HS256","kid":"&lt;token id&gt;"}) over the content, with the payload left out ("header..signature").
 * A joining node recomputes it with the token it was given to trust cluster-info.
 */
public final class DetachedJws {
  private DetachedJws() {}

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  public static String sign(String content, String tokenId, String tokenSecret) {
    String header = B64.encodeToString(("{\"alg\":\"HS256\",\"kid\":\"" + tokenId + "\"}").getBytes(StandardCharsets.UTF_8));
    String payload = B64.encodeToString(content.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(tokenSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
      return header + ".." + B64.encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
