package io.planet.apiserver.handlers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.planet.api.ApiException;
import io.planet.apiserver.http.ApiRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An upgrade request (WebSocket or SPDY) handed to a kubelet and, once the kubelet answers 101, the two connections
 * spliced byte for byte, as upstream's upgrade-aware proxy: the API server needs not understand what is tunnelled.
 * A kubelet that refuses answers the client with its status and words.
 */
final class KubeletUpgrade {
  /** The request headers that make the upgrade; the rest stay between the client and the API server. */
  private static final List<String> UPGRADE_HEADERS = List.of("Upgrade", "Connection", "Sec-WebSocket-Key",
      "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "X-Stream-Protocol-Version");
  private KubeletUpgrade() {}

  /** Relays {@code req} to {@code https://host:port/path} over {@code tls}; returns once the splice is in place. */
  static void relay(ApiRequest req, SslContext tls, String host, int port, String pathAndQuery) {
    Channel client = req.ctx().channel();
    CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
    Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port), new HttpClientCodec(),
                new HttpObjectAggregator(1 << 20), new FromKubelet(client, answer));
          }
        });
    ChannelFuture connect = b.connect(host, port);
    if (!connect.awaitUninterruptibly(10, TimeUnit.SECONDS) || !connect.isSuccess()) {
      connect.channel().close();
      throw new ApiException(503, "ServiceUnavailable", "error dialing backend: "
          + (connect.cause() == null ? "timed out" : connect.cause().getMessage()));
    }
    Channel kubelet = connect.channel();
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(req.method()), pathAndQuery,
        Unpooled.EMPTY_BUFFER);
    out.headers().set(HttpHeaderNames.HOST, Kubelets.hostPort(host, port));
    for (String h : UPGRADE_HEADERS) {
      List<String> values = req.headers().getAll(h);
      if (!values.isEmpty()) out.headers().set(h, values);
    }
    if (req.method().equals("POST")) out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    kubelet.writeAndFlush(out);
    FullHttpResponse r;
    try {
      r = answer.get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kubelet.close();
      throw ApiException.internal("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      kubelet.close();
      throw new ApiException(503, "ServiceUnavailable", "error dialing backend: "
          + (e.getCause() == null ? "no answer from the kubelet" : e.getCause().getMessage()));
    }
    try {
      if (r.status().code() == 101) return;
      kubelet.close();
      String body = r.content().toString(StandardCharsets.UTF_8).trim();
      int code = r.status().code();
      throw new ApiException(code, reason(code), body.isEmpty() ? r.status().reasonPhrase() : body);
    } finally {
      r.release();
    }
  }

  private static String reason(int code) {
    return switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 503 -> "ServiceUnavailable";
      default -> "InternalError";
    };
  }

  /**
   * The kubelet's side: its answer to the upgrade, then the tunnelled bytes. On a 101 the client's HTTP handlers give
   * way to a {@link Splice} (both connections share one event loop, so nothing is reordered in between).
   */
  private static final class FromKubelet extends ChannelInboundHandlerAdapter {
    private final Channel client;
    private final CompletableFuture<FullHttpResponse> answer;
    private boolean upgraded;

    FromKubelet(Channel client, CompletableFuture<FullHttpResponse> answer) {
      this.client = client;
      this.answer = answer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpResponse r && !upgraded) {
        if (r.status().code() == 101) {
          upgraded = true;
          switchClient(ctx.channel(), r);
          answer.complete(r);
          // the splice first: removing the codec hands on whatever bytes it still holds
          ctx.pipeline().replace(this, "splice", new Splice(client));
          ctx.pipeline().remove(HttpObjectAggregator.class);
          ctx.pipeline().remove(HttpClientCodec.class);
        } else {
          answer.complete(r);
        }
        return;
      }
      ReferenceCountUtil.release(msg);
    }

    private void switchClient(Channel kubelet, FullHttpResponse kubeletAnswer) {
      ChannelPipeline p = client.pipeline();
      if (p.get(HttpServerKeepAliveHandler.class) != null) p.remove(HttpServerKeepAliveHandler.class);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
      for (Map.Entry<String, String> h : kubeletAnswer.headers()) {
        if (!h.getKey().equalsIgnoreCase("Content-Length") && !h.getKey().equalsIgnoreCase("Date")) {
          r.headers().add(h.getKey(), h.getValue());
        }
      }
      client.writeAndFlush(r);
      for (Map.Entry<String, io.netty.channel.ChannelHandler> h : p.toMap().entrySet()) {
        if (h.getValue() instanceof HttpObjectAggregator || h.getValue() instanceof HttpServerCodec) p.remove(h.getKey());
      }
      p.addLast("splice", new Splice(kubelet));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      answer.completeExceptionally(new IllegalStateException("the kubelet closed the connection"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      answer.completeExceptionally(cause);
      ctx.close();
    }
  }

  /** Copies bytes to the other connection, reading no faster than it writes; either end closing closes both. */
  private static final class Splice extends ChannelInboundHandlerAdapter {
    private final Channel other;

    Splice(Channel other) {
      this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      other.writeAndFlush(msg);
      if (!other.isWritable()) ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) other.config().setAutoRead(true);
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (other.isActive()) other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
