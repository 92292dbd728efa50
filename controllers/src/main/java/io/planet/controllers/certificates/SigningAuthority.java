package io.planet.controllers.certificates;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster CA as csrsigning uses it (upstream's authority.CertificateAuthority with the PermissiveSigningPolicy):
 * the issued certificate carries the request's subject, public key and DNS/IP/email/URI SANs, key usages from
 * spec.usages, basic constraints CA:false, and is valid from 5 minutes ago for the requested duration, never past the
 * CA's own notAfter. The files are read again when they change (a rotated CA takes effect without a restart).
 */
public final class SigningAuthority {
  /** Upstream's --cluster-signing-duration default. */
  public static final Duration DEFAULT_TTL = Duration.ofDays(365);
  /** The lower bound upstream applies to spec.expirationSeconds (twice the backdate). */
  public static final Duration MIN_TTL = Duration.ofMinutes(10);
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private final Path certFile;
  private final Path keyFile;
  private final SecureRandom random = new SecureRandom();
  private X509Certificate cert;
  private PrivateKey key;
  private Instant loadedCertTime = Instant.EPOCH;
  private Instant loadedKeyTime = Instant.EPOCH;

  public SigningAuthority(Path certFile, Path keyFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /** Reads the files; IOException naming the file that cannot be used. */
  public synchronized void load() throws IOException {
    Instant certTime = Files.getLastModifiedTime(certFile).toInstant();
    Instant keyTime = Files.getLastModifiedTime(keyFile).toInstant();
    if (cert != null && certTime.equals(loadedCertTime) && keyTime.equals(loadedKeyTime)) return;
    X509Certificate c = readCertificate(certFile);
    PrivateKey k = readKey(keyFile);
    cert = c;
    key = k;
    loadedCertTime = certTime;
    loadedKeyTime = keyTime;
  }

  public synchronized X509Certificate certificate() {
    return cert;
  }

  /**
   * Upstream's signer duration: the default TTL unless spec.expirationSeconds asks for less, never below 10 minutes.
   */
  public static Duration duration(Integer expirationSeconds, Duration certTtl) {
    if (expirationSeconds == null) return certTtl;
    Duration requested = Duration.ofSeconds(expirationSeconds);
    if (requested.compareTo(certTtl) > 0) return certTtl;
    if (requested.compareTo(MIN_TTL) < 0) return MIN_TTL;
    return requested;
  }

  /** notBefore and notAfter of a certificate issued at {@code now} for {@code ttl}, capped at the CA's notAfter. */
  static Instant[] validity(Instant now, Duration ttl, Instant caNotAfter) {
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.plus(ttl);
    if (notAfter.isAfter(caNotAfter)) notAfter = caNotAfter;
    return new Instant[] {notBefore, notAfter};
  }

  /** Signs the request; the PEM CERTIFICATE of the issued certificate. */
  public synchronized String sign(CertificateRequests request, List<String> usages, Duration ttl, Instant now) {
    try {
      Instant[] validity = validity(now, ttl, cert.getNotAfter().toInstant());
      X509v3CertificateBuilder b = new X509v3CertificateBuilder(
          X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()),
          new BigInteger(128, random).setBit(127), Date.from(validity[0]), Date.from(validity[1]),
          request.request().getSubject(), request.request().getSubjectPublicKeyInfo());
      int keyUsage = 0;
      List<KeyPurposeId> extended = new ArrayList<>();
      for (String u : usages) {
        Integer bit = KEY_USAGES.get(u);
        if (bit != null) keyUsage |= bit;
        KeyPurposeId purpose = EXTENDED_USAGES.get(u);
        if (purpose != null && !extended.contains(purpose)) extended.add(purpose);
      }
      if (keyUsage != 0) b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      if (!extended.isEmpty()) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extended.toArray(KeyPurposeId[]::new)));
      }
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(cert));
      GeneralNames sans = CertificateRequests.subjectAltNames(request.request());
      if (sans != null) b.addExtension(Extension.subjectAlternativeName, false, sans);
      String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      X509CertificateHolder holder = b.build(new JcaContentSignerBuilder(alg).build(key));
      X509Certificate issued = new JcaX509CertificateConverter().getCertificate(holder);
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(issued);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("signing failed: " + e.getMessage(), e);
    }
  }

  private static final Map<String, Integer> KEY_USAGES = Map.of(
      "signing", KeyUsage.digitalSignature,
      "digital signature", KeyUsage.digitalSignature,
      "content commitment", KeyUsage.nonRepudiation,
      "key encipherment", KeyUsage.keyEncipherment,
      "key agreement", KeyUsage.keyAgreement,
      "data encipherment", KeyUsage.dataEncipherment,
      "cert sign", KeyUsage.keyCertSign,
      "crl sign", KeyUsage.cRLSign,
      "encipher only", KeyUsage.encipherOnly,
      "decipher only", KeyUsage.decipherOnly);

  private static final Map<String, KeyPurposeId> EXTENDED_USAGES = Map.ofEntries(
      Map.entry("any", KeyPurposeId.anyExtendedKeyUsage),
      Map.entry("server auth", KeyPurposeId.id_kp_serverAuth),
      Map.entry("client auth", KeyPurposeId.id_kp_clientAuth),
      Map.entry("code signing", KeyPurposeId.id_kp_codeSigning),
      Map.entry("email protection", KeyPurposeId.id_kp_emailProtection),
      Map.entry("s/mime", KeyPurposeId.id_kp_emailProtection),
      Map.entry("ipsec end system", KeyPurposeId.id_kp_ipsecEndSystem),
      Map.entry("ipsec tunnel", KeyPurposeId.id_kp_ipsecTunnel),
      Map.entry("ipsec user", KeyPurposeId.id_kp_ipsecUser),
      Map.entry("timestamping", KeyPurposeId.id_kp_timeStamping),
      Map.entry("ocsp signing", KeyPurposeId.id_kp_OCSPSigning),
      Map.entry("microsoft sgc", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"))),
      Map.entry("netscape sgc", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.16.840.1.113730.4.1"))));

  private static X509Certificate readCertificate(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      if (!(o instanceof X509CertificateHolder h)) throw new IOException(file + " holds no PEM certificate");
      return new JcaX509CertificateConverter().getCertificate(h);
    } catch (java.security.cert.CertificateException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) return conv.getPrivateKey(kp.getPrivateKeyInfo());
      if (o instanceof PrivateKeyInfo pki) return conv.getPrivateKey(pki);
      throw new IOException(file + " holds no PEM private key");
    }
  }
}
