package io.planet.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes whole responses: JSON objects, Status errors, plain text. */
public final class Responses {
  private Responses() {}

  public static void json(ApiRequest req, int code, JsonNode body) {
    json(req, code, body, "application/json", List.of());
  }

  public static void json(ApiRequest req, int code, JsonNode body, String contentType, List<String> warnings) {
    byte[] bytes;
    if (contentType.startsWith("application/yaml")) {
      try {
        bytes = Json.YAML.writeValueAsBytes(body);
      } catch (Exception e) {
        bytes = Json.bytes(body);
        contentType = "application/json";
      }
    } else {
      bytes = Json.bytes(body);
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
        Unpooled.wrappedBuffer(bytes));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    for (String w : warnings) r.headers().add("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\"");
    send(req, r);
  }

  /** A body already encoded in {@code contentType}. */
  public static void bytes(ApiRequest req, int code, byte[] body, String contentType) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
        Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    send(req, r);
  }

  public static void status(ApiRequest req, ApiException e) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(e.code()),
        Unpooled.wrappedBuffer(Json.bytes(e.toStatus())));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    if (e.retryAfterSeconds() != null) r.headers().set(HttpHeaderNames.RETRY_AFTER, e.retryAfterSeconds());
    send(req, r);
  }

  public static void text(ApiRequest req, int code, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
        Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().set("X-Content-Type-Options", "nosniff");
    send(req, r);
  }

  static void send(ApiRequest req, FullHttpResponse r) {
    send(req.ctx(), r, req.isKeepAlive());
  }

  static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    r.headers().set("Cache-Control", "no-cache, private");
    if (keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(r);
    } else {
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** A Status error written straight to a channel (before a request object exists, e.g. 413). */
  public static void status(ChannelHandlerContext ctx, ApiException e, boolean keepAlive) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(e.code()),
        Unpooled.wrappedBuffer(Json.bytes(e.toStatus())));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    if (e.retryAfterSeconds() != null) r.headers().set(HttpHeaderNames.RETRY_AFTER, e.retryAfterSeconds());
    send(ctx, r, keepAlive);
  }

  /** A Status error announcing {@code Connection: close}; the caller closes the channel. */
  static void statusBeforeClose(ChannelHandlerContext ctx, ApiException e) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(e.code()),
        Unpooled.wrappedBuffer(Json.bytes(e.toStatus())));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    r.headers().set("Cache-Control", "no-cache, private");
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(r);
  }
}
