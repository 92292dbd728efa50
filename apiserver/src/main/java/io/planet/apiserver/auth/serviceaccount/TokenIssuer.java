package io.planet.apiserver.auth.serviceaccount;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.apiserver.pki.PemFiles;
import java.io.IOException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;

/** Signs service-account tokens with the cluster's signing key (upstream's JWTTokenGenerator). */
public final class TokenIssuer {
  private final String issuer;
  private final PrivateKey key;
  private final String keyId;

  public TokenIssuer(String issuer, PrivateKey key, PublicKey publicKey) {
    this.issuer = issuer;
    this.key = key;
    this.keyId = Jwt.keyId(publicKey);
  }

  /** The issuer for --service-account-signing-key-file: the public half comes from the RSA private key itself. */
  public static TokenIssuer fromFile(String issuer, java.nio.file.Path signingKeyFile) throws IOException {
    PrivateKey key = PemFiles.readPrivateKey(signingKeyFile);
    if (!(key instanceof RSAPrivateCrtKey rsa)) {
      throw new IOException("--service-account-signing-key-file " + signingKeyFile + " must hold an RSA private key");
    }
    try {
      PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      return new TokenIssuer(issuer, key, pub);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot derive the public key of " + signingKeyFile + ": " + e.getMessage(), e);
    }
  }

  public String issuer() {
    return issuer;
  }

  public String keyId() {
    return keyId;
  }

  public String sign(ObjectNode claims) {
    return Jwt.sign(claims, key, keyId);
  }
}
