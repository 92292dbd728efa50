package io.planet.apiserver.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * Key pairs for the cluster: ECDSA on P-256. Generating one takes about a millisecond where RSA 2048 takes tens to
 * hundreds (a cluster makes a dozen at every rotation, and every TLS test makes a PKI); signatures and handshakes are
 * cheaper too, and Go (kubectl, client-go), the JDK and kubeadm's {@code ECDSA-P256} option all accept it.
 */
public final class Keys {
  public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private Keys() {}

  public static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make P-256 keys", e);
    }
  }
}
