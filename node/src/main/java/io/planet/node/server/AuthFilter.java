package io.planet.node.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.planet.node.server.auth.KubeletAuth;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Every request to the kubelet API passes {@link KubeletAuth} before the router sees it. Deciding may ask the API
 * server, so it runs on {@code executor}; the connection stops reading meanwhile and requests are decided one at a
 * time, in order. Whatever follows an upgrade (WebSocket frames, SPDY bytes) passes through untouched.
 */
final class AuthFilter extends ChannelInboundHandlerAdapter {
  /** Bearer tokens in a WebSocket subprotocol, for clients that cannot set headers (browsers), as upstream. */
  static final String WEBSOCKET_TOKEN_PREFIX = "base64url.bearer.authorization.k8s.io.";

  private final KubeletAuth auth;
  private final Executor executor;
  private final Deque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean deciding;

  AuthFilter(KubeletAuth auth, Executor executor) {
    this.auth = auth;
    this.executor = executor;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    waiting.add(req);
    if (!deciding) next(ctx);
  }

  private void next(ChannelHandlerContext ctx) {
    FullHttpRequest req = waiting.poll();
    if (req == null) {
      deciding = false;
      ctx.channel().config().setAutoRead(true);
      return;
    }
    deciding = true;
    ctx.channel().config().setAutoRead(false);
    List<X509Certificate> chain = peerCertificates(ctx);
    String token = bearerToken(req.headers());
    String method = req.method().name();
    String path = new QueryStringDecoder(req.uri()).path();
    executor.execute(() -> {
      KubeletAuth.Decision d;
      try {
        d = auth.decide(chain, token, method, path);
      } catch (RuntimeException e) {
        d = new KubeletAuth.Decision(500, "Internal Server Error", null);
      }
      KubeletAuth.Decision decision = d;
      ctx.executor().execute(() -> answer(ctx, req, decision));
    });
  }

  private void answer(ChannelHandlerContext ctx, FullHttpRequest req, KubeletAuth.Decision d) {
    if (!ctx.channel().isActive()) {
      ReferenceCountUtil.release(req);
      releaseWaiting();
      return;
    }
    if (d.allowed()) {
      ctx.fireChannelRead(req);
    } else {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      ReferenceCountUtil.release(req);
      DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(d.status()),
          Unpooled.copiedBuffer(d.message(), StandardCharsets.UTF_8));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
      var write = ctx.writeAndFlush(r);
      if (!keepAlive) write.addListener(ChannelFutureListener.CLOSE);
    }
    next(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseWaiting();
    ctx.fireChannelInactive();
  }

  private void releaseWaiting() {
    for (FullHttpRequest r; (r = waiting.poll()) != null; ) ReferenceCountUtil.release(r);
  }

  private static List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) return List.of();
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
        if (c instanceof X509Certificate x) out.add(x);
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  /**
   * The token of {@code Authorization: Bearer <token>}, else of a {@link #WEBSOCKET_TOKEN_PREFIX} subprotocol (which
   * is then taken out of the offered protocols, as upstream does, so the server never echoes it).
   */
  static String bearerToken(HttpHeaders headers) {
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION, "").trim();
    String[] parts = authorization.split("\\s+", 2);
    if (parts.length == 2 && parts[0].equalsIgnoreCase("bearer") && !parts[1].trim().isEmpty()) return parts[1].trim();
    String offered = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (offered == null) return null;
    String token = null;
    List<String> rest = new ArrayList<>();
    for (String p : offered.split(",")) {
      String t = p.trim();
      if (t.startsWith(WEBSOCKET_TOKEN_PREFIX)) {
        try {
          token = new String(Base64.getUrlDecoder().decode(t.substring(WEBSOCKET_TOKEN_PREFIX.length())), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          token = null;
        }
      } else if (!t.isEmpty()) {
        rest.add(t);
      }
    }
    if (rest.isEmpty()) {
      headers.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    } else {
      headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", rest));
    }
    return token == null || token.isEmpty() ? null : token;
  }
}
