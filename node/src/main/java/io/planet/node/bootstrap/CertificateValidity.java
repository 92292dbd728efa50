package io.planet.node.bootstrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether a certificate on disk can be used again: it and its key are readable and belong together, it was issued by
 * the cluster CA, and it stays valid for more than a tenth of its lifetime (upstream's certificate manager rotates at
 * 70–90 %; a restart re-uses what is comfortably valid and asks for a new one otherwise).
 */
public final class CertificateValidity {
  static final double MIN_REMAINING = 0.10;

  private CertificateValidity() {}

  /** The reason the pair cannot be re-used, or null when it can. */
  public static String problem(Path certFile, Path keyFile, X509Certificate ca, Instant now) {
    if (!Files.exists(certFile) || !Files.exists(keyFile)) return "none yet";
    try {
      X509Certificate cert = Pem.certificates(Files.readAllBytes(certFile)).get(0);
      PrivateKey key = Pem.privateKey(keyFile);
      if (key instanceof RSAPrivateCrtKey rsa && cert.getPublicKey() instanceof java.security.interfaces.RSAPublicKey pub
          && !rsa.getModulus().equals(pub.getModulus())) {
        return "the key does not match the certificate";
      }
      try {
        cert.verify(ca.getPublicKey());
      } catch (Exception e) {
        return "not issued by the cluster CA";
      }
      Instant from = cert.getNotBefore().toInstant();
      Instant to = cert.getNotAfter().toInstant();
      Duration lifetime = Duration.between(from, to);
      Duration left = Duration.between(now, to);
      if (left.isNegative() || left.isZero()) return "expired at " + to;
      if (left.toMillis() <= lifetime.toMillis() * MIN_REMAINING) return "expires at " + to + " (less than 10% of its lifetime left)";
      return null;
    } catch (IOException | RuntimeException e) {
      return "unreadable: " + e.getMessage();
    }
  }
}
