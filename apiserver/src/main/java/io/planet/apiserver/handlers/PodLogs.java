package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.planet.api.ApiException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.WebSockets;
import io.planet.apiserver.registry.Store;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.TrustManager;

/**
 * {@code pods/log}: validates the container and options as upstream's log REST does, finds the pod's node and
 * streams the log from that node's kubelet API ({@code /containerLogs}), connecting as {@link Kubelets} does.
 */
final class PodLogs {
  static final List<String> OPTIONS = List.of("follow", "previous", "tailLines", "sinceSeconds", "sinceTime",
      "timestamps", "limitBytes", "insecureSkipTLSVerifyBackend");

  private final Kubelets kubelets;

  PodLogs(Kubelets kubelets) {
    this.kubelets = kubelets;
  }

  void serve(ApiRequest req, ObjectNode pod, Store nodes) {
    String name = pod.path("metadata").path("name").asText();
    String ns = pod.path("metadata").path("namespace").asText();
    String container = container(pod, req.param("container"));
    validate(req);
    String nodeName = pod.path("spec").path("nodeName").asText("");
    if (nodeName.isEmpty()) throw ApiException.badRequest("pod " + name + " does not have a host assigned");
    ObjectNode node = nodes.get("", nodeName);
    String host = Kubelets.address(node);
    int port = Kubelets.port(node);
    StringBuilder query = new StringBuilder();
    for (String o : OPTIONS) {
      if (!req.hasParam(o) || o.equals("insecureSkipTLSVerifyBackend")) continue;
      query.append(query.length() == 0 ? '?' : '&').append(o).append('=')
          .append(URLEncoder.encode(req.param(o), StandardCharsets.UTF_8));
    }
    URI uri = URI.create("https://" + Kubelets.hostPort(host, port) + "/containerLogs/"
        + ns + "/" + name + "/" + container + query);
    HttpResponse<InputStream> r;
    try {
      r = kubelets.http(node).send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiException(503, "ServiceUnavailable", "cannot reach the kubelet on node " + nodeName + " (" + uri.getHost()
          + ":" + port + "): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.internal("interrupted");
    }
    if (r.statusCode() != 200) {
      String text;
      try (InputStream in = r.body()) {
        text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        text = "HTTP " + r.statusCode();
      }
      if (r.statusCode() == 400 || r.statusCode() == 404) throw ApiException.badRequest(text);
      // the kubelet refused the API server's own credentials: upstream words it so
      if (r.statusCode() == 401) throw new ApiException(401, "Unauthorized", text + " ( pods/log " + name + ")");
      if (r.statusCode() == 403) throw new ApiException(403, "Forbidden", text + " ( pods/log " + name + ")");
      throw new ApiException(503, "ServiceUnavailable", "kubelet on node " + nodeName + ": " + text);
    }
    if (WebSockets.isUpgrade(req)) streamOverWebSocket(req, r.body());
    else stream(req, r.body());
  }

  /**
   * The log as WebSocket messages (upstream's StreamObject with wsstream's reader protocols): binary frames for
   * {@code binary.k8s.io} (or no subprotocol), base64 text frames for {@code base64.binary.k8s.io}; a normal close at
   * the end of the log.
   */
  static void streamOverWebSocket(ApiRequest req, InputStream body) {
    var hs = WebSockets.upgrade(req, "binary.k8s.io,base64.binary.k8s.io", new WebSockets.ControlFrames());
    try (InputStream in = body) {
      if (hs == null) return;
      boolean base64 = "base64.binary.k8s.io".equals(hs.selectedSubprotocol());
      var ch = req.ctx().channel();
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) > 0 && ch.isActive()) {
        WebSocketFrame frame = base64
            ? new TextWebSocketFrame(Base64.getEncoder().encodeToString(Arrays.copyOf(buf, n)))
            : new BinaryWebSocketFrame(Unpooled.copiedBuffer(buf, 0, n));
        ch.writeAndFlush(frame).sync();
      }
      if (ch.isActive()) hs.close(ch, new CloseWebSocketFrame(1000, ""));
    } catch (IOException | RuntimeException e) {
      // the kubelet or the client went away
      req.ctx().channel().close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The container to read: named, or the pod's only one; upstream's messages otherwise. */
  static String container(ObjectNode pod, String requested) {
    List<String> containers = names(pod.path("spec").path("containers"));
    List<String> init = names(pod.path("spec").path("initContainers"));
    List<String> ephemeral = names(pod.path("spec").path("ephemeralContainers"));
    String name = pod.path("metadata").path("name").asText();
    if (requested.isEmpty()) {
      if (containers.size() == 1) return containers.get(0);
      String msg = "a container name must be specified for pod " + name + ", choose one of: " + containers;
      if (!init.isEmpty()) msg += " or one of the init containers: " + init;
      if (!ephemeral.isEmpty()) msg += " or one of the ephemeral containers: " + ephemeral;
      throw ApiException.badRequest(msg);
    }
    if (containers.contains(requested) || init.contains(requested) || ephemeral.contains(requested)) return requested;
    throw ApiException.badRequest("container " + requested + " is not valid for pod " + name);
  }

  private static void validate(ApiRequest req) {
    if (req.hasParam("sinceSeconds") && req.hasParam("sinceTime")) {
      throw ApiException.badRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
    }
    positive(req, "sinceSeconds", 1, "must be greater than 0");
    positive(req, "tailLines", 0, "must be greater than or equal to 0");
    positive(req, "limitBytes", 1, "must be greater than 0");
  }

  private static void positive(ApiRequest req, String param, long min, String why) {
    if (!req.hasParam(param)) return;
    try {
      if (Long.parseLong(req.param(param)) >= min) return;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(param + ": invalid value \"" + req.param(param) + "\": not an integer");
    }
    throw ApiException.badRequest(param + ": " + why);
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : list) out.add(c.path("name").asText());
    return out;
  }

  static void stream(ApiRequest req, InputStream body) {
    stream(req, body, 200, "text/plain");
  }

  /** Streams a backend's answer to the client as chunks, with its status and content type. */
  static void stream(ApiRequest req, InputStream body, int status, String contentType) {
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    head.headers().set("Cache-Control", "no-cache, private");
    stream(req, body, head);
  }

  /** Writes {@code head} (made chunked) and then the body as chunks, until it ends or the client goes. */
  static void stream(ApiRequest req, InputStream body, io.netty.handler.codec.http.HttpResponse head) {
    head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    HttpUtil.setTransferEncodingChunked(head, true);
    var ch = req.ctx().channel();
    ch.writeAndFlush(head);
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = body) {
      int n;
      while ((n = in.read(buf)) > 0 && ch.isActive()) {
        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n))).sync();
      }
    } catch (IOException | RuntimeException e) {
      // the kubelet or the client went away: end the response
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    var last = ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!req.isKeepAlive()) last.addListener(ChannelFutureListener.CLOSE);
  }
}
