package io.planet.node.bootstrap;

import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys and PKCS#10 requests for a node's certificates, as upstream's kubelet makes them (RSA 2048 here). */
public final class CertificateRequests {
  private CertificateRequests() {}

  public static KeyPair rsaKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make RSA keys", e);
    }
  }

  /**
   * A PEM "CERTIFICATE REQUEST" for subject CN={@code commonName}, O={@code organization}, with a subjectAltName
   * extension request when {@code dnsNames} or {@code ips} are given (serving certificates).
   */
  public static String pem(KeyPair key, String commonName, String organization, List<String> dnsNames, List<String> ips)
      throws IOException {
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    subject.addRDN(BCStyle.O, organization);
    subject.addRDN(BCStyle.CN, commonName);
    JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject.build(), key.getPublic());
    List<GeneralName> names = new ArrayList<>();
    for (String d : dnsNames) names.add(new GeneralName(GeneralName.dNSName, d));
    for (String ip : ips) {
      // a literal address: getByName does not resolve it
      names.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress()));
    }
    if (!names.isEmpty()) {
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
    }
    try {
      PKCS10CertificationRequest csr = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate()));
      return Pem.encode(csr);
    } catch (OperatorCreationException e) {
      throw new IOException("cannot sign the certificate request: " + e.getMessage(), e);
    }
  }
}
