package io.planet.apiserver.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.planet.api.ApiException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP transport (Netty): HTTP/1.1 with keep-alive and chunked streams. Whole requests (at most
 * {@link #MAX_BODY_BYTES}) are handed to a {@link Handler} on a worker pool, so handlers may block on etcd while the
 * event loops stay free for watch streams. With an {@link SslContext} it serves HTTPS, and HTTP/2 to clients that
 * negotiate h2 through ALPN (each HTTP/2 stream is handed to the handlers as an HTTP/1.1-shaped request).
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HttpServer.class);
  /** Upstream's limit on request bodies (3 MiB). */
  public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
  /** Upstream's limit on the request line plus headers (Go's MaxHeaderBytes, which kube-apiserver sets to 1 MiB). */
  public static final int MAX_HEADER_BYTES = 1024 * 1024;
  /** How long a connection stays open after an error that ends it, so the client reads the answer (Go waits 500 ms). */
  private static final long LINGER_MILLIS = 500;

  private final Handler handler;
  private volatile DispatchGate gate = req -> DispatchGate.Seat.NONE;
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
  private final ExecutorService pool;
  /**
   * Long-running requests (watches, logs, exec, proxies) get a thread of their own for as long as they last, as
   * upstream gives each a goroutine: they must never wait for, or hold up, the bounded pool of short requests.
   */
  private final ExecutorService streams;
  private volatile java.util.function.Predicate<ApiRequest> longRunning = req -> false;
  /** Every open connection, so that close() ends them before it returns. */
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private Channel channel;

  public HttpServer(Handler handler, int workerThreads) {
    this.handler = handler;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "apiserver-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    // sized for bursts; idle workers exit after a minute so a quiet cluster does not keep their stacks
    ((ThreadPoolExecutor) pool).allowCoreThreadTimeOut(true);
    AtomicInteger s = new AtomicInteger();
    // a thread per stream, reused most-recently-idle first, gone after a minute idle
    this.streams = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "apiserver-stream-" + s.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Which requests are long-running (served on a thread of their own, outside the worker pool). */
  public HttpServer withLongRunning(java.util.function.Predicate<ApiRequest> p) {
    this.longRunning = p;
    return this;
  }

  /** Admits requests before they reach a worker (max in-flight limits); the default admits everything. */
  public HttpServer withGate(DispatchGate g) {
    this.gate = g;
    return this;
  }

  /** Binds for plain HTTP; throws {@link java.net.BindException} (wrapped) when the port is taken. */
  public InetSocketAddress start(String host, int port) throws InterruptedException {
    return start(host, port, null);
  }

  /** Binds, serving HTTPS with {@code ssl} (null: plain HTTP). */
  public InetSocketAddress start(String host, int port, SslContext ssl) throws InterruptedException {
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            if (ssl == null) {
              http1(ch.pipeline());
              return;
            }
            ch.pipeline().addLast(new TlsOnly(ssl, new Negotiation()));
          }
        });
    channel = b.bind(host, port).sync().channel();
    return (InetSocketAddress) channel.localAddress();
  }

  private void http1(ChannelPipeline p) {
    ResponseTracker tracker = new ResponseTracker();
    p.addLast(new HttpServerCodec(MAX_HEADER_BYTES, MAX_HEADER_BYTES, 8192))
        .addLast(new HttpServerKeepAliveHandler())
        .addLast(tracker)
        .addLast(new Aggregator())
        .addLast(new Dispatcher(tracker));
  }

  /** After the TLS handshake: HTTP/2 when the client negotiated h2, HTTP/1.1 otherwise. */
  private final class Negotiation extends ApplicationProtocolNegotiationHandler {
    Negotiation() {
      super(ApplicationProtocolNames.HTTP_1_1);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (!protocol.equals(ApplicationProtocolNames.HTTP_2)) {
        http1(ctx.pipeline());
        return;
      }
      ctx.pipeline().addLast(
          Http2FrameCodecBuilder.forServer()
              .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(MAX_HEADER_BYTES)).build(),
          new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
              ResponseTracker tracker = new ResponseTracker();
              stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), tracker, new Aggregator(),
                  new Dispatcher(tracker));
            }
          }));
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      logger.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** Answers an oversized body with a 413 Status, as upstream does. */
  private static final class Aggregator extends HttpObjectAggregator {
    Aggregator() {
      super(MAX_BODY_BYTES);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ApiException e = new ApiException(413, "RequestEntityTooLarge",
          "Request entity too large: limit is " + MAX_BODY_BYTES);
      // keep the connection: the aggregator discards the rest of the body, and a client still sending it must
      // not see a broken pipe instead of this Status
      Responses.status(ctx, e, true);
    }
  }

  private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ResponseTracker tracker;

    Dispatcher(ResponseTracker tracker) {
      this.tracker = tracker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
      if (!msg.decoderResult().isSuccess()) {
        // the decoder discards the rest of the connection's input: answer, then close after a grace period
        rejectAndLinger(ctx, malformed(msg.decoderResult().cause()));
        return;
      }
      ApiRequest req;
      try {
        req = new ApiRequest(ctx, msg);
      } catch (IllegalArgumentException e) {
        // bad percent-encoding in the path or query (Go's URL parser answers 400 too)
        Responses.status(ctx, ApiException.badRequest("malformed request URI: " + e.getMessage()), HttpUtil.isKeepAlive(msg));
        return;
      }
      if (pool.isShutdown()) {
        Responses.status(ctx, new ApiException(503, "ServiceUnavailable", "the API server is shutting down"), false);
        return;
      }
      DispatchGate.Seat seat;
      try {
        seat = gate.enter(req);
      } catch (ApiException e) {
        Responses.status(ctx, e, req.isKeepAlive());
        return;
      }
      tracker.begin(req);
      try {
        (longRunning.test(req) ? streams : pool).execute(() -> serve(req, seat));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        seat.release();
        Responses.status(req, new ApiException(503, "ServiceUnavailable", "the API server is shutting down"));
      }
    }

    private void serve(ApiRequest req, DispatchGate.Seat seat) {
      try {
        handler.handle(req);
      } catch (ApiException e) {
        Responses.status(req, e);
      } catch (Exception | StackOverflowError e) {
        logger.error("request {} {} failed", req.method(), req.uri(), e);
        tracker.panicked(req, e);
        // the class of the failure, never its stack trace
        Responses.status(req, ApiException.internal(e.toString()));
      } finally {
        seat.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      logger.debug("connection error: {}", cause.toString());
      ctx.close();
    }
  }

  /** What a request Netty could not decode gets: 431 for an oversized request line or headers (as Go), else 400. */
  static ApiException malformed(Throwable cause) {
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
        || cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      return new ApiException(431, "RequestHeaderFieldsTooLarge", "Request Header Fields Too Large: the request line "
          + "and headers may hold at most " + MAX_HEADER_BYTES + " bytes");
    }
    return ApiException.badRequest("malformed HTTP request" + (cause == null ? "" : ": " + cause.getMessage()));
  }

  /**
   * Answers and closes the connection a little later, as Go does: closing at once, with the client still sending
   * the rest of an oversized request, would reset the connection and lose the answer. The response is written below
   * the keep-alive handler, which would close at once; the decoder discards what arrives meanwhile.
   */
  private static void rejectAndLinger(ChannelHandlerContext ctx, ApiException e) {
    ChannelHandlerContext below = ctx.pipeline().context(HttpServerKeepAliveHandler.class);
    Responses.statusBeforeClose(below == null ? ctx : below, e);
    ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (channel != null) channel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    pool.shutdownNow();
    streams.shutdownNow();
  }

  static boolean keepAlive(HttpMessage m) {
    return HttpUtil.isKeepAlive(m);
  }
}
