package io.planet.apiserver.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Reads what Kubernetes reads from a certificate: CN (the user), O (the groups), SANs and key usages. */
public final class Subjects {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private Subjects() {}

  public static String commonName(X509Certificate cert) {
    List<String> cn = values(cert, BCStyle.CN);
    return cn.isEmpty() ? "" : cn.get(0);
  }

  public static List<String> organizations(X509Certificate cert) {
    return values(cert, BCStyle.O);
  }

  /** "CN=…,O=…", the order kubectl users expect to read. */
  public static String describe(X509Certificate cert) {
    StringBuilder b = new StringBuilder("CN=").append(commonName(cert));
    for (String o : organizations(cert)) b.append(",O=").append(o);
    return b.toString();
  }

  private static List<String> values(X509Certificate cert, ASN1ObjectIdentifier type) {
    X500Name name = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    List<String> out = new ArrayList<>();
    for (RDN rdn : name.getRDNs(type)) out.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    return out;
  }

  /** Whether the certificate may authenticate a client (no EKU at all means any use, as Go reads it). */
  public static boolean clientAuth(X509Certificate cert) {
    return usage(cert, CLIENT_AUTH);
  }

  private static boolean usage(X509Certificate cert, String oid) {
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      return eku == null || eku.contains(oid) || eku.contains("2.5.29.37.0");
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  /** The spec a certificate was issued from, so it can be issued again with the same names and usages. */
  public static CertSpec spec(String name, X509Certificate cert) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int kind = (Integer) san.get(0);
          if (kind == 2) dns.add((String) san.get(1));
          if (kind == 7) ips.add((String) san.get(1));
        }
      }
      List<String> eku = cert.getExtendedKeyUsage();
      boolean server = eku != null && eku.contains(SERVER_AUTH);
      boolean client = eku != null && eku.contains(CLIENT_AUTH);
      return new CertSpec(name, commonName(cert), organizations(cert), dns, ips, server, client);
    } catch (CertificateParsingException e) {
      throw new IllegalStateException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }
}
