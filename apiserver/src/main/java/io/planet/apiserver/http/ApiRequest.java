package io.planet.apiserver.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;

/** One HTTP request as handlers see it: method, decoded path segments, query, headers and the whole body. */
public final class ApiRequest {
  private final ChannelHandlerContext ctx;
  private final FullHttpRequest raw;
  private final String path;
  private final Map<String, List<String>> query;
  private final byte[] body;
  private io.planet.apiserver.auth.UserInfo user = io.planet.apiserver.auth.UserInfo.anonymous();

  public ApiRequest(ChannelHandlerContext ctx, FullHttpRequest raw) {
    this.ctx = ctx;
    this.raw = raw;
    QueryStringDecoder d = new QueryStringDecoder(raw.uri());
    this.path = d.path();
    this.query = d.parameters();
    byte[] b = new byte[raw.content().readableBytes()];
    raw.content().getBytes(raw.content().readerIndex(), b);
    this.body = b;
  }

  public ChannelHandlerContext ctx() { return ctx; }
  public String method() { return raw.method().name(); }
  public String path() { return path; }
  public String uri() { return raw.uri(); }
  public byte[] body() { return body; }

  /** Who sent the request, once authentication has run (anonymous until then). */
  public io.planet.apiserver.auth.UserInfo user() { return user; }

  public void authenticatedAs(io.planet.apiserver.auth.UserInfo user) { this.user = user; }

  /** The TLS client certificate chain, leaf first; empty over plain HTTP or when the client sent none. */
  public List<X509Certificate> peerCertificates() {
    Channel ch = ctx.channel();
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    // an HTTP/2 stream's TLS is its connection's
    if (ssl == null && ch.parent() != null) ssl = ch.parent().pipeline().get(SslHandler.class);
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

  public String header(CharSequence name) {
    String v = raw.headers().get(name);
    return v == null ? "" : v;
  }

  public io.netty.handler.codec.http.HttpHeaders headers() {
    return raw.headers();
  }

  public String contentType() {
    return header(HttpHeaderNames.CONTENT_TYPE);
  }

  public String accept() {
    return header(HttpHeaderNames.ACCEPT);
  }

  public String userAgent() {
    return header(HttpHeaderNames.USER_AGENT);
  }

  /** The first value of a query parameter, or "" when absent. */
  public String param(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? "" : v.get(0);
  }

  public boolean hasParam(String name) {
    return query.containsKey(name);
  }

  public List<String> params(String name) {
    return query.getOrDefault(name, List.of());
  }

  /** Boolean query parameters as Go's strconv.ParseBool reads them. */
  public boolean flag(String name) {
    String v = param(name);
    return v.equals("1") || v.equalsIgnoreCase("true") || v.equals("t") || v.equals("T");
  }

  public boolean isKeepAlive() {
    return io.netty.handler.codec.http.HttpUtil.isKeepAlive(raw);
  }
}
