package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.planet.api.ApiException;
import io.planet.api.tls.TrustAll;
import io.planet.apiserver.http.ApiRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code pods/{[scheme:]name[:port]}/proxy/{path}} and {@code services/{[scheme:]name[:port]}/proxy/{path}}: the
 * request forwarded to a pod's IP, or to a ready endpoint of the service picked at random (upstream's ResourceLocation
 * for pods and services), and the answer streamed back with its status and headers. TLS backends are not verified,
 * as upstream's proxy transport; HTML bodies are passed through unchanged (upstream rewrites their links).
 */
final class EndpointProxy {
  /** Hop-by-hop headers (RFC 7230 6.1) and those Java's client sets itself. */
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length", "expect", "authorization",
      "proxy-authorization", "http2-settings");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
      .sslContext(TrustAll.sslContext()).build();

  /** {@code [scheme:]name[:port]} as upstream's SplitSchemeNamePort. */
  record Target(String scheme, String name, String port) {
    static Target parse(String id, String kind) {
      String[] parts = id.split(":", -1);
      String scheme = "";
      String name;
      String port = "";
      switch (parts.length) {
        case 1 -> name = parts[0];
        case 2 -> {
          name = parts[0];
          port = parts[1];
        }
        case 3 -> {
          scheme = parts[0];
          name = parts[1];
          port = parts[2];
        }
        default -> throw ApiException.badRequest("invalid " + kind + " request \"" + id + "\"");
      }
      if (name.isEmpty() || !(scheme.isEmpty() || scheme.equals("http") || scheme.equals("https"))) {
        throw ApiException.badRequest("invalid " + kind + " request \"" + id + "\"");
      }
      return new Target(scheme, name, port);
    }
  }

  /** Where a pod's proxy goes: its IP and the port asked for, else its first declared container port. */
  static URI podLocation(Target t, ObjectNode pod) {
    String port = t.port();
    if (port.isEmpty()) {
      for (JsonNode c : pod.path("spec").path("containers")) {
        JsonNode ports = c.path("ports");
        if (ports.size() > 0) {
          port = ports.get(0).path("containerPort").asText();
          break;
        }
      }
    }
    String ip = pod.path("status").path("podIP").asText("");
    requireProxyable(ip);
    return location(t.scheme(), ip, port);
  }

  /**
   * Where a service's proxy goes: a port number is mapped to the service port's name, then a random address of the
   * Endpoints subset that has that port.
   */
  static URI serviceLocation(Target t, ObjectNode service, ObjectNode endpoints) {
    String portName = t.port();
    if (!portName.isEmpty() && portName.chars().allMatch(Character::isDigit)) {
      String found = null;
      for (JsonNode p : service.path("spec").path("ports")) {
        if (p.path("port").asText().equals(portName)) {
          found = p.path("name").asText("");
          break;
        }
      }
      if (found == null) {
        throw new ApiException(503, "ServiceUnavailable", "no service port " + portName + " found for service \"" + t.name() + "\"");
      }
      portName = found;
    }
    JsonNode subsets = endpoints == null ? null : endpoints.path("subsets");
    if (subsets == null || subsets.size() == 0) {
      throw new ApiException(503, "ServiceUnavailable", "no endpoints available for service \"" + t.name() + "\"");
    }
    int seed = ThreadLocalRandom.current().nextInt(subsets.size());
    for (int i = 0; i < subsets.size(); i++) {
      JsonNode ss = subsets.get((seed + i) % subsets.size());
      JsonNode addresses = ss.path("addresses");
      if (addresses.size() == 0) continue;
      for (JsonNode p : ss.path("ports")) {
        if (!p.path("name").asText("").equals(portName)) continue;
        String ip = addresses.get(ThreadLocalRandom.current().nextInt(addresses.size())).path("ip").asText();
        return location(t.scheme(), ip, p.path("port").asText());
      }
    }
    throw new ApiException(503, "ServiceUnavailable", "no endpoints available for service \"" + t.name()
        + (t.port().isEmpty() ? "" : ":" + t.port()) + "\"");
  }

  /** Upstream's IsProxyableIP: the API server does not proxy to its own loopback or link-local addresses. */
  private static void requireProxyable(String ip) {
    InetAddress a;
    try {
      a = ip.isEmpty() || !Character.isLetterOrDigit(ip.charAt(0)) ? null : InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      a = null;
    }
    if (a == null || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
      throw ApiException.badRequest("address not allowed");
    }
  }

  private static URI location(String scheme, String ip, String port) {
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    return URI.create((scheme.isEmpty() ? "http" : scheme) + "://" + host + (port.isEmpty() ? "" : ":" + port));
  }

  /** Forwards the request (method, body, end-to-end headers, query) to {@code location + path}. */
  void serve(ApiRequest req, URI location, String path) {
    String query = req.uri().contains("?") ? req.uri().substring(req.uri().indexOf('?')) : "";
    URI target = URI.create(location + (path.isEmpty() ? "/" : path) + query);
    HttpRequest.BodyPublisher body = req.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(req.body());
    HttpRequest.Builder b = HttpRequest.newBuilder(target).method(req.method(), body).timeout(Duration.ofMinutes(5));
    for (Map.Entry<String, String> h : req.headers()) {
      if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        try {
          b.header(h.getKey(), h.getValue());
        } catch (IllegalArgumentException restricted) {
          // a header Java's client manages itself
        }
      }
    }
    java.net.InetSocketAddress from = req.remoteAddress();
    if (from != null) b.header("X-Forwarded-For", from.getAddress().getHostAddress());
    java.net.http.HttpResponse<InputStream> r;
    try {
      r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiException(503, "ServiceUnavailable", "error trying to reach service: " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.internal("interrupted");
    }
    relay(req, r);
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The backend's status, end-to-end headers and body; HEAD answers carry no body. */
  private static void relay(ApiRequest req, java.net.http.HttpResponse<InputStream> r) {
    var ch = req.ctx().channel();
    HttpResponseStatus status = HttpResponseStatus.valueOf(r.statusCode());
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    r.headers().map().forEach((k, vs) -> {
      if (!NOT_FORWARDED.contains(k.toLowerCase(Locale.ROOT)) || k.equalsIgnoreCase("content-length")) {
        for (String v : vs) headers.add(Map.entry(k, v));
      }
    });
    boolean noBody = req.method().equals("HEAD") || r.statusCode() == 204 || r.statusCode() == 304;
    if (noBody) {
      try (InputStream in = r.body()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException ignored) {
        // nothing to relay
      }
      DefaultFullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
      copy(headers, full.headers());
      var f = ch.writeAndFlush(full);
      if (!req.isKeepAlive()) f.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    copy(headers, head.headers());
    PodLogs.stream(req, r.body(), head);
  }

  private static void copy(List<Map.Entry<String, String>> from, HttpHeaders to) {
    for (Map.Entry<String, String> h : from) to.add(h.getKey(), h.getValue());
  }
}
