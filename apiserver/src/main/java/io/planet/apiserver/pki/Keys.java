package io.planet.apiserver.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;

/**
 * Key pairs for the cluster: RSA 2048, kubeadm's default. ECDSA P-256 would be faster to generate and to handshake
 * with, but Java clients read it poorly: fabric8 only loads an EC key from a kubeconfig when it is in SEC1 form and
 * BouncyCastle is on the client's class path, while RSA keys load everywhere (Go, the JDK, fabric8, client-java,
 * Python). Generating one takes about 0.1 s; a cluster makes a dozen at creation and at each rotation.
 */
public final class Keys {
  public static final String SIGNATURE_ALGORITHM = "SHA256withRSA";

  private Keys() {}

  public static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make RSA keys", e);
    }
  }
}
