package io.planet.api.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PKCS#10 and PEM for the API server's CertificateSigningRequest validation (upstream's
 * certificates.ParseCSR + CheckSignature and validateCertificate), with the JDK only: the request is a DER
 * CertificationRequest whose signature over certificationRequestInfo must verify with its own public key.
 * Error texts are Go's (crypto/x509, encoding/pem) where the cases match.
 */
public final class Pkcs10 {
  private Pkcs10() {}

  /** One PEM block: its type, whether it had headers, and its decoded bytes. */
  public record PemBlock(String type, boolean hasHeaders, byte[] bytes) {}

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([^\\r\\n-]*)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

  /** The PEM blocks of {@code data} in order; text between and around blocks is skipped, as Go's pem.Decode. */
  public static List<PemBlock> pemBlocks(byte[] data) {
    List<PemBlock> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(new String(data, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      String body = m.group(2);
      boolean headers = false;
      int colon = body.indexOf(':');
      if (colon >= 0) {
        // "Key: value" lines, then a blank line, come before the base64 text
        int blank = body.indexOf("\n\n");
        if (blank < 0) blank = body.indexOf("\r\n\r\n");
        if (blank < 0 || colon > blank) continue;
        headers = true;
        body = body.substring(blank).trim();
      }
      try {
        out.add(new PemBlock(m.group(1), headers, Base64.getMimeDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        // Go's pem.Decode skips a block whose body does not decode
      }
    }
    return out;
  }

  /** Parses a PEM certificate request and checks its self-signature; IllegalArgumentException with upstream's text. */
  public static void verify(byte[] pem) {
    List<PemBlock> blocks = pemBlocks(pem);
    if (blocks.isEmpty() || !blocks.get(0).type().equals("CERTIFICATE REQUEST")) {
      throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
    }
    verifyDer(blocks.get(0).bytes());
  }

  static void verifyDer(byte[] der) {
    Der outer;
    Der info;
    Der alg;
    Der sig;
    Der spki;
    try {
      outer = Der.read(der, 0);
      if (outer.tag != 0x30 || outer.end() != der.length) throw malformed();
      List<Der> parts = outer.children();
      if (parts.size() != 3) throw malformed();
      info = parts.get(0);
      alg = parts.get(1);
      sig = parts.get(2);
      List<Der> infoParts = info.children();
      if (info.tag != 0x30 || infoParts.size() < 3 || alg.tag != 0x30 || sig.tag != 0x03) throw malformed();
      spki = infoParts.get(2);
      if (spki.tag != 0x30) throw malformed();
    } catch (IndexOutOfBoundsException e) {
      throw malformed();
    }
    String sigAlg = alg.children().get(0).oid();
    String jca = SIGNATURES.get(sigAlg);
    if (jca == null) throw new IllegalArgumentException("x509: cannot verify signature: algorithm unimplemented");
    String keyAlg = spki.children().get(0).children().get(0).oid();
    String keyFactory = KEYS.get(keyAlg);
    if (keyFactory == null) throw new IllegalArgumentException("x509: unsupported public key algorithm");
    byte[] signature = Arrays.copyOfRange(der, sig.contentStart + 1, sig.end());
    try {
      PublicKey key = KeyFactory.getInstance(keyFactory).generatePublic(new X509EncodedKeySpec(spki.encoded()));
      Signature s = Signature.getInstance(jca);
      s.initVerify(key);
      s.update(info.encoded());
      if (!s.verify(signature)) throw new IllegalArgumentException(failure(keyFactory));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(failure(keyFactory));
    }
  }

  private static String failure(String keyAlg) {
    return switch (keyAlg) {
      case "RSA" -> "crypto/rsa: verification error";
      case "EC" -> "x509: ECDSA verification failure";
      default -> "x509: Ed25519 verification failure";
    };
  }

  /**
   * Upstream's validateCertificate for status.certificate: one or more CERTIFICATE blocks without headers, each an
   * X.509 certificate; null when fine, else the error text.
   */
  public static String certificateError(byte[] pem) {
    List<PemBlock> blocks = pemBlocks(pem);
    for (PemBlock b : blocks) {
      if (!b.type().equals("CERTIFICATE")) return "only CERTIFICATE PEM blocks are allowed, found \"" + b.type() + "\"";
      if (b.hasHeaders()) return "no PEM block headers are permitted";
      try {
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(b.bytes()));
      } catch (CertificateException e) {
        return "x509: malformed certificate";
      }
    }
    if (blocks.isEmpty()) return "must contain at least one CERTIFICATE PEM block";
    return null;
  }

  private static IllegalArgumentException malformed() {
    return new IllegalArgumentException("x509: malformed certificate request");
  }

  private static final Map<String, String> SIGNATURES = Map.ofEntries(
      Map.entry("1.2.840.113549.1.1.5", "SHA1withRSA"),
      Map.entry("1.2.840.113549.1.1.11", "SHA256withRSA"),
      Map.entry("1.2.840.113549.1.1.12", "SHA384withRSA"),
      Map.entry("1.2.840.113549.1.1.13", "SHA512withRSA"),
      Map.entry("1.2.840.10045.4.3.2", "SHA256withECDSA"),
      Map.entry("1.2.840.10045.4.3.3", "SHA384withECDSA"),
      Map.entry("1.2.840.10045.4.3.4", "SHA512withECDSA"),
      Map.entry("1.3.101.112", "Ed25519"));

  private static final Map<String, String> KEYS = Map.of(
      "1.2.840.113549.1.1.1", "RSA",
      "1.2.840.10045.2.1", "EC",
      "1.3.101.112", "Ed25519");

  /** One DER TLV inside {@code buf}. */
  private static final class Der {
    final byte[] buf;
    final int start;
    final int tag;
    final int contentStart;
    final int length;

    private Der(byte[] buf, int start, int tag, int contentStart, int length) {
      this.buf = buf;
      this.start = start;
      this.tag = tag;
      this.contentStart = contentStart;
      this.length = length;
    }

    static Der read(byte[] b, int at) {
      int tag = b[at] & 0xff;
      int len = b[at + 1] & 0xff;
      int content = at + 2;
      if (len >= 0x80) {
        int n = len & 0x7f;
        if (n == 0 || n > 3) throw malformed();
        len = 0;
        for (int i = 0; i < n; i++) len = (len << 8) | (b[content + i] & 0xff);
        content += n;
      }
      if (content + len > b.length) throw malformed();
      return new Der(b, at, tag, content, len);
    }

    int end() {
      return contentStart + length;
    }

    byte[] encoded() {
      return Arrays.copyOfRange(buf, start, end());
    }

    List<Der> children() {
      List<Der> out = new ArrayList<>();
      int at = contentStart;
      while (at < end()) {
        Der d = read(buf, at);
        if (d.end() > end()) throw malformed();
        out.add(d);
        at = d.end();
      }
      return out;
    }

    String oid() {
      if (tag != 0x06 || length == 0) throw malformed();
      StringBuilder s = new StringBuilder();
      long v = 0;
      boolean first = true;
      for (int i = contentStart; i < end(); i++) {
        v = (v << 7) | (buf[i] & 0x7f);
        if ((buf[i] & 0x80) == 0) {
          if (first) {
            long a = Math.min(v / 40, 2);
            s.append(a).append('.').append(v - a * 40);
            first = false;
          } else {
            s.append('.').append(v);
          }
          v = 0;
        }
      }
      return s.toString();
    }
  }
}
