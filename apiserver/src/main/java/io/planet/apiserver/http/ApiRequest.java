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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One HTTP request as handlers see it: method, decoded path segments, query, headers and the whole body, plus its
 * audit ID, the annotations the request path adds (authorization decision) and who follows its response.
 */
public final class ApiRequest {
  /** Upstream's header carrying a request's audit ID, both ways. */
  public static final String AUDIT_ID = "Audit-ID";

  private final ChannelHandlerContext ctx;
  private final FullHttpRequest raw;
  private final String path;
  private final Map<String, List<String>> query;
  private final byte[] body;
  private io.planet.apiserver.auth.UserInfo user = io.planet.apiserver.auth.UserInfo.anonymous();
  private final String auditId;
  private final long receivedNanos = System.nanoTime();
  private final java.time.Instant received = java.time.Instant.now();
  private final Map<String, String> annotations = new ConcurrentHashMap<>();
  private final List<RequestListener> listeners = new CopyOnWriteArrayList<>();

  /** @throws IllegalArgumentException when the URI's percent-encoding is malformed */
  public ApiRequest(ChannelHandlerContext ctx, FullHttpRequest raw) {
    this.ctx = ctx;
    this.raw = raw;
    QueryStringDecoder d = new QueryStringDecoder(raw.uri());
    this.path = d.path();
    this.query = d.parameters();
    byte[] b = new byte[raw.content().readableBytes()];
    raw.content().getBytes(raw.content().readerIndex(), b);
    this.body = b;
    this.auditId = auditId(raw.headers().get(AUDIT_ID));
  }

  /** The client's audit ID when it sent a usable one (as upstream keeps it), a new UUID otherwise. */
  private static String auditId(String sent) {
    if (sent == null || sent.isEmpty() || sent.length() > 128) return UUID.randomUUID().toString();
    for (int i = 0; i < sent.length(); i++) {
      char c = sent.charAt(i);
      if (c <= 0x20 || c >= 0x7f) return UUID.randomUUID().toString();
    }
    return sent;
  }

  public String auditId() { return auditId; }

  /** When the request was received (wall clock, for audit timestamps). */
  public java.time.Instant received() { return received; }

  public long receivedNanos() { return receivedNanos; }

  /** Adds an audit annotation (e.g. authorization.k8s.io/decision). */
  public void annotate(String key, String value) {
    annotations.put(key, value == null ? "" : value);
  }

  public Map<String, String> annotations() { return annotations; }

  public void listen(RequestListener l) { listeners.add(l); }

  public List<RequestListener> listeners() { return listeners; }

  /** The client's address: the TCP peer, or for an HTTP/2 stream its connection's peer. */
  public java.net.InetSocketAddress remoteAddress() {
    Channel ch = ctx.channel();
    java.net.SocketAddress a = ch.remoteAddress();
    if (a == null && ch.parent() != null) a = ch.parent().remoteAddress();
    return a instanceof java.net.InetSocketAddress i ? i : null;
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
