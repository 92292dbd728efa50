package io.planet.api.tls;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a kubelet's serving certificate: its chain must lead to the kubelet CA and it must be issued for the node
 * — one of its names (DNS or IP) is the node's name or the address dialed. Nodes are dialed by address, which the
 * cluster PKI's kubelet certificates need not list; the node's name binds the certificate to the node as well.
 * The API server uses it when it connects to kubelets (logs, exec, port-forward, node proxy), metrics-server when it
 * scrapes them.
 */
public final class KubeletServingTrust extends X509ExtendedTrustManager {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final Set<TrustAnchor> anchors = new HashSet<>();
  private final String nodeName;

  public KubeletServingTrust(List<X509Certificate> authorities, String nodeName) {
    for (X509Certificate ca : authorities) anchors.add(new TrustAnchor(ca, null));
    this.nodeName = nodeName;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    verify(chain, engine == null ? null : engine.getPeerHost());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    verify(chain, socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostAddress());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain, null);
  }

  void verify(X509Certificate[] chain, String dialed) throws CertificateException {
    if (chain == null || chain.length == 0) throw new CertificateException("x509: the kubelet presented no certificate");
    X509Certificate leaf = chain[0];
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
          .generateCertPath(Arrays.asList(chain)), params);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("x509: certificate signed by unknown authority (" + e.getMessage() + ")", e);
    }
    List<String> usages = leaf.getExtendedKeyUsage();
    if (usages != null && !usages.contains(SERVER_AUTH) && !usages.contains(ANY_USAGE)) {
      throw new CertificateException("x509: certificate specifies an incompatible key usage");
    }
    List<String> names = names(leaf);
    if (matches(names, nodeName) || (dialed != null && matches(names, dialed))) return;
    throw new CertificateException("x509: certificate is valid for " + String.join(", ", names) + ", not "
        + nodeName + (dialed == null ? "" : " or " + dialed));
  }

  private static List<String> names(X509Certificate cert) throws CertificateParsingException {
    List<String> out = new ArrayList<>();
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    if (sans == null) return out;
    for (List<?> san : sans) {
      int type = (Integer) san.get(0);
      if (type == 2 || type == 7) out.add(String.valueOf(san.get(1)));
    }
    return out;
  }

  private static boolean matches(List<String> names, String host) {
    if (host == null || host.isEmpty()) return false;
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    for (String n : names) {
      if (n.equalsIgnoreCase(h)) return true;
      if (isIpLiteral(n) && isIpLiteral(h) && sameAddress(n, h)) return true;
    }
    return false;
  }

  private static boolean isIpLiteral(String s) {
    return s.contains(":") || s.matches("[0-9.]+");
  }

  private static boolean sameAddress(String a, String b) {
    try {
      // literals only (checked above): no name lookups happen here
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client side only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("client side only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("client side only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return anchors.stream().map(TrustAnchor::getTrustedCert).toArray(X509Certificate[]::new);
  }
}
