package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.apiserver.aggregator.BackendClients;
import io.planet.apiserver.aggregator.ServiceResolver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * POSTs an AdmissionReview to a webhook (upstream's ClientManager.HookClient): a url clientConfig directly, a service
 * one to a ready endpoint of the Service (the aggregator's {@link ServiceResolver}) while TLS checks the certificate
 * against {@code <service>.<namespace>.svc}; the caBundle is the trust. Failures read as Go's client does, quoting
 * the URL upstream posts to (with {@code ?timeout=}).
 */
final class WebhookClient {
  private final Supplier<ServiceResolver> resolver;
  private final BackendClients clients;

  WebhookClient(Supplier<ServiceResolver> resolver, BackendClients clients) {
    this.resolver = resolver;
    this.clients = clients;
  }

  /** The call failed before a usable answer arrived (upstream's "failed to call webhook: ..."). */
  static final class CallFailed extends Exception {
    CallFailed(String message) {
      super(message, null, false, false);
    }
  }

  JsonNode post(Webhook w, byte[] body) throws CallFailed {
    JsonNode cc = w.clientConfig();
    String caBundle = cc.path("caBundle").asText("");
    Duration timeout = w.timeout();
    String query = "?timeout=" + timeout.toSeconds() + "s";
    String shown;
    URI target;
    String serverName;
    if (cc.hasNonNull("url")) {
      URI url = URI.create(cc.get("url").asText());
      shown = url + query;
      target = URI.create(url + query);
      serverName = url.getHost() == null ? "" : url.getHost().replace("[", "").replace("]", "");
    } else {
      JsonNode svc = cc.path("service");
      String name = svc.path("name").asText();
      String namespace = svc.path("namespace").asText();
      int port = svc.path("port").asInt(443);
      String path = svc.path("path").asText("");
      if (path.isEmpty()) path = "/";
      serverName = name + "." + namespace + ".svc";
      shown = "https://" + serverName + ":" + port + path + query;
      URI endpoint;
      try {
        endpoint = resolver.get().resolve(namespace, name, port);
      } catch (ServiceResolver.Unavailable e) {
        throw new CallFailed("Post \"" + shown + "\": " + resolutionError(e, name, port));
      }
      target = URI.create(endpoint + path + query);
    }
    HttpClient client = clients.forServer(serverName, caBundle);
    HttpRequest req = HttpRequest.newBuilder(target).timeout(timeout)
        .header("Content-Type", "application/json").header("Accept", "application/json, */*")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new CallFailed("Post \"" + shown + "\": context deadline exceeded");
    } catch (ConnectException e) {
      throw new CallFailed("Post \"" + shown + "\": dial tcp " + target.getHost() + ":" + target.getPort()
          + ": connect: connection refused");
    } catch (SSLException e) {
      throw new CallFailed("Post \"" + shown + "\": tls: failed to verify certificate: " + tlsReason(e));
    } catch (IOException e) {
      throw new CallFailed("Post \"" + shown + "\": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallFailed("Post \"" + shown + "\": context canceled");
    }
    if (resp.statusCode() < 200 || resp.statusCode() > 206) {
      String text = new String(resp.body(), StandardCharsets.UTF_8).strip();
      throw new CallFailed(text.isEmpty()
          ? "the server responded with the status code " + resp.statusCode() + " but did not return more information"
          : "an error on the server (\"" + text + "\") has prevented the request from succeeding");
    }
    try {
      return Json.parse(resp.body());
    } catch (IOException e) {
      throw new CallFailed("couldn't get version/kind; json parse error: " + e.getMessage());
    }
  }

  /** Upstream's endpoint resolver errors. */
  private static String resolutionError(ServiceResolver.Unavailable e, String name, int port) {
    return switch (e.reason()) {
      case "ServiceNotFound" -> "service \"" + name + "\" not found";
      case "ServicePortError" -> "no service port " + port + " found for service \"" + name + "\"";
      case "EndpointsNotFound" -> "endpoints \"" + name + "\" not found";
      default -> "no endpoints available for service \"" + name + "\"";
    };
  }

  private static String tlsReason(SSLException e) {
    Throwable t = e;
    while (t.getCause() != null) t = t.getCause();
    String m = t.getMessage() == null ? "" : t.getMessage();
    if (m.startsWith("x509:")) return m;
    return "x509: certificate signed by unknown authority";
  }
}
