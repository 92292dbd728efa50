package io.planet.apiserver.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Real PKCS#10 certificate requests for tests, made as a kubelet makes them (ECDSA P-256, SHA256withECDSA). */
public final class TestCsrs {
  private TestCsrs() {}

  public static KeyPair ecKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A PEM CERTIFICATE REQUEST for CN={@code cn}, O={@code orgs}, with DNS and IP subject alternative names. */
  public static String request(KeyPair key, String cn, List<String> orgs, List<String> dnsNames, List<String> ips) {
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    for (String o : orgs) subject.addRDN(BCStyle.O, o);
    subject.addRDN(BCStyle.CN, cn);
    JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject.build(), key.getPublic());
    try {
      if (!dnsNames.isEmpty() || !ips.isEmpty()) {
        List<GeneralName> names = new ArrayList<>();
        for (String d : dnsNames) names.add(new GeneralName(GeneralName.dNSName, d));
        for (String ip : ips) names.add(new GeneralName(GeneralName.iPAddress, ip));
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      }
      PKCS10CertificationRequest csr = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(csr);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String request(KeyPair key, String cn, List<String> orgs) {
    return request(key, cn, orgs, List.of(), List.of());
  }

  public static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A CertificateSigningRequest manifest (JSON) for the request. */
  public static String manifest(String name, String pem, String signerName, List<String> usages, Long expirationSeconds) {
    StringBuilder u = new StringBuilder();
    for (String s : usages) u.append(u.length() == 0 ? "" : ",").append('"').append(s).append('"');
    return """
        {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"%s"},
         "spec":{"request":"%s","signerName":"%s","usages":[%s]%s}}""".formatted(name, base64(pem), signerName, u,
        expirationSeconds == null ? "" : ",\"expirationSeconds\":" + expirationSeconds);
  }
}
