package io.planet.node.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port-forward client speaking client-go's protocol to the kubelet API: a SPDY/3.1 session tunnelled in WebSocket
 * messages ({@code SPDY/3.1+portforward.k8s.io}) or raw after a POST upgrade; an error and a data stream per
 * forwarded connection.
 */
final class SpdyPortForwardClient implements AutoCloseable {
  /** What one forwarded connection brought back: the data stream's bytes and the error stream's text. */
  record Result(String data, String error) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final AtomicInteger requestIds = new AtomicInteger();
  private final CompletableFuture<Integer> pong = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** SYN_REPLY frames that came without headers. */
  final AtomicInteger emptyReplies = new AtomicInteger();
  private Channel channel;

  private static final class Stream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<String> done = new CompletableFuture<>();
  }

  /** Connects to {@code https://host:port/path}, over WebSocket or with a raw SPDY upgrade. */
  static SpdyPortForwardClient connect(String host, int port, String path, boolean webSocket) throws Exception {
    SpdyPortForwardClient c = new SpdyPortForwardClient();
    c.open(host, port, path, webSocket, "portforward.k8s.io");
    return c;
  }

  /**
   * A raw SPDY upgrade offering {@code protocols} (X-Stream-Protocol-Version), for the remote-command protocols of
   * exec and attach ({@link #open(String)} their streams); the protocol the server chose is {@link #protocol}.
   */
  static SpdyPortForwardClient connectRaw(String host, int port, String path, String protocols) throws Exception {
    SpdyPortForwardClient c = new SpdyPortForwardClient();
    c.open(host, port, path, false, protocols);
    return c;
  }

  /** The X-Stream-Protocol-Version of the server's 101. */
  volatile String protocol;

  /** Opens a stream named by its {@code streamtype} header (exec's error, stdin, stdout, …); returns its id. */
  int open(String type) {
    int id = nextId.getAndAdd(2);
    streams.put(id, new Stream());
    DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
    syn.headers().set("streamtype", type);
    channel.writeAndFlush(syn);
    return id;
  }

  /** Sends data on stream {@code id}, {@code last} with FIN. */
  void send(int id, String data, boolean last) {
    channel.writeAndFlush(new DefaultSpdyDataFrame(id, Unpooled.copiedBuffer(data, StandardCharsets.UTF_8)).setLast(last));
  }

  /** Everything stream {@code id} carried, once the server finished it. */
  CompletableFuture<String> received(int id) {
    return streams.get(id).done;
  }

  private void open(String host, int port, String path, boolean webSocket, String protocols) throws Exception {
    SslContext ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port), new HttpClientCodec(), new HttpObjectAggregator(1 << 16));
        if (webSocket) {
          WebSocketClientHandshaker hs = WebSocketClientHandshakerFactory.newHandshaker(
              URI.create("wss://" + host + ":" + port + path), WebSocketVersion.V13, "SPDY/3.1+portforward.k8s.io", false,
              null, 1 << 20);
          ch.pipeline().addLast(new WebSocketClientProtocolHandler(hs), new WebSocketTunnel(), new Frames(ready));
        } else {
          ch.pipeline().addLast(new RawUpgrade(ready));
        }
      }
    });
    channel = b.connect(host, port).sync().channel();
    if (!webSocket) {
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.EMPTY_BUFFER);
      req.headers().set(HttpHeaderNames.HOST, host + ":" + port).set(HttpHeaderNames.CONNECTION, "Upgrade")
          .set(HttpHeaderNames.UPGRADE, "SPDY/3.1").set("X-Stream-Protocol-Version", protocols)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      channel.writeAndFlush(req);
    }
    ready.get(10, TimeUnit.SECONDS);
  }

  /** Switches to SPDY once the server answers 101 to the POST. */
  private final class RawUpgrade extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Void> ready;

    RawUpgrade(CompletableFuture<Void> ready) {
      this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpResponse r) {
        try {
          if (r.status().code() != 101) {
            ready.completeExceptionally(new IllegalStateException(r.status() + ": " + r.content().toString(StandardCharsets.UTF_8)));
            return;
          }
        } finally {
          r.release();
        }
        protocol = r.headers().get("X-Stream-Protocol-Version");
        ctx.pipeline().replace(this, "frames", new Frames(null));
        ctx.pipeline().addBefore("frames", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        ctx.pipeline().remove(HttpObjectAggregator.class);
        ctx.pipeline().remove(HttpClientCodec.class);
        ready.complete(null);
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Frames extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Void> ready;

    Frames(CompletableFuture<Void> ready) {
      this.ready = ready;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE && ready != null) {
        // after the handshake: the codec takes only SPDY frames outbound
        ctx.pipeline().addBefore(ctx.name(), "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        ready.complete(null);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof SpdyDataFrame d) {
          Stream s = streams.get(d.streamId());
          if (s == null) return;
          synchronized (s) {
            s.bytes.writeBytes(ByteBufUtil.getBytes(d.content()));
          }
          if (d.isLast()) s.done.complete(s.bytes.toString(StandardCharsets.UTF_8));
        } else if (msg instanceof SpdySynReplyFrame reply) {
          // Go's framer needs a header block in every SYN_REPLY: an empty one would end kubectl's session
          if (reply.headers().isEmpty()) emptyReplies.incrementAndGet();
        } else if (msg instanceof SpdyRstStreamFrame rst) {
          Stream s = streams.get(rst.streamId());
          if (s != null) s.done.completeExceptionally(new IllegalStateException("stream reset: " + rst.status()));
        } else if (msg instanceof SpdyPingFrame ping) {
          pong.complete(ping.id());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      if (ready != null) ready.completeExceptionally(new IllegalStateException("connection closed"));
      for (Stream s : streams.values()) s.done.completeExceptionally(new IllegalStateException("connection closed"));
    }
  }

  /** Opens a pair of streams to {@code port} as client-go does, sends {@code request} and half-closes. */
  CompletableFuture<Result> forward(int port, String request) {
    int requestId = requestIds.getAndIncrement();
    int errorId = nextId.getAndAdd(2);
    int dataId = nextId.getAndAdd(2);
    Stream error = new Stream();
    Stream data = new Stream();
    streams.put(errorId, error);
    streams.put(dataId, data);
    DefaultSpdySynStreamFrame e = new DefaultSpdySynStreamFrame(errorId, 0, (byte) 0);
    e.headers().set("streamtype", "error").set("port", Integer.toString(port)).set("requestid", Integer.toString(requestId));
    channel.write(e);
    channel.write(new DefaultSpdyDataFrame(errorId).setLast(true));
    DefaultSpdySynStreamFrame d = new DefaultSpdySynStreamFrame(dataId, 0, (byte) 0);
    d.headers().set("streamtype", "data").set("port", Integer.toString(port)).set("requestid", Integer.toString(requestId));
    channel.write(d);
    channel.write(new DefaultSpdyDataFrame(dataId, Unpooled.copiedBuffer(request, StandardCharsets.UTF_8)));
    channel.writeAndFlush(new DefaultSpdyDataFrame(dataId).setLast(true));
    return data.done.thenCombine(error.done, Result::new);
  }

  /** Sends a ping (odd id: the client's) and returns the id the server echoed. */
  int ping(int id) throws Exception {
    channel.writeAndFlush(new DefaultSpdyPingFrame(id));
    return pong.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (channel != null) channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
