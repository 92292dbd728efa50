package io.planet.apiserver.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** JDK TLS contexts for clients of the cluster: trusting the cluster CA and presenting one of its client certificates. */
public final class TlsContexts {
  private TlsContexts() {}

  /** Trusts the cluster CA and authenticates with the leaf {@code certName} (null: no client certificate). */
  public static SSLContext client(ClusterPki pki, String certName) {
    try {
      char[] none = new char[0];
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, none);
      trust.setCertificateEntry("ca", PemFiles.readCertificate(pki.caFile()));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (certName != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, none);
        keys.setKeyEntry(certName, PemFiles.readPrivateKey(pki.keyFile(certName)), none,
            new Certificate[] {PemFiles.readCertificate(pki.certFile(certName))});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, none);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context from " + pki.dir() + ": " + e.getMessage(), e);
    }
  }
}
