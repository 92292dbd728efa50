package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How the API server reaches a node's kubelet API: the node's address and daemonEndpoints port, over TLS without
 * verifying the kubelet's certificate (upstream's default without --kubelet-certificate-authority).
 */
final class Kubelets {
  private Kubelets() {}

  static int port(ObjectNode node) {
    return node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(10250);
  }

  static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** InternalIP first (names may not resolve from here), then the others. */
  static String address(ObjectNode node) {
    for (String type : List.of("InternalIP", "Hostname", "ExternalIP", "InternalDNS", "ExternalDNS")) {
      for (JsonNode a : node.path("status").path("addresses")) {
        if (type.equals(a.path("type").asText())) return a.path("address").asText();
      }
    }
    throw new ApiException(503, "ServiceUnavailable", "node " + node.path("metadata").path("name").asText()
        + " reports no address");
  }


  static SSLContext sslContext() {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      // an extended trust manager that checks nothing: no hostname check either (nodes are reached by address)
      ssl.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }
}
