package io.planet.apiserver.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A named fake of an extension API server (e.g. metrics-server) behind an APIService: HTTPS on a loopback port with a
 * self-signed certificate for {@code <service>.<namespace>.svc} (made by the JDK's keytool, once per host name), answering discovery of one
 * group/version, canned JSON per path (query ignored), and watches ({@code ?watch=...}) as chunked streams fed by
 * {@link #emit}. Every request is recorded with its query and headers.
 */
public final class FakeExtensionApiServer implements AutoCloseable {
  /** One request as the backend saw it. */
  public record Recorded(String method, String uri, Map<String, List<String>> headers) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) return String.join(",", e.getValue());
      }
      return "";
    }
  }

  private final String group;
  private final String version;
  private final String serviceName;
  private final String namespace;
  private final String caBundle;
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-extension-apiserver");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, String> responses = new ConcurrentHashMap<>();
  private final List<BlockingQueue<String>> watches = new CopyOnWriteArrayList<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  /** Paths whose requests wait until {@link #release()} (slow backends). */
  private final Map<String, java.util.concurrent.CountDownLatch> held = new ConcurrentHashMap<>();

  /**
   * Starts serving {@code /apis/<group>/<version>} with the given resources (APIResource JSON objects).
   */
  public FakeExtensionApiServer(String group, String version, String serviceName, String namespace,
      List<String> resources) {
    this.group = group;
    this.version = version;
    this.serviceName = serviceName;
    this.namespace = namespace;
    try {
      Certificate cert = certificateFor(serviceName + "." + namespace + ".svc");
      caBundle = Base64.getEncoder().encodeToString(cert.pem());
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(cert.keyStore()), "changeit".toCharArray());
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, "changeit".toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      server.setHttpsConfigurator(new HttpsConfigurator(ctx));
      server.setExecutor(executor);
      server.createContext("/", this::serve);
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the fake extension API server", e);
    }
    responses.put("/apis/" + group + "/" + version, """
        {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"%s/%s","resources":[%s]}"""
        .formatted(group, version, String.join(",", resources)));
  }

  /** A PKCS12 key store with the key and certificate, and the certificate as PEM. */
  private record Certificate(byte[] keyStore, byte[] pem) {}

  /** keytool takes seconds to start: one certificate per host name and JVM. */
  private static final Map<String, Certificate> CERTIFICATES = new ConcurrentHashMap<>();

  private static synchronized Certificate certificateFor(String host) throws IOException, InterruptedException {
    Certificate cached = CERTIFICATES.get(host);
    if (cached != null) return cached;
    Path dir = Files.createTempDirectory("fake-extension-apiserver");
    try {
      Path ks = dir.resolve("backend.p12");
      keytool("-genkeypair", "-alias", "backend", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + host,
          "-ext", "SAN=dns:" + host + ",ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
          "-storepass", "changeit", "-keypass", "changeit");
      Path pem = dir.resolve("backend.pem");
      keytool("-exportcert", "-rfc", "-alias", "backend", "-keystore", ks.toString(), "-storepass", "changeit",
          "-file", pem.toString());
      Certificate c = new Certificate(Files.readAllBytes(ks), Files.readAllBytes(pem));
      CERTIFICATES.put(host, c);
      return c;
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("keytool failed: " + out);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The base64 PEM of the server's certificate, for spec.caBundle. */
  public String caBundle() {
    return caBundle;
  }

  /** Answers GETs of {@code path} (without query) with this JSON. */
  public void respond(String path, String json) {
    responses.put(path, json);
  }

  /** Requests of {@code path} wait (at most a minute) until {@link #release()}. */
  public void hold(String path) {
    held.put(path, new java.util.concurrent.CountDownLatch(1));
  }

  /** Lets every held request answer. */
  public void release() {
    held.values().forEach(java.util.concurrent.CountDownLatch::countDown);
    held.clear();
  }

  /** Sends one watch event line to every open watch. */
  public void emit(String eventJson) {
    for (BlockingQueue<String> q : watches) q.add(eventJson);
  }

  public int openWatches() {
    return watches.size();
  }

  public List<Recorded> requests() {
    return requests;
  }

  /** Creates a selector-less Service on port 443, an EndpointSlice to 127.0.0.1:port() and the APIService. */
  public void register(ApiClient api) {
    api.create("/api/v1/namespaces/" + namespace + "/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s"},
         "spec":{"ports":[{"name":"https","port":443,"targetPort":%d}]}}""".formatted(serviceName, port()));
    api.create("/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices", """
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"%s-1",
          "labels":{"kubernetes.io/service-name":"%s"}},"addressType":"IPv4",
         "endpoints":[{"addresses":["127.0.0.1"],"conditions":{"ready":true}}],
         "ports":[{"name":"https","port":%d,"protocol":"TCP"}]}""".formatted(serviceName, serviceName, port()));
    api.create("/apis/apiregistration.k8s.io/v1/apiservices", """
        {"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"%s.%s"},
         "spec":{"group":"%s","version":"%s","groupPriorityMinimum":100,"versionPriority":100,"caBundle":"%s",
          "service":{"namespace":"%s","name":"%s","port":443}}}"""
        .formatted(version, group, group, version, caBundle, namespace, serviceName));
  }

  private void serve(HttpExchange ex) throws IOException {
    requests.add(new Recorded(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders())));
    String query = ex.getRequestURI().getRawQuery();
    try (ex) {
      ex.getRequestBody().readAllBytes();
      if (query != null && (query.contains("watch=true") || query.contains("watch=1"))) {
        watch(ex);
        return;
      }
      java.util.concurrent.CountDownLatch gate = held.get(ex.getRequestURI().getPath());
      if (gate != null) {
        try {
          gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String body = responses.get(ex.getRequestURI().getPath());
      int code = 200;
      if (body == null) {
        code = 404;
        body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,"
            + "\"message\":\"the server could not find the requested resource\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(code, ex.getRequestMethod().equals("HEAD") ? -1 : bytes.length);
      if (!ex.getRequestMethod().equals("HEAD")) ex.getResponseBody().write(bytes);
    }
  }

  private void watch(HttpExchange ex) throws IOException {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    watches.add(q);
    try {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      while (true) {
        String event = q.poll(200, TimeUnit.MILLISECONDS);
        if (event == null) continue;
        if (event.equals("__END__")) return;
        out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      watches.remove(q);
    }
  }

  /** Stops listening (the port is closed) and ends open watches. */
  public void stop() {
    release();
    for (BlockingQueue<String> q : watches) q.add("__END__");
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stop();
  }
}
