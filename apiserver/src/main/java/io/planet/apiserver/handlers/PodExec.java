package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.planet.api.ApiException;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.WebSockets;
import io.planet.apiserver.registry.Store;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pods/exec} over WebSocket ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}; what kubectl ≥ 1.30 uses):
 * checks the request as upstream, opens the same protocol to the pod's kubelet and relays frames both ways. A SPDY/3.1
 * upgrade (kubectl before 1.30, client-go's SPDY executor) passes the same checks and is then handed to the kubelet,
 * which speaks it too, and relayed byte for byte ({@link KubeletUpgrade}).
 */
final class PodExec {
  static final String PROTOCOLS = "v5.channel.k8s.io,v4.channel.k8s.io";

  private final Kubelets kubelets;

  PodExec(Kubelets kubelets) {
    this.kubelets = kubelets;
  }

  void serve(ApiRequest req, ObjectNode pod, Store nodes) {
    serve(req, pod, nodes, "exec");
  }

  /** {@code verb}: exec (a new process) or attach (the container's own streams). */
  void serve(ApiRequest req, ObjectNode pod, Store nodes, String verb) {
    String name = pod.path("metadata").path("name").asText();
    String ns = pod.path("metadata").path("namespace").asText();
    String container = PodLogs.container(pod, req.param("container"));
    List<String> command = req.params("command");
    if (verb.equals("exec") && command.isEmpty()) throw ApiException.badRequest("you must specify at least 1 command");
    if (!req.flag("stdin") && !req.flag("stdout") && !req.flag("stderr")) {
      throw ApiException.badRequest("you must specify at least 1 of stdin, stdout, stderr");
    }
    boolean spdy = isSpdyUpgrade(req);
    if (!spdy && !WebSockets.isUpgrade(req)) {
      throw ApiException.badRequest(verb + " needs an upgrade: WebSocket with subprotocol " + PROTOCOLS
          + ", or SPDY/3.1");
    }
    String nodeName = pod.path("spec").path("nodeName").asText("");
    if (nodeName.isEmpty()) throw ApiException.badRequest("pod " + name + " does not have a host assigned");
    if (!"Running".equals(pod.path("status").path("phase").asText())) {
      throw ApiException.badRequest("cannot " + verb + " into a container in a completed pod; current phase is "
          + pod.path("status").path("phase").asText());
    }
    ObjectNode node = nodes.get("", nodeName);
    StringBuilder query = new StringBuilder();
    for (String c : command) query.append("&command=").append(URLEncoder.encode(c, StandardCharsets.UTF_8));
    query.append("&input=").append(req.flag("stdin") ? 1 : 0).append("&output=").append(req.flag("stdout") ? 1 : 0)
        .append("&error=").append(req.flag("stderr") ? 1 : 0).append("&tty=").append(req.flag("tty") ? 1 : 0);
    String path = "/" + verb + "/" + ns + "/" + name + "/" + container + "?" + query.substring(1);
    if (spdy) {
      // the kubelet speaks SPDY too: its answer to the upgrade (101 or a refusal) and the session are relayed as is
      KubeletUpgrade.relay(req, kubelets.netty(node), Kubelets.address(node), Kubelets.port(node), path);
      return;
    }
    URI uri = URI.create("wss://" + Kubelets.hostPort(Kubelets.address(node), Kubelets.port(node)) + path);

    // the kubelet side first, with the protocol the client will get: a failure is still an ordinary HTTP error
    String protocol = choose(req.header("Sec-WebSocket-Protocol"));
    if (protocol == null) {
      throw ApiException.badRequest(verb + " needs one of the subprotocols " + PROTOCOLS + " (or a SPDY/3.1 upgrade)");
    }
    Channel client = req.ctx().channel();
    Relay relay = new Relay(client);
    FromKubelet fromKubelet = new FromKubelet(client);
    try {
      relay.kubelet = kubelets.http(node).newWebSocketBuilder().subprotocols(protocol).buildAsync(uri, fromKubelet)
          .get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.internal("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new ApiException(503, "ServiceUnavailable", "error dialing backend: "
          + (e.getCause() == null ? e : e.getCause()).getMessage());
    }
    if (WebSockets.upgrade(req, protocol, relay) == null) {
      fromKubelet.upgraded.completeExceptionally(new IllegalStateException("no WebSocket handshake"));
      relay.kubelet.sendClose(WebSocket.NORMAL_CLOSURE, "");
    } else {
      fromKubelet.upgraded.complete(null);
    }
  }

  /** client-go's SPDY executor (kubectl before 1.30): {@code POST} with {@code Upgrade: SPDY/3.1}. */
  static boolean isSpdyUpgrade(ApiRequest req) {
    return req.header("Upgrade").toLowerCase().contains("spdy/3.1") && req.header("Connection").toLowerCase().contains("upgrade");
  }

  /** The first protocol the client offers that we speak (as a WebSocket server chooses). */
  static String choose(String offered) {
    for (String p : offered.split(",")) {
      String t = p.trim();
      if (List.of(PROTOCOLS.split(",")).contains(t)) return t;
    }
    return null;
  }

  /** Frames from the client go to the kubelet; closing either side closes the other. */
  private static final class Relay extends SimpleChannelInboundHandler<WebSocketFrame> {
    final Channel client;
    volatile WebSocket kubelet;

    Relay(Channel client) {
      this.client = client;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        return;
      }
      WebSocket k = kubelet;
      if (k == null) return;
      if (frame instanceof CloseWebSocketFrame) {
        k.sendClose(WebSocket.NORMAL_CLOSURE, "");
        ctx.close();
        return;
      }
      byte[] data = new byte[frame.content().readableBytes()];
      frame.content().readBytes(data);
      k.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      WebSocket k = kubelet;
      if (k != null && !k.isOutputClosed()) k.sendClose(WebSocket.NORMAL_CLOSURE, "");
    }
  }

  /**
   * Frames from the kubelet go to the client, whole messages at a time and in order. A quick command's output (even
   * its Status and close) can arrive before the client's 101 is out: writes wait for {@code upgraded}, chained one
   * after the other so they keep their order.
   */
  private static final class FromKubelet implements WebSocket.Listener {
    private final Channel client;
    final CompletableFuture<Void> upgraded = new CompletableFuture<>();
    /** The last queued write; listener calls are serialized, so only one thread extends the chain at a time. */
    private CompletableFuture<Void> tail = upgraded;
    private ByteBuf partial = Unpooled.buffer();

    FromKubelet(Channel client) {
      this.client = client;
    }

    private CompletableFuture<Void> write(Object frame, boolean close) {
      CompletableFuture<Void> sent = new CompletableFuture<>();
      tail = tail.thenCompose(x -> {
        var f = client.writeAndFlush(frame);
        if (close) f.addListener(ChannelFutureListener.CLOSE);
        f.addListener(done -> sent.complete(null));
        return sent;
      });
      tail.exceptionally(e -> {
        io.netty.util.ReferenceCountUtil.release(frame);
        sent.complete(null);
        return null;
      });
      return sent;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      partial.writeBytes(data);
      if (last) {
        ByteBuf message = partial;
        partial = Unpooled.buffer();
        CompletableFuture<Void> sent = write(new BinaryWebSocketFrame(message), false);
        ws.request(1);
        return sent;
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      write(new CloseWebSocketFrame(1000, ""), true);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      client.close();
    }
  }
}
