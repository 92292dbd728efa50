package io.planet.node.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Per-service chain names as upstream kube-proxy makes them (so rules read the same on a Planet node): a prefix plus
 * the first 16 characters of the base32 SHA-256 of the service port name, protocol and (for endpoints) "ip:port".
 * Chain names must stay within iptables' 28 characters.
 */
final class ChainNames {
  static final String SERVICES = "KUBE-SERVICES";
  static final String EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
  static final String NODE_PORTS = "KUBE-NODEPORTS";
  static final String POSTROUTING = "KUBE-POSTROUTING";
  static final String MARK_MASQ = "KUBE-MARK-MASQ";
  static final String FORWARD = "KUBE-FORWARD";
  static final String SVC_PREFIX = "KUBE-SVC-";
  static final String EXT_PREFIX = "KUBE-EXT-";
  static final String SEP_PREFIX = "KUBE-SEP-";

  private ChainNames() {}

  static String service(ServicePort sp) {
    return SVC_PREFIX + hash(sp.displayName() + sp.iptablesProtocol());
  }

  static String external(ServicePort sp) {
    return EXT_PREFIX + hash(sp.displayName() + sp.iptablesProtocol());
  }

  static String endpoint(ServicePort sp, ServicePort.Endpoint ep) {
    return SEP_PREFIX + hash(sp.displayName() + sp.iptablesProtocol() + ep);
  }

  /** Whether a chain is one of the per-service chains this proxy owns (deleted when its service goes). */
  static boolean isServiceChain(String chain) {
    return chain.startsWith(SVC_PREFIX) || chain.startsWith(EXT_PREFIX) || chain.startsWith(SEP_PREFIX);
  }

  private static String hash(String s) {
    try {
      byte[] sum = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return base32(sum).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 4648 base32 (standard alphabet); only the first 16 characters are used so padding never matters. */
  static String base32(byte[] data) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
    return out.toString();
  }
}
