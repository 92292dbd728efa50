package io.planet.apiserver.handlers;

import io.planet.api.tls.TrustAll;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A GET on a component's /healthz, as upstream's HTTP prober: 2xx is healthy with the body as message, other codes
 * unhealthy ("HTTP probe failed with statuscode: N"), no answer unknown with Go's error text. HTTPS certificates are
 * not checked (upstream probes the scheduler and controller-manager with InsecureSkipVerify).
 */
public final class HttpComponentProbe implements ComponentProbe {
  /** Upstream reads at most 10 KiB of a probe's body. */
  private static final int MAX_BODY = 10 * 1024;

  private final URI url;
  private final Duration timeout;
  private final HttpClient client;

  public HttpComponentProbe(String url, Duration timeout) {
    this.url = URI.create(url);
    this.timeout = timeout;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.ALWAYS)
        .sslContext(TrustAll.sslContext())
        .build();
  }

  @Override
  public Result check() {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "*/*")
        .header("User-Agent", "kube-probe/1.32").GET().build();
    try {
      HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
      }
      int code = r.statusCode();
      if (code >= 200 && code < 300) return Result.healthy(body);
      // redirects that could not be followed to the end: upstream's probe.Warning, shown as Unknown
      if (code >= 300 && code < 400) return new Result("Unknown", "Probe terminated redirects, Response body: " + body, "");
      return Result.unhealthy("HTTP probe failed with statuscode: " + code, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.unknown("Get \"" + url + "\": context canceled");
    } catch (IOException e) {
      return Result.unknown("Get \"" + url + "\": " + reason(e));
    }
  }

  /** Go's wording for the usual failures, so the ERROR column reads as upstream's. */
  private String reason(IOException e) {
    String hostPort = url.getHost() + ":" + port();
    if (e instanceof HttpConnectTimeoutException) return "dial tcp " + hostPort + ": i/o timeout";
    if (e instanceof HttpTimeoutException) return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
    if (e instanceof ConnectException) return "dial tcp " + hostPort + ": connect: connection refused";
    String m = e.getMessage();
    return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
  }

  private int port() {
    if (url.getPort() > 0) return url.getPort();
    return "https".equals(url.getScheme()) ? 443 : 80;
  }
}
