package io.planet.node.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.planet.node.kubelet.PodWorkers;
import io.planet.node.kubelet.SummaryProvider;
import io.planet.node.server.auth.KubeletAuth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's HTTPS API (port 10250) that the API server proxies to: {@code /healthz},
 * {@code /containerLogs/{namespace}/{pod}/{container}} with kubectl's log options, streamed (follow keeps the
 * response open until the container exits), {@code /pods}, {@code /metrics/resource}, {@code /stats/summary},
 * {@code /exec} and {@code /attach}. Requests are served off the event loop: log streams block on files. Each request
 * is authenticated and authorized first ({@link AuthFilter}) when the server is started with a {@link KubeletAuth}.
 */
public final class KubeletServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeletServer.class);

  private final PodWorkers pods;
  private final SummaryProvider summary;
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "kubelet-stream");
    t.setDaemon(true);
    return t;
  });
  private Channel channel;

  public KubeletServer(PodWorkers pods, SummaryProvider summary) {
    this.pods = pods;
    this.summary = summary;
  }

  /**
   * Listens on {@code address} with {@code ssl}; every request passes {@code auth} first (null: no checks, for tests
   * of the API itself).
   */
  public KubeletServer start(InetSocketAddress address, SslContext ssl, KubeletAuth auth) throws IOException {
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(), new HttpObjectAggregator(1 << 20));
            if (auth != null) ch.pipeline().addLast(new AuthFilter(auth, streams));
            ch.pipeline().addLast(new Router());
          }
        });
    try {
      channel = b.bind(address).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted binding " + address, e);
    } catch (RuntimeException e) {
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    log.info("kubelet API listening on https://{}", address);
    return this;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  private final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String path = q.path();
      String[] parts = path.split("/");
      if ((parts.length == 4 || parts.length == 5) && parts[1].equals("portForward")) {
        portForward(ctx, req, parts[2], parts[3], parts.length == 5 ? parts[4] : null, q.parameters());
        return;
      }
      // exec and attach take GET (WebSocket) and POST (SPDY), as upstream's kubelet
      if (parts.length == 5 && parts[1].equals("exec")) {
        exec(ctx, req, parts[2], parts[3], parts[4], q.parameters());
        return;
      }
      if (parts.length == 5 && parts[1].equals("attach")) {
        attach(ctx, req, parts[2], parts[3], parts[4], q.parameters());
        return;
      }
      if (!req.method().equals(HttpMethod.GET)) {
        text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "405: Method Not Allowed");
        return;
      }
      if (path.equals("/healthz")) {
        text(ctx, HttpResponseStatus.OK, "ok");
        return;
      }
      if (path.equals("/pods") || path.equals("/pods/")) {
        var list = new io.fabric8.kubernetes.api.model.PodListBuilder().withNewMetadata().endMetadata()
            .withItems(pods.pods()).build();
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer(io.fabric8.kubernetes.client.utils.Serialization.asJson(list), StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        ctx.writeAndFlush(r);
        return;
      }
      if (path.equals("/metrics/resource")) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer(io.planet.node.kubelet.ResourceMetrics.render(pods.runningContainers()), StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        ctx.writeAndFlush(r);
        return;
      }
      if (path.equals("/stats/summary") || path.equals("/stats/summary/")) {
        // figures take a few reads and du runs: off the event loop
        List<String> only = q.parameters().get("only_cpu_and_memory");
        boolean onlyCpuAndMemory = only != null && only.size() == 1 && only.get(0).equals("true");
        streams.execute(() -> json(ctx, summary.summary(onlyCpuAndMemory)));
        return;
      }
      if (parts.length == 5 && parts[1].equals("containerLogs")) {
        logs(ctx, parts[2], parts[3], parts[4], q.parameters());
        return;
      }
      text(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found");
    }
  }

  private void logs(ChannelHandlerContext ctx, String ns, String pod, String container, Map<String, List<String>> params) {
    ContainerLogs.Options options;
    PodWorkers.LogTarget target;
    try {
      Instant since = null;
      if (param(params, "sinceTime") != null) since = Instant.parse(param(params, "sinceTime"));
      if (param(params, "sinceSeconds") != null) since = Instant.now().minusSeconds(Long.parseLong(param(params, "sinceSeconds")));
      options = new ContainerLogs.Options(bool(params, "follow"), bool(params, "timestamps"),
          param(params, "tailLines") == null ? null : Long.parseLong(param(params, "tailLines")), since,
          param(params, "limitBytes") == null ? null : Long.parseLong(param(params, "limitBytes")));
      target = pods.logs(ns, pod, container, bool(params, "previous"));
    } catch (PodWorkers.LogsUnavailable e) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    } catch (RuntimeException e) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "invalid log options: " + e.getMessage());
      return;
    }
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head);
    Channel ch = ctx.channel();
    streams.execute(() -> {
      try (OutputStream out = new ChunkStream(ch)) {
        new ContainerLogs(target.file(), options).copyTo(out, () -> target.running().getAsBoolean() && ch.isActive());
      } catch (IOException e) {
        log.debug("log stream of {}/{}/{} ended: {}", ns, pod, container, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    });
  }

  /** Subprotocols of the remote-command WebSocket protocol this server speaks, preferred first. */
  static final String EXEC_PROTOCOLS = "v5.channel.k8s.io,v4.channel.k8s.io";

  /**
   * {@code /exec/{ns}/{pod}/{container}?command=…&input=1&output=1&error=1}: upgrades to a WebSocket or (POST, kubectl
   * before 1.30) to SPDY/3.1 and runs the command in the container; with tty=1 on a terminal that follows the
   * client's window size.
   */
  private void exec(ChannelHandlerContext ctx, FullHttpRequest req, String ns, String pod, String container,
      Map<String, List<String>> params) {
    List<String> command = params.getOrDefault("command", List.of());
    if (command.isEmpty()) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "you must specify at least 1 command");
      return;
    }
    boolean spdy = isSpdyUpgrade(req);
    if (!spdy && !"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "exec needs a WebSocket (" + EXEC_PROTOCOLS + ") or SPDY/3.1 upgrade");
      return;
    }
    String id;
    try {
      id = pods.runningContainer(ns, pod, container);
    } catch (PodWorkers.LogsUnavailable e) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    if (spdy) {
      // as upstream, the process starts once the client's streams are there
      spdyUpgrade(ctx, req, params, () -> execProcess(id, command, params));
      return;
    }
    io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker hs =
        new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory("wss://kubelet" + req.uri(),
            EXEC_PROTOCOLS, false, 1 << 20).newHandshaker(req);
    if (hs == null) {
      io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Channel ch = ctx.channel();
    RemoteCommandWebSocket session;
    try {
      session = new RemoteCommandWebSocket(execProcess(id, command, params), v5(req));
    } catch (IOException e) {
      text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "exec failed: " + e.getMessage());
      return;
    }
    // the session reads frames from the moment the 101 is out: the client may send stdin at once
    ch.pipeline().replace(routerName(ch), "exec", session);
    try {
      hs.handshake(ch, req).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    session.pump(ch, bool(params, "output"), bool(params, "error"), streams);
  }

  /** Starts {@code command} in the container {@code id}: {@code runc exec}, or under a terminal with tty=1. */
  private ExecProcess execProcess(String id, List<String> command, Map<String, List<String>> params) throws IOException {
    List<String> runc = new java.util.ArrayList<>(List.of("runc", "--root", pods.runc().root().toString(), "exec", id));
    runc.addAll(command);
    Map<String, String> env = null;
    if (bool(params, "tty")) {
      // runc exec without a console socket gives the command pipes: enter the container under a terminal instead
      runc = withTerminal(pods.runtime().enterCommand(id, command));
      env = new java.util.LinkedHashMap<>(pods.runtime().environment(id));
      env.putIfAbsent("TERM", "xterm");
    }
    return ExecProcess.start(runc, env, command, bool(params, "input"), bool(params, "tty"), streams);
  }

  /** Whether the client asked for v5 (its first subprotocol), which has the close-stream message. */
  private static boolean v5(FullHttpRequest req) {
    String offered = req.headers().get("Sec-WebSocket-Protocol", "");
    return java.util.Arrays.stream(offered.split(",")).map(String::trim).findFirst().orElse("").equals("v5.channel.k8s.io");
  }

  /** {@code /attach/{ns}/{pod}/{container}?input=1&output=1&error=1&tty=0}: the running container's streams. */
  private void attach(ChannelHandlerContext ctx, FullHttpRequest req, String ns, String pod, String container,
      Map<String, List<String>> params) {
    boolean spdy = isSpdyUpgrade(req);
    if (!spdy && !"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "attach needs a WebSocket (" + EXEC_PROTOCOLS + ") or SPDY/3.1 upgrade");
      return;
    }
    PodWorkers.AttachTarget target;
    try {
      target = pods.attach(ns, pod, container);
    } catch (PodWorkers.LogsUnavailable e) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    AttachedContainer attached = new AttachedContainer(target, bool(params, "input"), bool(params, "tty"), streams);
    if (spdy) {
      spdyUpgrade(ctx, req, params, () -> attached);
      return;
    }
    io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker hs =
        new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory("wss://kubelet" + req.uri(),
            EXEC_PROTOCOLS, false, 1 << 20).newHandshaker(req);
    if (hs == null) {
      io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Channel ch = ctx.channel();
    RemoteCommandWebSocket session = new RemoteCommandWebSocket(attached, v5(req));
    ch.pipeline().replace(routerName(ch), "attach", session);
    try {
      hs.handshake(ch, req).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    session.pump(ch, bool(params, "output"), bool(params, "error"), streams);
  }

  /** {@code Upgrade: SPDY/3.1} with {@code Connection: Upgrade}: client-go's SPDY executor (kubectl before 1.30). */
  private static boolean isSpdyUpgrade(FullHttpRequest req) {
    return req.headers().get(HttpHeaderNames.UPGRADE, "").toLowerCase().contains("spdy/3.1")
        && req.headers().get(HttpHeaderNames.CONNECTION, "").toLowerCase().contains("upgrade");
  }

  /**
   * Upstream's httpstream handshake for exec and attach: the client lists the remote-command protocols it speaks in
   * X-Stream-Protocol-Version, the first one the server speaks too is answered with the 101; from then on the
   * connection is a SPDY session ({@link RemoteCommandSpdy}).
   */
  private void spdyUpgrade(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, List<String>> params,
      RemoteCommandSpdy.Starter starter) {
    List<String> offered = req.headers().getAll("X-Stream-Protocol-Version").stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).filter(v -> !v.isEmpty()).toList();
    if (offered.isEmpty()) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "unable to upgrade: X-Stream-Protocol-Version is required");
      return;
    }
    String protocol = offered.stream().filter(RemoteCommandSpdy.PROTOCOLS::contains).findFirst().orElse(null);
    if (protocol == null) {
      DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN,
          Unpooled.copiedBuffer("unable to upgrade: unable to negotiate protocol: client supports [" + String.join(" ", offered)
              + "], server accepts [" + String.join(" ", RemoteCommandSpdy.PROTOCOLS) + "]\n", StandardCharsets.UTF_8));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      r.headers().set("X-Accepted-Stream-Protocol-Versions", RemoteCommandSpdy.PROTOCOLS);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      return;
    }
    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    r.headers().set(HttpHeaderNames.UPGRADE, "SPDY/3.1");
    r.headers().set("X-Stream-Protocol-Version", protocol);
    ctx.writeAndFlush(r);
    Channel ch = ctx.channel();
    RemoteCommandSpdy.Streams wanted = new RemoteCommandSpdy.Streams(bool(params, "input"), bool(params, "output"),
        bool(params, "error"), bool(params, "tty"));
    ch.pipeline().replace(routerName(ch), "spdy", new io.netty.handler.codec.spdy.SpdyFrameCodec(
        io.netty.handler.codec.spdy.SpdyVersion.SPDY_3_1));
    ch.pipeline().addAfter("spdy", "remote-command", new RemoteCommandSpdy(protocol, wanted, starter, streams));
    ch.pipeline().remove(HttpObjectAggregator.class);
    ch.pipeline().remove(HttpServerCodec.class);
  }

  /** The WebSocket subprotocols of port-forward: SPDY tunnelled in WebSocket (kubectl ≥ 1.31), channels (fabric8). */
  static final String PORT_FORWARD_PROTOCOLS = "SPDY/3.1+portforward.k8s.io,v4.channel.k8s.io";

  /**
   * {@code /portForward/{ns}/{pod}[/{uid}]}: a WebSocket upgrade ({@link #PORT_FORWARD_PROTOCOLS}; without a
   * subprotocol, channels as upstream) or, as upstream's kubelet, a POST upgrading to raw SPDY/3.1.
   */
  private void portForward(ChannelHandlerContext ctx, FullHttpRequest req, String ns, String pod, String uid,
      Map<String, List<String>> params) {
    io.planet.node.runtime.PodSandbox sandbox;
    try {
      sandbox = pods.portForwardSandbox(ns, pod, uid);
    } catch (PodWorkers.LogsUnavailable e) {
      text(ctx, HttpResponseStatus.NOT_FOUND, e.getMessage());
      return;
    }
    Channel ch = ctx.channel();
    String upgrade = req.headers().get(HttpHeaderNames.UPGRADE, "");
    if (upgrade.equalsIgnoreCase("websocket") && req.method().equals(HttpMethod.GET)) {
      io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker hs =
          new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory("wss://kubelet" + req.uri(),
              PORT_FORWARD_PROTOCOLS, false, 1 << 20).newHandshaker(req);
      if (hs == null) {
        io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
        return;
      }
      String offered = req.headers().get("Sec-WebSocket-Protocol", "");
      boolean spdy = java.util.Arrays.stream(offered.split(",")).map(String::trim)
          .anyMatch(p -> p.equals("SPDY/3.1+portforward.k8s.io"));
      if (spdy) {
        ch.pipeline().replace(routerName(ch), "pf-tunnel", new WebSocketTunnel());
        // the 101 is written within this call (on the event loop): the SPDY codec, which takes only SPDY frames
        // outbound, comes after it and before any tunnelled byte can be read
        hs.handshake(ch, req);
        ch.pipeline().addAfter("pf-tunnel", "spdy", new io.netty.handler.codec.spdy.SpdyFrameCodec(
            io.netty.handler.codec.spdy.SpdyVersion.SPDY_3_1));
        ch.pipeline().addAfter("spdy", "pf", new SpdyPortForwardSession(sandbox, streams));
        return;
      }
      List<Integer> ports;
      try {
        ports = ports(params);
      } catch (IllegalArgumentException e) {
        text(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
        return;
      }
      ChannelPortForwardSession session = new ChannelPortForwardSession(sandbox, ports);
      ch.pipeline().replace(routerName(ch), "pf-frames",
          new io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator(1 << 20));
      ch.pipeline().addAfter("pf-frames", "pf", session);
      hs.handshake(ch, req).addListener(f -> {
        if (f.isSuccess()) session.start(ch, streams);
      });
      return;
    }
    if (upgrade.equalsIgnoreCase("SPDY/3.1") && req.method().equals(HttpMethod.POST)) {
      // upstream's httpstream handshake: the client lists the protocols it speaks, the server answers with one
      List<String> offered = req.headers().getAll("X-Stream-Protocol-Version").stream()
          .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).filter(v -> !v.isEmpty()).toList();
      if (!offered.isEmpty() && !offered.contains("portforward.k8s.io")) {
        text(ctx, HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: client supports "
            + offered + ", server supports [portforward.k8s.io]");
        return;
      }
      DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      r.headers().set(HttpHeaderNames.UPGRADE, "SPDY/3.1");
      if (!offered.isEmpty()) r.headers().set("X-Stream-Protocol-Version", "portforward.k8s.io");
      ctx.writeAndFlush(r);
      // from here on the connection is the SPDY session
      ch.pipeline().replace(routerName(ch), "spdy", new io.netty.handler.codec.spdy.SpdyFrameCodec(
          io.netty.handler.codec.spdy.SpdyVersion.SPDY_3_1));
      ch.pipeline().addAfter("spdy", "pf", new SpdyPortForwardSession(sandbox, streams));
      ch.pipeline().remove(HttpObjectAggregator.class);
      ch.pipeline().remove(HttpServerCodec.class);
      return;
    }
    text(ctx, HttpResponseStatus.BAD_REQUEST, "Upgrade request required");
  }

  /** {@code ?ports=8080,9090} (repeatable), as upstream parses it. */
  static List<Integer> ports(Map<String, List<String>> params) {
    List<String> values = params.getOrDefault("ports", List.of());
    if (values.isEmpty()) throw new IllegalArgumentException("query parameter \"ports\" is required");
    List<Integer> out = new java.util.ArrayList<>();
    for (String v : values) {
      if (v.isEmpty()) throw new IllegalArgumentException("query parameter \"ports\" cannot be empty");
      for (String p : v.split(",")) {
        int port;
        try {
          port = Integer.parseInt(p);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("unable to parse \"" + v + "\" as a port: " + e.getMessage());
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port \"" + v + "\" must be > 0");
        out.add(port);
      }
    }
    return out;
  }

  /**
   * A terminal for the command: util-linux {@code script} gives it a pseudo-terminal (echo, line editing, isatty),
   * merging its output into one stream as a tty does; window resizes go to that terminal ({@link TerminalResizer}).
   */
  static java.util.List<String> withTerminal(java.util.List<String> command) {
    StringBuilder quoted = new StringBuilder();
    for (String a : command) {
      if (quoted.length() > 0) quoted.append(' ');
      quoted.append('\'').append(a.replace("'", "'\\''")).append('\'');
    }
    return List.of("script", "-q", "-f", "-e", "-c", quoted.toString(), "/dev/null");
  }

  private String routerName(Channel ch) {
    return ch.pipeline().context(Router.class).name();
  }

  /** Buffers writes and sends them as HTTP chunks on flush, waiting while the client is slow. */
  private static final class ChunkStream extends OutputStream {
    private final Channel channel;
    private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

    ChunkStream(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void write(int b) {
      buffer.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      buffer.write(b, off, len);
      if (buffer.size() >= 32 * 1024) flush();
    }

    @Override
    public void flush() throws IOException {
      if (buffer.size() == 0) return;
      if (!channel.isActive()) throw new IOException("client went away");
      byte[] bytes = buffer.toByteArray();
      buffer.reset();
      try {
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes))).sync();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (RuntimeException e) {
        throw new IOException(e);
      }
    }
  }

  private static String param(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
  }

  private static boolean bool(Map<String, List<String>> params, String name) {
    String v = param(params, name);
    return v != null && (v.equals("true") || v.equals("1"));
  }

  private static void json(ChannelHandlerContext ctx, String body) {
    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  private static void text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  @Override
  public void close() {
    if (channel != null) channel.close().syncUninterruptibly();
    streams.shutdownNow();
    boss.shutdownGracefully();
    workers.shutdownGracefully();
  }
}
