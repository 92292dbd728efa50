package io.planet.apiserver.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.planet.api.Json;
import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.CertificateAuthority;
import io.planet.apiserver.pki.Keys;
import io.planet.apiserver.pki.PemFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS admission webhook in the test JVM: a serving certificate from a test CA for
 * {@code <service>.<namespace>.svc}, localhost and 127.0.0.1; each path answers AdmissionReviews with a handler and
 * records what it was sent.
 */
final class TestWebhookServer implements AutoCloseable {
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-webhook");
    t.setDaemon(true);
    return t;
  });
  private final String caBundle;
  private final Map<String, Function<JsonNode, ObjectNode>> handlers = new ConcurrentHashMap<>();
  private final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();

  TestWebhookServer(String serviceName, String namespace) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create(Instant.now(), Duration.ofDays(1));
    KeyPair keys = Keys.generate();
    X509Certificate cert = ca.issue(CertSpec.server("webhook", "webhook", List.of(),
        List.of(serviceName + "." + namespace + ".svc", "localhost"), List.of("127.0.0.1")), keys.getPublic(),
        Instant.now(), Duration.ofDays(1));
    caBundle = Base64.getEncoder().encodeToString(PemFiles.encode(ca.certificate()).getBytes(StandardCharsets.US_ASCII));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("webhook", keys.getPrivate(), "changeit".toCharArray(), new Certificate[] {cert, ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String caBundle() {
    return caBundle;
  }

  /** {@code https://127.0.0.1:<port><path>}. */
  String url(String path) {
    return "https://127.0.0.1:" + port() + path;
  }

  /** Answers reviews posted to {@code path} with {@code handler}(review) as the response (uid filled in). */
  void handle(String path, Function<JsonNode, ObjectNode> handler) {
    handlers.put(path, handler);
  }

  /** The AdmissionReview requests posted to {@code path}, oldest first. */
  List<JsonNode> received(String path) {
    return received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
  }

  static ObjectNode allow() {
    ObjectNode r = Json.object();
    r.put("allowed", true);
    return r;
  }

  static ObjectNode deny(int code, String reason, String message) {
    ObjectNode r = Json.object();
    r.put("allowed", false);
    ObjectNode s = r.putObject("status");
    if (code != 0) s.put("code", code);
    if (reason != null) s.put("reason", reason);
    if (message != null) s.put("message", message);
    return r;
  }

  static ObjectNode patch(ObjectNode response, String jsonPatch) {
    response.put("patchType", "JSONPatch");
    response.put("patch", Base64.getEncoder().encodeToString(jsonPatch.getBytes(StandardCharsets.UTF_8)));
    return response;
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      JsonNode review = Json.parse(ex.getRequestBody().readAllBytes());
      received(path).add(review);
      Function<JsonNode, ObjectNode> h = handlers.get(path);
      if (h == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ObjectNode response = h.apply(review);
      response.put("uid", review.at("/request/uid").asText());
      ObjectNode out = Json.object();
      out.put("apiVersion", review.path("apiVersion").asText());
      out.put("kind", "AdmissionReview");
      out.set("response", response);
      byte[] bytes = Json.MAPPER.writeValueAsBytes(out);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
