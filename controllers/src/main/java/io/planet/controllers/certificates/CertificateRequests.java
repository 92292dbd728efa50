package io.planet.controllers.certificates;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A CSR's PKCS#10 request as the certificate controllers read it (upstream's ParseCSR plus the x509 fields they look
 * at), and the condition helpers of upstream's certificates controller utilities.
 */
public record CertificateRequests(PKCS10CertificationRequest request, String commonName, List<String> organizations,
    List<String> dnsNames, List<String> ipAddresses, List<String> emailAddresses, List<String> uris) {

  public static final String APPROVED = "Approved";
  public static final String DENIED = "Denied";
  public static final String FAILED = "Failed";

  /** Parses spec.request (PEM); IllegalArgumentException with upstream's text when it is not a CERTIFICATE REQUEST. */
  public static CertificateRequests parse(String base64Pem) {
    String pem = new String(Base64.getDecoder().decode(base64Pem == null ? "" : base64Pem),
        java.nio.charset.StandardCharsets.UTF_8);
    Object o;
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      o = p.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
    }
    if (!(o instanceof PKCS10CertificationRequest csr)) {
      throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
    }
    X500Name subject = csr.getSubject();
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    List<String> emails = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    GeneralNames sans = subjectAltNames(csr);
    if (sans != null) {
      for (GeneralName n : sans.getNames()) {
        switch (n.getTagNo()) {
          case GeneralName.dNSName -> dns.add(n.getName().toString());
          case GeneralName.iPAddress -> ips.add(ip(n));
          case GeneralName.rfc822Name -> emails.add(n.getName().toString());
          case GeneralName.uniformResourceIdentifier -> uris.add(n.getName().toString());
          default -> { }
        }
      }
    }
    return new CertificateRequests(csr, first(subject, BCStyle.CN), all(subject, BCStyle.O), dns, ips, emails, uris);
  }

  /** The subject alternative names the request asks for (in its PKCS#9 extensionRequest); null when none. */
  static GeneralNames subjectAltNames(PKCS10CertificationRequest csr) {
    for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (ASN1Encodable v : a.getAttributeValues()) {
        return GeneralNames.fromExtensions(Extensions.getInstance(v), Extension.subjectAlternativeName);
      }
    }
    return null;
  }

  private static String ip(GeneralName n) {
    try {
      return InetAddress.getByAddress(DEROctetString.getInstance(n.getName()).getOctets()).getHostAddress();
    } catch (UnknownHostException e) {
      return "";
    }
  }

  private static String first(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    List<String> all = all(name, type);
    return all.isEmpty() ? "" : all.get(0);
  }

  private static List<String> all(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    List<String> out = new ArrayList<>();
    for (RDN r : name.getRDNs(type)) out.add(IETFUtils.valueToString(r.getFirst().getValue()));
    return out;
  }

  /** Whether the CSR has a condition of this type with status True. */
  public static boolean has(CertificateSigningRequest csr, String type) {
    return condition(csr, type) != null;
  }

  public static CertificateSigningRequestCondition condition(CertificateSigningRequest csr, String type) {
    if (csr.getStatus() == null || csr.getStatus().getConditions() == null) return null;
    for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
      if (type.equals(c.getType()) && "True".equals(c.getStatus())) return c;
    }
    return null;
  }

  public static boolean issued(CertificateSigningRequest csr) {
    return csr.getStatus() != null && csr.getStatus().getCertificate() != null && !csr.getStatus().getCertificate().isEmpty();
  }
}
