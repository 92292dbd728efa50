package io.planet.controllers.certificates;

import java.util.List;
import java.util.Set;

/**
 * Upstream's ValidateKubeletClientCSR and ValidateKubeletServingCSR: what a kubelet's client or serving certificate
 * request must look like. Each check returns null when it holds, else upstream's error text.
 */
public final class KubeletCsrs {
  private KubeletCsrs() {}

  public static final String NODES_GROUP = "system:nodes";
  public static final String NODE_PREFIX = "system:node:";

  private static final Set<String> CLIENT_USAGES = Set.of("digital signature", "key encipherment", "client auth");
  private static final Set<String> CLIENT_USAGES_NO_RSA = Set.of("digital signature", "client auth");
  private static final Set<String> SERVING_USAGES = Set.of("digital signature", "key encipherment", "server auth");
  private static final Set<String> SERVING_USAGES_NO_RSA = Set.of("digital signature", "server auth");

  public static String clientError(CertificateRequests r, List<String> usages) {
    if (!r.organizations().equals(List.of(NODES_GROUP))) return "subject organization is not system:nodes";
    if (!r.dnsNames().isEmpty()) return "DNS subjectAltNames are not allowed";
    if (!r.emailAddresses().isEmpty()) return "Email subjectAltNames are not allowed";
    if (!r.ipAddresses().isEmpty()) return "IP subjectAltNames are not allowed";
    if (!r.uris().isEmpty()) return "URI subjectAltNames are not allowed";
    if (!r.commonName().startsWith(NODE_PREFIX)) return "subject common name does not begin with system:node:";
    Set<String> u = Set.copyOf(usages);
    if (!u.equals(CLIENT_USAGES) && !u.equals(CLIENT_USAGES_NO_RSA)) {
      return "usages did not match [client auth digital signature key encipherment]";
    }
    return null;
  }

  public static String servingError(CertificateRequests r, List<String> usages) {
    if (!r.organizations().equals(List.of(NODES_GROUP))) return "subject organization is not system:nodes";
    if (r.dnsNames().isEmpty() && r.ipAddresses().isEmpty()) return "DNS or IP subjectAltName is required";
    if (!r.emailAddresses().isEmpty()) return "Email subjectAltNames are not allowed";
    if (!r.uris().isEmpty()) return "URI subjectAltNames are not allowed";
    Set<String> u = Set.copyOf(usages);
    if (!u.equals(SERVING_USAGES) && !u.equals(SERVING_USAGES_NO_RSA)) {
      return "usages did not match [digital signature key encipherment server auth]";
    }
    if (!r.commonName().startsWith(NODE_PREFIX)) return "subject common name does not begin with system:node:";
    return null;
  }

  /** Upstream's validAPIServerClientUsages for the kube-apiserver-client signer. */
  public static String apiServerClientUsagesError(List<String> usages) {
    boolean clientAuth = false;
    for (String u : usages) {
      switch (u) {
        case "digital signature", "key encipherment" -> { }
        case "client auth" -> clientAuth = true;
        default -> {
          return "invalid usage for client certificate: " + u;
        }
      }
    }
    return clientAuth ? null : "missing required usage for client certificate: client auth";
  }
}
