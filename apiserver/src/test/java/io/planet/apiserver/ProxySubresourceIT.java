package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pods/proxy and services/proxy: requests reach the pod's IP (a service's endpoint) with their method, path, query,
 * body and headers, and the answer comes back with its status and headers. The "pod" is an HTTP server on this
 * machine's own non-loopback address (the API server refuses loopback targets, as upstream).
 */
class ProxySubresourceIT {
  static TestApiServer server;
  static ApiClient api;
  static HttpServer backend;
  static String hostIp;
  static int port;
  static final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

  @BeforeAll
  static void start() throws Exception {
    hostIp = siteAddress();
    backend = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 16);
    backend.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    backend.createContext("/", ex -> {
      byte[] in = ex.getRequestBody().readAllBytes();
      String echo = ex.getRequestMethod() + " " + ex.getRequestURI() + " body=" + new String(in, StandardCharsets.UTF_8)
          + " x-test=" + ex.getRequestHeaders().getFirst("X-Test");
      byte[] out = echo.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("X-Backend", "echo");
      if (ex.getRequestURI().getPath().equals("/slow")) {
        try {
          release.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (ex.getRequestURI().getPath().equals("/created")) {
        ex.sendResponseHeaders(201, out.length);
      } else if (ex.getRequestMethod().equals("HEAD")) {
        ex.sendResponseHeaders(200, -1);
        ex.close();
        return;
      } else {
        ex.sendResponseHeaders(200, out.length);
      }
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    });
    backend.start();
    port = backend.getAddress().getPort();
    // two workers: proxied requests waiting on a slow backend must not take them (they are long-running); no
    // in-flight limits, whose per-client share of two workers would be one request
    server = new TestApiServer(c -> c.withWorkerThreads(2)
        .withInFlight(new io.planet.apiserver.flowcontrol.InFlightLimits(0, 0)));
    api = server.client();
    api.create("/api/v1/namespaces/default/pods", """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"echo"},
         "spec":{"containers":[{"name":"main","image":"busybox","ports":[{"containerPort":%d}]}]}}""".formatted(port));
    ApiClient.Response st = api.patch("/api/v1/namespaces/default/pods/echo/status", "application/merge-patch+json",
        "{\"status\":{\"podIP\":\"" + hostIp + "\",\"podIPs\":[{\"ip\":\"" + hostIp + "\"}]}}");
    assertThat(st.code()).as(st.text()).isEqualTo(200);
    api.create("/api/v1/namespaces/default/pods", """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pending"},
         "spec":{"containers":[{"name":"main","image":"busybox"}]}}""");
    api.create("/api/v1/namespaces/default/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"echo"},
         "spec":{"ports":[{"name":"web","port":80,"targetPort":%d}]}}""".formatted(port));
    api.create("/api/v1/namespaces/default/endpoints", """
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"echo"},
         "subsets":[{"addresses":[{"ip":"%s"}],"ports":[{"name":"web","port":%d}]}]}""".formatted(hostIp, port));
    api.create("/api/v1/namespaces/default/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"empty"},"spec":{"ports":[{"port":80}]}}""");
    api.create("/api/v1/namespaces/default/endpoints", """
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"empty"}}""");
  }

  @AfterAll
  static void stop() {
    release.countDown();
    if (server != null) server.close();
    if (backend != null) backend.stop(0);
  }

  /** This machine's first non-loopback IPv4 address. */
  static String siteAddress() throws IOException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) continue;
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a.getHostAddress();
      }
    }
    throw new IllegalStateException("this machine has no non-loopback IPv4 address");
  }

  static ApiClient.Response send(String method, String path, String body) {
    return api.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "text/plain",
        Map.of("X-Test", "passed"));
  }

  @Test
  void podProxyForwardsMethodPathQueryBodyAndHeaders() {
    for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
      ApiClient.Response r = send(method, "/api/v1/namespaces/default/pods/echo/proxy/some/path?a=b", "payload");
      assertThat(r.code()).as(method + " " + r.text()).isEqualTo(200);
      assertThat(r.text()).startsWith(method + " /some/path?a=b").contains("x-test=passed");
      if (!method.equals("GET") && !method.equals("DELETE") && !method.equals("OPTIONS")) {
        assertThat(r.text()).contains("body=payload");
      }
      assertThat(r.header("X-Backend")).isEqualTo("echo");
    }
    ApiClient.Response head = send("HEAD", "/api/v1/namespaces/default/pods/echo/proxy/", null);
    assertThat(head.code()).isEqualTo(200);
    assertThat(head.header("X-Backend")).isEqualTo("echo");
    // a named port, the scheme form, a trailing slash, the backend's own status
    assertThat(send("GET", "/api/v1/namespaces/default/pods/http:echo:" + port + "/proxy/dir/", null).text())
        .startsWith("GET /dir/ ");
    assertThat(send("GET", "/api/v1/namespaces/default/pods/echo/proxy", null).text()).startsWith("GET / ");
    assertThat(send("POST", "/api/v1/namespaces/default/pods/echo/proxy/created", "x").code()).isEqualTo(201);
  }

  @Test
  void serviceProxyGoesToAnEndpointByPortNameOrNumber() {
    assertThat(send("GET", "/api/v1/namespaces/default/services/echo:web/proxy/x", null).text()).startsWith("GET /x ");
    assertThat(send("GET", "/api/v1/namespaces/default/services/echo:80/proxy/y", null).text()).startsWith("GET /y ");
    assertThat(send("POST", "/api/v1/namespaces/default/services/http:echo:80/proxy/z", "p").text())
        .startsWith("POST /z ").contains("body=p");
  }

  @Test
  void clientMistakesAreStatuses() {
    ApiClient.Response noPort = send("GET", "/api/v1/namespaces/default/services/echo:81/proxy/", null);
    assertThat(noPort.code()).isEqualTo(503);
    assertThat(noPort.body().path("message").asText()).isEqualTo("no service port 81 found for service \"echo\"");
    ApiClient.Response noEndpoints = send("GET", "/api/v1/namespaces/default/services/empty/proxy/", null);
    assertThat(noEndpoints.code()).isEqualTo(503);
    assertThat(noEndpoints.body().path("message").asText()).isEqualTo("no endpoints available for service \"empty\"");
    ApiClient.Response badScheme = send("GET", "/api/v1/namespaces/default/pods/ftp:echo:80/proxy/", null);
    assertThat(badScheme.code()).isEqualTo(400);
    assertThat(badScheme.body().path("message").asText()).isEqualTo("invalid pod request \"ftp:echo:80\"");
    assertThat(send("GET", "/api/v1/namespaces/default/pods/nope/proxy/", null).code()).isEqualTo(404);
    ApiClient.Response noIp = send("GET", "/api/v1/namespaces/default/pods/pending/proxy/", null);
    assertThat(noIp.code()).isEqualTo(400);
    assertThat(noIp.body().path("message").asText()).isEqualTo("address not allowed");
  }

  @Test
  void slowProxiedRequestsDoNotHoldUpOtherRequests() throws Exception {
    java.util.List<java.util.concurrent.CompletableFuture<ApiClient.Response>> slow = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      slow.add(java.util.concurrent.CompletableFuture.supplyAsync(
          () -> send("GET", "/api/v1/namespaces/default/pods/echo/proxy/slow", null)));
    }
    // four proxied requests wait on the backend; a plain read still answers (the server has two workers)
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> backendWaiting() >= 4);
    ApiClient.Response list = api.get("/api/v1/namespaces/default/pods");
    assertThat(list.code()).isEqualTo(200);
    assertThat(slow).noneMatch(java.util.concurrent.CompletableFuture::isDone);
    release.countDown();
    for (var f : slow) assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).text()).startsWith("GET /slow ");
  }

  /** Backend threads parked in the /slow handler. */
  static long backendWaiting() {
    return Thread.getAllStackTraces().entrySet().stream().filter(e -> java.util.Arrays.stream(e.getValue())
        .anyMatch(f -> f.getClassName().startsWith(ProxySubresourceIT.class.getName()))
        && e.getKey() != Thread.currentThread() && e.getKey().getState() == Thread.State.TIMED_WAITING).count();
  }
}
