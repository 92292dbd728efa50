package io.planet.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.CertificateAuthority;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Keys;
import io.planet.apiserver.pki.PemFiles;
import io.planet.apiserver.testing.TestApiServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad actors against a real API server (HTTPS, RBAC): thousands of seeded random requests with mangled Authorization
 * headers, client certificates that must not authenticate, random methods, paths and query strings, oversized and
 * malformed requests, over HTTP/1.1 (raw bytes) and HTTP/2. No response may be a 5xx or carry a stack trace, each
 * code must be one a client can act on, and the server must stay healthy.
 */
class AuthFuzzIT {
  private static final long SEED = Long.getLong("fuzz.seed", 20261122L);
  private static final Set<Integer> EXPECTED = Set.of(200, 201, 400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 431);
  private static final String ADMIN_TOKEN = "admin-token-0123456789";
  private static TestApiServer server;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    Path tokens = tmp.resolve("tokens.csv");
    Files.writeString(tokens, ADMIN_TOKEN + ",fuzz-admin,fuzz-uid,\"system:masters\"\nview-token,viewer,v-uid\n");
    server = TestApiServer.withTls(c -> c.withAuthorizationMode("RBAC")
        .withAuthentication(c.authentication().withTokenAuthFile(tokens)));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  // ---- a raw HTTP/1.1 client over TLS: sends exactly the bytes it is given

  private record Reply(int code, Map<String, String> headers, String body) {}

  private static final class RawClient implements AutoCloseable {
    private final SSLContext ssl;
    private SSLSocket socket;
    private InputStream in;
    private OutputStream out;

    RawClient(SSLContext ssl) {
      this.ssl = ssl;
    }

    Reply send(byte[] request, boolean head) throws IOException {
      if (socket == null || socket.isClosed()) {
        socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", server.config().port());
        socket.setSoTimeout(20_000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      }
      out.write(request);
      out.flush();
      String status = line();
      String[] parts = status.split(" ", 3);
      int code = Integer.parseInt(parts[1]);
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (!head && headers.containsKey("Content-Length")) {
        body.write(in.readNBytes(Integer.parseInt(headers.get("Content-Length"))));
      } else if (!head && "chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
        for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
          body.write(in.readNBytes(n));
          line();
        }
        line();
      }
      if ("close".equalsIgnoreCase(headers.get("Connection"))) close();
      return new Reply(code, headers, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) throw new IOException("connection closed without a complete response");
        if (c != '\r') b.write(c);
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      if (socket != null) socket.close();
      socket = null;
    }
  }

