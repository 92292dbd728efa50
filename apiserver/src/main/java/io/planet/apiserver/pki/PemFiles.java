package io.planet.apiserver.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM files as Kubernetes tools read them: certificates, PKCS#8 private keys ("PRIVATE KEY", which Go, the JDK and
 * fabric8 all parse without BouncyCastle) and public keys. Keys are written 0600, certificates 0644, each through a
 * temporary file and a rename so a reader never sees half a file.
 */
public final class PemFiles {
  private PemFiles() {}

  public static String encode(Object pemObject) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      if (pemObject instanceof PrivateKey key) {
        w.writeObject(new JcaPKCS8Generator(key, null));
      } else {
        w.writeObject(pemObject);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode PEM", e);
    }
    return out.toString();
  }

  public static void writeCertificate(Path file, X509Certificate cert) throws IOException {
    write(file, encode(cert), "rw-r--r--");
  }

  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    write(file, encode(key), "rw-------");
  }

  public static void writePublicKey(Path file, PublicKey key) throws IOException {
    write(file, encode(key), "rw-r--r--");
  }

  private static void write(Path file, String pem, String mode) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static X509Certificate readCertificate(Path file) throws IOException {
    return parseCertificate(Files.readAllBytes(file));
  }

  /** Every certificate of a PEM bundle (a CA file may hold several); an error when there is none. */
  public static java.util.List<X509Certificate> readCertificates(Path file) throws IOException {
    java.util.List<X509Certificate> out = new java.util.ArrayList<>();
    try (var in = Files.newInputStream(file)) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) out.add((X509Certificate) c);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not a PEM certificate bundle: " + e.getMessage(), e);
    }
    if (out.isEmpty()) throw new IOException(file + " holds no certificate");
    return out;
  }

  public static X509Certificate parseCertificate(byte[] pem) throws IOException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
    } catch (GeneralSecurityException e) {
      throw new IOException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  public static PrivateKey readPrivateKey(Path file) throws IOException {
    return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
  }

  /** A PKCS#8, SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY") key. */
  public static PrivateKey parsePrivateKey(String pem, String what) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) return c.getPrivateKey(info);
      if (o instanceof PEMKeyPair pair) return c.getPrivateKey(pair.getPrivateKeyInfo());
      throw new IOException(what + " holds no private key");
    }
  }

  public static PublicKey readPublicKey(Path file) throws IOException {
    try (PEMParser p = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      Object o = p.readObject();
      if (o instanceof SubjectPublicKeyInfo info) return new JcaPEMKeyConverter().getPublicKey(info);
      throw new IOException(file + " holds no public key");
    }
  }

  public static KeyPair readKeyPair(Path keyFile, Path publicKeyFile) throws IOException {
    return new KeyPair(readPublicKey(publicKeyFile), readPrivateKey(keyFile));
  }
}
