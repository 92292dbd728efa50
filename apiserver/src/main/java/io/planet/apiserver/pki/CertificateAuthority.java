package io.planet.apiserver.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** The cluster CA: its certificate and key, and the leaf certificates it signs. */
public final class CertificateAuthority {
  /** kubeadm's CA subject. */
  public static final String COMMON_NAME = "kubernetes";
  /** Backdating covers clocks a little behind ours (kubeadm backdates too). */
  private static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey key() {
    return key;
  }

  /** A new self-signed CA valid for {@code validity} from {@code now}. */
  public static CertificateAuthority create(Instant now, Duration validity) {
    KeyPair pair = Keys.generate();
    X500Name subject = name(COMMON_NAME, List.of());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(now.plus(validity)), subject, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create the cluster CA", e);
    }
  }

  public static CertificateAuthority load(Path cert, Path key) throws IOException {
    return new CertificateAuthority(PemFiles.readCertificate(cert), PemFiles.readPrivateKey(key));
  }

  public void save(Path cert, Path keyFile) throws IOException {
    PemFiles.writePrivateKey(keyFile, key);
    PemFiles.writeCertificate(cert, certificate);
  }

  /** Signs a certificate for {@code publicKey} as {@code spec} describes, valid from now for {@code validity}. */
  public X509Certificate issue(CertSpec spec, PublicKey publicKey, Instant now, Duration validity) {
    Instant notAfter = now.plus(validity);
    // a leaf never outlives its CA: clients would reject it anyway
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) notAfter = certificate.getNotAfter().toInstant();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(notAfter), new X500Principal(name(spec.commonName(), spec.organizations()).getEncoded()), publicKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
      List<KeyPurposeId> usages = new ArrayList<>();
      if (spec.serverAuth()) usages.add(KeyPurposeId.id_kp_serverAuth);
      if (spec.clientAuth()) usages.add(KeyPurposeId.id_kp_clientAuth);
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usages.toArray(KeyPurposeId[]::new)));
      List<GeneralName> sans = new ArrayList<>();
      for (String dns : spec.dnsNames()) sans.add(new GeneralName(GeneralName.dNSName, dns));
      for (String ip : spec.ipAddresses()) sans.add(new GeneralName(GeneralName.iPAddress, ip(ip)));
      if (!sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      return sign(b, key);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot sign a certificate for " + spec.commonName(), e);
    }
  }

  /** Whether {@code cert} was signed by this CA's key. */
  public boolean signed(X509Certificate cert) {
    try {
      cert.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String ip(String address) throws IOException {
    // GeneralName wants the literal; InetAddress rejects names, so a typo is not looked up in DNS
    if (!address.matches("[0-9.]+|[0-9a-fA-F:.]+")) throw new IOException("not an IP address: " + address);
    return InetAddress.getByName(address).getHostAddress();
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE);
    for (String o : organizations) n.addRDN(BCStyle.O, o);
    n.addRDN(BCStyle.CN, commonName);
    return n.build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(Keys.SIGNATURE_ALGORITHM).build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  static boolean exists(Path cert, Path key) {
    return Files.exists(cert) && Files.exists(key);
  }
}
