package io.planet.apiserver.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.planet.apiserver.http.ApiRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's aggregator proxy handler: a request under {@code /apis/<group>/<version>} of a group/version registered by
 * an APIService with spec.service (and not served here) goes to one endpoint of that Service over HTTPS, with the
 * caller's identity in X-Remote-User/X-Remote-Group; the answer, watch streams included, is streamed back as it arrives.
 */
public final class ApiProxy {
  private static final Logger logger = LoggerFactory.getLogger(ApiProxy.class);
  /** No authentication yet: every proxied request carries this identity. */
  static final String REMOTE_USER = "system:admin";
  static final List<String> REMOTE_GROUPS = List.of("system:masters", "system:authenticated");
  /** Hop-by-hop headers: they describe one connection, never forwarded either way. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");
  /** Also not sent to a backend: what the JDK client refuses to set itself, and the caller's credentials. */
  private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "expect", "date", "from", "via",
      "warning", "authorization");

  private final ApiServices apiServices;
  private final ServiceResolver resolver;
  private final BackendClients clients;
  private final BiPredicate<String, String> servedLocally;

  public ApiProxy(ApiServices apiServices, ServiceResolver resolver, BackendClients clients,
      BiPredicate<String, String> servedLocally) {
    this.apiServices = apiServices;
    this.resolver = resolver;
    this.clients = clients;
    this.servedLocally = servedLocally;
  }

  /** Proxies the request when its path belongs to a remote APIService; false when it is not ours to answer. */
  public boolean handle(ApiRequest req, String path) {
    if (!apiServices.anyRemote()) return false;
    // path is /apis/<group>/<version>[/...]
    int g = path.indexOf('/', 6);
    if (g < 0) return false;
    int v = path.indexOf('/', g + 1);
    String group = path.substring(6, g);
    String version = v < 0 ? path.substring(g + 1) : path.substring(g + 1, v);
    ObjectNode apiService = apiServices.remote(group, version);
    if (apiService == null || servedLocally.test(group, version)) return false;
    if (!available(apiService)) {
      unavailable(req, "service unavailable");
      return true;
    }
    JsonNode svc = apiService.path("spec").path("service");
    URI endpoint;
    try {
      endpoint = resolver.resolve(svc.path("namespace").asText(), svc.path("name").asText(), svc.path("port").asInt(443));
    } catch (ServiceResolver.Unavailable e) {
      unavailable(req, "service unavailable");
      return true;
    }
    forward(req, clients.forApiService(apiService), URI.create(endpoint + req.uri()));
    return true;
  }

  /** The Available condition as the proxy sees it (upstream: no condition yet means not available). */
  static boolean available(JsonNode apiService) {
    for (JsonNode c : apiService.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Available")) return c.path("status").asText().equals("True");
    }
    return false;
  }

  private void forward(ApiRequest req, HttpClient client, URI target) {
    HttpRequest.Builder b = HttpRequest.newBuilder(target);
    byte[] body = req.body();
    b.method(req.method(), body.length == 0 && !hasBody(req.method())
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, String> h : req.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || NOT_FORWARDED.contains(name) || name.startsWith("x-remote-")) continue;
      b.header(h.getKey(), h.getValue());
    }
    b.header("X-Remote-User", REMOTE_USER);
    for (String group : REMOTE_GROUPS) b.header("X-Remote-Group", group);
    java.net.http.HttpResponse<InputStream> response;
    try {
      response = client.send(b.build(), BodyHandlers.ofInputStream());
    } catch (IOException e) {
      logger.debug("proxying {} to {} failed: {}", req.uri(), target, e.toString());
      unavailable(req, "Error trying to reach service: '" + e.getMessage() + "'");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unavailable(req, "Error trying to reach service: interrupted");
      return;
    }
    stream(req, response);
  }

  private static boolean hasBody(String method) {
    return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
  }

  /** Writes the backend's status and headers, then its body chunk by chunk as it arrives (a watch never ends early). */
  private static void stream(ApiRequest req, java.net.http.HttpResponse<InputStream> response) {
    Channel ch = req.ctx().channel();
    InputStream in = response.body();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.statusCode()));
    response.headers().map().forEach((name, values) -> {
      String n = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(n) || n.equals("content-length") || n.startsWith(":")) return;
      head.headers().add(name, values);
    });
    long length = response.headers().firstValueAsLong("content-length").orElse(-1);
    if (length >= 0) head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    else head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    boolean keepAlive = req.isKeepAlive();
    if (keepAlive) head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    // a client that goes away ends the backend request too
    ChannelFutureListener abort = f -> closeQuietly(in);
    ch.closeFuture().addListener(abort);
    try (in) {
      ch.writeAndFlush(head);
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (n == 0) continue;
        ChannelFuture written = ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
        // back-pressure: a slow client slows the backend read instead of piling bytes up in memory
        if (!ch.isWritable()) written.awaitUninterruptibly();
        if (!ch.isActive()) return;
      }
      ChannelFuture last = ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      if (!keepAlive) last.addListener(ChannelFutureListener.CLOSE);
    } catch (IOException e) {
      // the backend broke off mid-body: all we can do is end the connection
      ch.close();
    } finally {
      ch.closeFuture().removeListener(abort);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** Upstream answers with plain text here (http.Error), not a Status. */
  private static void unavailable(ApiRequest req, String message) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
        Unpooled.wrappedBuffer((message + "\n").getBytes(StandardCharsets.UTF_8)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().set("X-Content-Type-Options", "nosniff");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    if (req.isKeepAlive()) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      req.ctx().writeAndFlush(r);
    } else {
      req.ctx().writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
