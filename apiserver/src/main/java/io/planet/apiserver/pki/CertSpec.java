package io.planet.apiserver.pki;

import java.util.List;

/**
 * What one leaf certificate says: the file name it is stored under (name.crt / name.key), the subject (CN = user,
 * O = groups, as Kubernetes reads client certificates), the subject alternative names a serving certificate is valid
 * for, and whether it is for serving, for client authentication, or both.
 */
public record CertSpec(String name, String commonName, List<String> organizations, List<String> dnsNames,
    List<String> ipAddresses, boolean serverAuth, boolean clientAuth) {

  public CertSpec {
    organizations = List.copyOf(organizations);
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
  }

  public static CertSpec client(String name, String commonName, List<String> organizations) {
    return new CertSpec(name, commonName, organizations, List.of(), List.of(), false, true);
  }

  public static CertSpec server(String name, String commonName, List<String> organizations, List<String> dnsNames,
      List<String> ipAddresses) {
    return new CertSpec(name, commonName, organizations, dnsNames, ipAddresses, true, false);
  }
}