  private static SSLContext tls(X509Certificate cert, PrivateKey key) throws Exception {
    KeyManagerFactory kmf = null;
    if (cert != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, new char[0]);
      ks.setKeyEntry("client", key, new char[0], new Certificate[] {cert});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    // the server's identity is not under test here
    TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {trustAll}, new SecureRandom());
    return ctx;
  }

  // ---- generators

  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
      "TRACE", "FOO", "get"};
  private static final String[] PREFIXES = {"/", "/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/healthz",
      "/readyz", "/livez", "/openapi/v2", "/openapi/v3", "/api/v1/namespaces", "/api/v1/namespaces/default/pods",
      "/api/v1/namespaces/default/configmaps", "/api/v1/nodes", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
      "/apis/authentication.k8s.io/v1/selfsubjectreviews", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      "/api/v1/namespaces/kube-system/secrets", "/apis/nope.example.com/v1", "/metrics", "/logs"};
  private static final String[] SEGMENTS = {"x", "..", ".", "", "%2e%2e", "%zz", "%", "%c3%28", "%ff%fe", "%00",
      "caf\u00e9", "\u2603", "a%2Fb", "status", "scale", "log", "default", "kube-system", "namespaces", "pods", "*",
      "~", "%25", "A".repeat(300)};

  private static String path(Random r) {
    StringBuilder p = new StringBuilder(PREFIXES[r.nextInt(PREFIXES.length)]);
    for (int i = r.nextInt(4); i > 0; i--) {
      if (p.charAt(p.length() - 1) != '/') p.append('/');
      p.append(SEGMENTS[r.nextInt(SEGMENTS.length)]);
    }
    if (r.nextInt(3) == 0) {
      p.append('?');
      for (int i = r.nextInt(4); i >= 0; i--) {
        String[] keys = {"labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "pretty", "dryRun",
            "fieldManager", "propagationPolicy", "x", "%zz", "timeoutSeconds"};
        String[] values = {"", "a=b", "!!", "-1", "99999999999999999999", "metadata.name%3Dx", "%", "%zz", "All",
            "true", "\u00e9", "a,b,,c", "in%20(x)", "1"};
        p.append(keys[r.nextInt(keys.length)]).append('=').append(values[r.nextInt(values.length)]).append('&');
      }
    }
    // raw non-ASCII characters go out as UTF-8 bytes; spaces would end the request target
    return p.toString().replace(" ", "%20");
  }

  private static String randomText(Random r, int n, boolean ascii) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append((char) (ascii ? 0x21 + r.nextInt(0x5e) : 0x80 + r.nextInt(0x7f)));
    return b.toString();
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A mangled Authorization header value (Latin-1 characters: written byte for byte), or null for none. */
  private static String authorization(Random r) {
    String jwt = b64("{\"alg\":\"RS256\",\"kid\":\"x\"}".getBytes()) + "."
        + b64(("{\"iss\":\"https://kubernetes.default.svc.cluster.local\",\"sub\":\"system:serviceaccount:default:default\","
            + "\"aud\":[\"https://kubernetes.default.svc.cluster.local\"],\"exp\":" + (System.currentTimeMillis() / 1000 + 3600)
            + "}").getBytes()) + "." + b64(randomText(r, 64, true).getBytes());
    return switch (r.nextInt(16)) {
      case 0 -> null;
      case 1 -> "Bearer " + randomText(r, 1 + r.nextInt(64), true);
      case 2 -> "Bearer";
      case 3 -> "Bearer ";
      case 4 -> "bEaReR  " + ADMIN_TOKEN;
      case 5 -> "Basic " + Base64.getEncoder().encodeToString(("admin:" + randomText(r, 8, true)).getBytes());
      case 6 -> randomText(r, 1 + r.nextInt(100), r.nextBoolean());
      case 7 -> "Bearer " + "A".repeat(5_000 + r.nextInt(60_000));
      case 8 -> "Bearer " + randomText(r, 20, false);
      case 9 -> "Bearer " + jwt;
      case 10 -> "Bearer " + jwt.substring(0, r.nextInt(jwt.length()));
      case 11 -> "Bearer " + ADMIN_TOKEN.substring(0, r.nextInt(ADMIN_TOKEN.length()));
      case 12 -> "Bearer " + ADMIN_TOKEN + randomText(r, 1, true);
      case 13 -> "Bearer " + ADMIN_TOKEN + " " + randomText(r, 5, true);
      case 14 -> r.nextBoolean() ? "Bearer view-token" : "Bearer " + ADMIN_TOKEN;
      default -> "Negotiate " + b64(randomText(r, 30, false).getBytes(StandardCharsets.ISO_8859_1));
    };
  }

  private static byte[] request(Random r, String method, String path, String authorization) {
    StringBuilder h = new StringBuilder();
    h.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: fuzz\r\n");
    if (authorization != null) h.append("Authorization: ").append(authorization).append("\r\n");
    if (r.nextInt(10) == 0) h.append("Impersonate-User: ").append(r.nextBoolean() ? "system:admin" : "").append("\r\n");
    if (r.nextInt(10) == 0) h.append("Impersonate-Group: system:masters\r\n");
    if (r.nextInt(8) == 0) h.append("Accept: ").append(r.nextBoolean() ? "application/vnd.kubernetes.protobuf" : "x/y;;").append("\r\n");
    byte[] body = new byte[0];
    if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      String[] bodies = {"{}", "{", "[]", "null", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"f\"}}",
          "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\"}", randomText(r, 50, false), "\u0000"};
      body = bodies[r.nextInt(bodies.length)].getBytes(StandardCharsets.UTF_8);
      String[] types = {"application/json", "application/merge-patch+json", "application/yaml", "text/plain", "%%%",
          "application/apply-patch+yaml", "application/json-patch+json"};
      h.append("Content-Type: ").append(types[r.nextInt(types.length)]).append("\r\n");
    }
    h.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    // the head's characters are bytes 0-255 except for the path, whose non-Latin-1 characters go out as UTF-8
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (char c : h.toString().toCharArray()) {
      if (c > 0xff) out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      else out.write(c);
    }
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static void check(String what, Reply reply) {
    assertThat(reply.code()).as(what + " → " + reply.body()).isIn(EXPECTED);
    assertThat(reply.body()).as(what).doesNotContain("\tat ").doesNotContain(".java:").doesNotContain("Exception");
    assertThat(reply.headers()).as(what).containsKey("Audit-Id").isNotNull();
    if (reply.code() >= 400 && reply.code() != 404 || reply.body().startsWith("{\"kind\":\"Status\"")) {
      assertThat(reply.body()).as(what).startsWith("{\"kind\":\"Status\"");
    }
  }

  private static int threads() {
    return Thread.activeCount();
  }

  @Test
  void randomHeadersPathsAndMethodsNeverFailTheServer() throws Exception {
    Random r = new Random(SEED);
    int before = threads();
    Map<Integer, Integer> codes = new TreeMap<>();
    int cases = 0;
    try (RawClient client = new RawClient(tls(null, null))) {
      for (int i = 0; i < 4000; i++) {
        String method = METHODS[r.nextInt(METHODS.length)];
        String path = path(r);
        String auth = authorization(r);
        String what = "#" + i + " " + method + " " + path + " auth=" + (auth == null ? "-" : auth.substring(0, Math.min(auth.length(), 60)));
        Reply reply = client.send(request(r, method, path, auth), method.equals("HEAD"));
        if (!method.equals("HEAD")) check(what, reply);
        else assertThat(reply.code()).as(what).isIn(EXPECTED);
        codes.merge(reply.code(), 1, Integer::sum);
        cases++;
      }
    }
    System.out.println("fuzz seed " + SEED + ": " + cases + " HTTP/1.1 cases, codes " + codes);
    assertThat(codes.keySet()).contains(200, 401, 403, 404);
    healthy(before);
  }

  @Test
  void clientCertificatesThatMustNotAuthenticate() throws Exception {
    ClusterPki pki = server.pki();
    CertificateAuthority ca = pki.ca();
    Path foreignDir = tmp.resolve("foreign");
    ClusterPki foreign = ClusterPki.at(foreignDir);
    foreign.ensure(List.of(CertSpec.client("admin", "kubernetes-admin", List.of("system:masters"))));
    KeyPair pair = Keys.generate();
    Map<String, SSLContext> bad = new LinkedHashMap<>();
    bad.put("other CA", tls(PemFiles.readCertificate(foreign.certFile("admin")), PemFiles.readPrivateKey(foreign.keyFile("admin"))));
    bad.put("self-signed", tls(PemFiles.readCertificate(foreign.caFile()), PemFiles.readPrivateKey(foreignDir.resolve("ca.key"))));
    bad.put("expired", tls(ca.issue(CertSpec.client("old", "kubernetes-admin", List.of("system:masters")), pair.getPublic(),
        Instant.now().minus(Duration.ofDays(400)), Duration.ofDays(365)), pair.getPrivate()));
    bad.put("not yet valid", tls(ca.issue(CertSpec.client("new", "kubernetes-admin", List.of("system:masters")), pair.getPublic(),
        Instant.now().plus(Duration.ofDays(10)), Duration.ofDays(365)), pair.getPrivate()));
    bad.put("server key usage", tls(PemFiles.readCertificate(pki.certFile(ClusterCertificates.API_SERVER)),
        PemFiles.readPrivateKey(pki.keyFile(ClusterCertificates.API_SERVER))));
    Random r = new Random(SEED + 1);
    int before = threads();
    for (Map.Entry<String, SSLContext> e : bad.entrySet()) {
      try (RawClient client = new RawClient(e.getValue())) {
        for (int i = 0; i < 150; i++) {
          String method = METHODS[r.nextInt(METHODS.length)];
          String path = path(r);
          Reply reply = client.send(request(r, method, path, null), method.equals("HEAD"));
          String what = e.getKey() + " #" + i + " " + method + " " + path;
          // a request no authentication accepts is refused before anything looks at it (malformed ones aside)
          assertThat(reply.code()).as(what + " → " + reply.body()).isIn(401, 400);
          if (!method.equals("HEAD")) check(what, reply);
        }
      }
    }
    // the valid admin certificate next to them works
    try (RawClient admin = new RawClient(tls(PemFiles.readCertificate(pki.certFile(ClusterCertificates.ADMIN)),
        PemFiles.readPrivateKey(pki.keyFile(ClusterCertificates.ADMIN))))) {
      assertThat(admin.send(request(r, "GET", "/api/v1/namespaces/default", null), false).code()).isEqualTo(200);
    }
    healthy(before);
  }

  @Test
  void oversizedAndMalformedRequestsGetAStatus() throws Exception {
    Random r = new Random(SEED + 2);
    try (RawClient client = new RawClient(tls(null, null))) {
      // headers past upstream's 1 MiB: 431, and the connection is closed after the answer
      Reply big = client.send(request(r, "GET", "/version", "Bearer " + "x".repeat(1_100_000)), false);
      assertThat(big.code()).isEqualTo(431);
      assertThat(big.body()).contains("\"reason\":\"RequestHeaderFieldsTooLarge\"");
      Reply longLine = client.send(request(r, "GET", "/api/" + "a".repeat(1_100_000), null), false);
      assertThat(longLine.code()).isEqualTo(431);
      // a header of 200 KiB is fine (Netty's default 8 KiB would not be)
      assertThat(client.send(request(r, "GET", "/version", "Bearer " + "y".repeat(200_000)), false).code()).isEqualTo(401);
      // bad percent-encoding
      for (String p : List.of("/api/v1/namespaces/%zz", "/api/v1/namespaces?labelSelector=%", "/%")) {
        Reply bad = client.send(request(r, "GET", p, null), false);
        assertThat(bad.code()).as(p).isEqualTo(400);
        assertThat(bad.body()).as(p).contains("\"kind\":\"Status\"");
      }
      // a body past upstream's 3 MiB
      byte[] huge = ("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ADMIN_TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: " + (4 << 20) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes(huge);
      req.writeBytes(new byte[4 << 20]);
      Reply tooLarge = client.send(req.toByteArray(), false);
      assertThat(tooLarge.code()).isEqualTo(413);
      assertThat(tooLarge.body()).contains("\"reason\":\"RequestEntityTooLarge\"");
      // garbage instead of HTTP
      Reply garbage = client.send("\u0001\u0002 nonsense\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), false);
      assertThat(garbage.code()).isEqualTo(400);
    }
    // HTTP/2: oversized header list answered 431 by the HTTP/2 codec, stream by stream
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(tls(null, null)).build();
    HttpResponse<String> big = h2.send(HttpRequest.newBuilder(URI.create(server.url() + "/version"))
        .header("X-Big", "z".repeat(1_200_000)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(431);
    // (as an admin: the fuzzing admin token may well have deleted the bootstrap roles by now)
    HttpResponse<String> after = h2.send(HttpRequest.newBuilder(URI.create(server.url() + "/version"))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
  }

  @Test
  void http2RandomRequests() throws Exception {
    Random r = new Random(SEED + 3);
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(tls(null, null)).build();
    Map<Integer, Integer> codes = new TreeMap<>();
    for (int i = 0; i < 600; i++) {
      String method = METHODS[r.nextInt(METHODS.length)].toUpperCase(Locale.ROOT);
      String path = path(r).replaceAll("[^\\x21-\\x7e]", "%41");
      URI uri;
      try {
        uri = URI.create(server.url() + path);
      } catch (IllegalArgumentException notAUri) {
        continue;
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
          .method(method, HttpRequest.BodyPublishers.ofString(method.equals("GET") || method.equals("HEAD") ? "" : "{"));
      String auth = authorization(r);
      if (auth != null && auth.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && auth.length() < 10_000) {
        b.header("Authorization", auth);
      }
      HttpResponse<String> reply;
      try {
        reply = h2.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IllegalArgumentException clientRefused) {
        continue;
      }
      String what = "h2 #" + i + " " + method + " " + path;
      assertThat(reply.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(reply.statusCode()).as(what + " → " + reply.body()).isIn(EXPECTED);
      assertThat(reply.body()).as(what).doesNotContain("\tat ").doesNotContain(".java:");
      codes.merge(reply.statusCode(), 1, Integer::sum);
    }
    System.out.println("fuzz seed " + SEED + ": HTTP/2 codes " + codes);
    healthy(Thread.activeCount());
  }

  /** /readyz answers 200 and the server did not leave threads behind. */
  private static void healthy(int threadsBefore) {
    assertThat(server.client().get("/readyz").code()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threads()).isLessThanOrEqualTo(threadsBefore + 8));
  }
}
