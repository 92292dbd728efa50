package io.planet.apiserver.auth;

import java.security.cert.X509Certificate;
import java.util.List;

/** What a request presented to prove who sent it: the TLS client certificate chain and the Authorization header. */
public record Credentials(List<X509Certificate> clientCertificates, String authorization) {
  public Credentials {
    clientCertificates = List.copyOf(clientCertificates);
    authorization = authorization == null ? "" : authorization;
  }
}
