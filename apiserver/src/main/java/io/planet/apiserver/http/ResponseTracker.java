package io.planet.apiserver.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between the HTTP codec and the dispatcher of one connection (or HTTP/2 stream) and matches each response
 * leaving it to the request it answers, in order: stamps the {@code Audit-Id} header (upstream's WithAuditInit
 * sets it on every response) and the {@code Date} header (Go's net/http sends it on every response; {@code planet status}
 * reads the server's clock from it) and tells the request's {@link RequestListener}s when the response starts and
 * completes. A response that ends with the connection (a watch cut off, an upgraded WebSocket) completes on close.
 */
final class ResponseTracker extends ChannelDuplexHandler {
  private static final Logger logger = LoggerFactory.getLogger(ResponseTracker.class);
  static final String HEADER = "Audit-Id";

  /** Requests dispatched on this channel and not yet answered completely; touched on the event loop only. */
  private final ArrayDeque<ApiRequest> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Called by the dispatcher, on the event loop, before the request is handed to a worker. */
  void begin(ApiRequest req) {
    pending.add(req);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse head) {
      ApiRequest req = pending.peek();
      head.headers().set(HEADER, req == null ? UUID.randomUUID().toString() : req.auditId());
      if (!head.headers().contains(HttpHeaderNames.DATE)) head.headers().set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
      if (req != null) {
        for (RequestListener l : req.listeners()) {
          try {
            l.responseStarted(head, msg instanceof FullHttpResponse full ? full.content() : null);
          } catch (RuntimeException e) {
            logger.warn("request listener failed: {}", e.toString());
          }
        }
      }
    }
    if (msg instanceof LastHttpContent && !pending.isEmpty()) complete(pending.poll());
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    while (!pending.isEmpty()) complete(pending.poll());
    super.channelInactive(ctx);
  }

  /** Tells the request's listeners it failed (runs them on the event loop, like every other callback). */
  void panicked(ApiRequest req, Throwable cause) {
    ctx.executor().execute(() -> {
      for (RequestListener l : req.listeners()) {
        try {
          l.panicked(cause);
        } catch (RuntimeException e) {
          logger.warn("request listener failed: {}", e.toString());
        }
      }
    });
  }

  private static void complete(ApiRequest req) {
    for (RequestListener l : req.listeners()) {
      try {
        l.responseComplete();
      } catch (RuntimeException e) {
        logger.warn("request listener failed: {}", e.toString());
      }
    }
  }
}
