package io.planet.node.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The kubelet API's TLS: the serving certificate of --tls-cert-file/--tls-private-key-file, else the self-signed one
 * kept in the data directory ({@link ServingCertificate}); TLS 1.2 and 1.3. With client CAs, client certificates are
 * requested (the CAs named as acceptable issuers) but not checked in the handshake, as upstream's kubelet
 * (tls.RequestClientCert): {@link io.planet.node.server.auth.KubeletAuth} checks them and answers 401 itself.
 */
public final class KubeletTls {
  private KubeletTls() {}

  /** From PEM files (PKCS#8 key). */
  public static SslContext fromFiles(Path certFile, Path keyFile, List<X509Certificate> clientCas) throws IOException {
    try {
      return finish(SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile()), clientCas);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot use the serving certificate " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /** From a key store (the self-signed certificate). */
  public static SslContext fromKeyStore(KeyStore keyStore, char[] password, List<X509Certificate> clientCas) throws IOException {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      return finish(SslContextBuilder.forServer(kmf), clientCas);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the kubelet's serving certificate: " + e.getMessage(), e);
    }
  }

  private static SslContext finish(SslContextBuilder b, List<X509Certificate> clientCas) throws IOException {
    b.sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2");
    if (!clientCas.isEmpty()) b.clientAuth(ClientAuth.OPTIONAL).trustManager(new RequestOnly(clientCas));
    return b.build();
  }

  /** Accepts any client certificate in the handshake and names the client CAs, so clients pick the right one. */
  private static final class RequestOnly extends X509ExtendedTrustManager {
    private final X509Certificate[] issuers;

    RequestOnly(List<X509Certificate> cas) {
      this.issuers = cas.toArray(new X509Certificate[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return issuers.clone();
    }
  }
}
