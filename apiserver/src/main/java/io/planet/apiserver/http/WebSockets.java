package io.planet.apiserver.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/** Upgrades a request's connection to a WebSocket (watch streams over WebSocket, as fabric8 asks by default). */
public final class WebSockets {
  private WebSockets() {}

  /** Whether the client asks for a WebSocket upgrade. */
  public static boolean isUpgrade(ApiRequest req) {
    return req.header(HttpHeaderNames.UPGRADE).equalsIgnoreCase("websocket")
        && req.header(HttpHeaderNames.CONNECTION).toLowerCase().contains("upgrade");
  }

  /**
   * Answers 101 and switches the pipeline to WebSocket frames; pings are answered and a close from the client closes
   * the connection. Returns null (after answering 400) when the handshake is not acceptable.
   */
  public static ChannelFuture upgrade(ApiRequest req, String subprotocols) {
    Channel ch = req.ctx().channel();
    // the original request's body is already released: hand the handshaker its headers only
    FullHttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, req.uri(), Unpooled.EMPTY_BUFFER);
    head.headers().set(req.headers());
    WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory("ws://" + req.header(HttpHeaderNames.HOST) + req.uri(),
        subprotocols, false, 1 << 20).newHandshaker(head);
    if (hs == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
      return null;
    }
    if (ch.pipeline().get(HttpServerKeepAliveHandler.class) != null) ch.pipeline().remove(HttpServerKeepAliveHandler.class);
    ChannelFuture f = hs.handshake(ch, head);
    ch.pipeline().addLast(new ControlFrames());
    return f;
  }

  /**
   * Like {@link #upgrade(ApiRequest, String)} but hands every frame to {@code frames}; returns the handshaker (its
   * selected subprotocol is known once the returned handshake completes), or null after answering 400.
   */
  public static WebSocketServerHandshaker upgrade(ApiRequest req, String subprotocols,
      io.netty.channel.ChannelHandler frames) {
    Channel ch = req.ctx().channel();
    FullHttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, req.uri(), Unpooled.EMPTY_BUFFER);
    head.headers().set(req.headers());
    WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory("ws://" + req.header(HttpHeaderNames.HOST) + req.uri(),
        subprotocols, false, 1 << 20).newHandshaker(head);
    if (hs == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
      return null;
    }
    if (ch.pipeline().get(HttpServerKeepAliveHandler.class) != null) ch.pipeline().remove(HttpServerKeepAliveHandler.class);
    // in place before the 101 goes out: the client may send its first frames right after it
    ch.pipeline().addLast(frames);
    try {
      hs.handshake(ch, head).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    return hs;
  }

  /**
   * Control frames of one-way streams (watch, logs): pings are answered, a close from the client closes the
   * connection (echoing the close), data frames are ignored.
   */
  public static final class ControlFrames extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame close) {
        ctx.writeAndFlush(close.retainedDuplicate()).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      } else if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      }
    }
  }
}
