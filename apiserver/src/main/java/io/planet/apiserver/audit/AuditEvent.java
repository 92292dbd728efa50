package io.planet.apiserver.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.planet.api.Json;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.auth.rbac.RequestInfo;
import io.planet.apiserver.flowcontrol.LongRunning;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.RequestListener;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit record of one request (upstream's audit.k8s.io/v1 Event), written once per stage the policy keeps:
 * RequestReceived once authenticated, ResponseStarted when a long-running response's head is sent, ResponseComplete
 * when its last byte is, Panic instead when the handler failed unexpectedly. A request that failed authentication
 * gets a single ResponseStarted event with the 401, as upstream's failed-authentication audit.
 */
final class AuditEvent implements RequestListener {
  static final String REQUEST_RECEIVED = "RequestReceived";
  static final String RESPONSE_STARTED = "ResponseStarted";
  static final String RESPONSE_COMPLETE = "ResponseComplete";
  static final String PANIC = "Panic";
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final Auditor auditor;
  private final ApiRequest req;
  private final RequestInfo info;
  private final boolean longRunning;
  // set on a worker before the response is written, read on the event loop after: the write hands them over
  private volatile UserInfo user;
  private volatile AuditPolicy.Decision decision;
  private volatile ObjectNode status;
  private volatile JsonNode responseObject;
  private volatile boolean finished;

  AuditEvent(Auditor auditor, ApiRequest req) {
    this.auditor = auditor;
    this.req = req;
    this.info = RequestInfo.of(req);
    this.longRunning = LongRunning.is(info);
  }

  /** Authentication succeeded: decide the level for this user and record RequestReceived. */
  void authenticated() {
    user = req.user();
    decision = auditor.policy().evaluate(user, info);
    emit(REQUEST_RECEIVED);
  }

  @Override
  public void responseStarted(HttpResponse head, ByteBuf content) {
    int code = head.status().code();
    if (decision == null) {
      // never authenticated: upstream audits only the failed authentication itself
      if (code != 401) return;
      decision = auditor.policy().evaluate(null, info);
      status = Json.object();
      status.putObject("metadata");
      status.put("message", "Authentication failed, " + (req.header(HttpHeaderNames.AUTHORIZATION).isEmpty()
          && req.peerCertificates().isEmpty() ? "no credentials provided" : "invalid credentials"));
      status.put("code", code);
      emit(RESPONSE_STARTED);
      finished = true;
      return;
    }
    if (decision.level() == AuditLevel.NONE) return;
    status = responseStatus(code, head, content);
    if (content != null && decision.level().atLeast(AuditLevel.REQUEST_RESPONSE) && json(head)) {
      responseObject = parse(content);
    }
    if (longRunning) emit(RESPONSE_STARTED);
  }

  @Override
  public void responseComplete() {
    if (decision == null || finished) return;
    finished = true;
    emit(RESPONSE_COMPLETE);
  }

  @Override
  public void panicked(Throwable cause) {
    if (decision == null || finished) return;
    finished = true;
    status = Json.object();
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", "APIServer panic'd: " + cause);
    status.put("reason", "InternalError");
    status.put("code", 500);
    emit(PANIC);
  }

  private void emit(String stage) {
    AuditPolicy.Decision d = decision;
    if (d == null || !d.records(stage)) return;
    auditor.log().add(render(stage, d));
  }

  private ObjectNode render(String stage, AuditPolicy.Decision d) {
    ObjectNode e = Json.object();
    e.put("kind", "Event");
    e.put("apiVersion", "audit.k8s.io/v1");
    e.put("level", d.level().wire());
    e.put("auditID", req.auditId());
    e.put("stage", stage);
    e.put("requestURI", req.uri());
    e.put("verb", info.verb());
    UserInfo authenticated = user;
    e.set("user", authenticated == null ? Json.object() : user(authenticated));
    UserInfo acting = req.user();
    if (authenticated != null && !stage.equals(REQUEST_RECEIVED) && acting != authenticated) {
      e.set("impersonatedUser", user(acting));
    }
    e.set("sourceIPs", sourceIps());
    if (!req.userAgent().isEmpty()) e.put("userAgent", req.userAgent());
    if (info.resourceRequest()) e.set("objectRef", objectRef());
    if (!stage.equals(REQUEST_RECEIVED) && status != null) e.set("responseStatus", status);
    if (d.level().atLeast(AuditLevel.REQUEST) && req.body().length > 0) {
      JsonNode body = parse(req.body());
      if (body != null) e.set("requestObject", d.omitManagedFields() ? withoutManagedFields(body) : body);
    }
    if (d.level().atLeast(AuditLevel.REQUEST_RESPONSE) && responseObject != null
        && (stage.equals(RESPONSE_COMPLETE) || stage.equals(RESPONSE_STARTED))) {
      e.set("responseObject", d.omitManagedFields() ? withoutManagedFields(responseObject) : responseObject);
    }
    e.put("requestReceivedTimestamp", MICRO_TIME.format(req.received()));
    e.put("stageTimestamp", MICRO_TIME.format(Instant.now()));
    Map<String, String> annotations = new TreeMap<>(req.annotations());
    if (!stage.equals(REQUEST_RECEIVED) && !annotations.isEmpty()) {
      ObjectNode a = e.putObject("annotations");
      annotations.forEach(a::put);
    }
    return e;
  }

  private static ObjectNode user(UserInfo u) {
    ObjectNode o = Json.object();
    o.put("username", u.name());
    if (!u.uid().isEmpty()) o.put("uid", u.uid());
    ArrayNode groups = o.putArray("groups");
    u.groups().forEach(groups::add);
    if (!u.extra().isEmpty()) {
      ObjectNode extra = o.putObject("extra");
      new TreeMap<>(u.extra()).forEach((k, v) -> {
        ArrayNode values = extra.putArray(k);
        v.forEach(values::add);
      });
    }
    return o;
  }

  /** X-Forwarded-For entries, then X-Real-Ip, then the peer, as upstream's SourceIPs. */
  private ArrayNode sourceIps() {
    ArrayNode ips = Json.MAPPER.createArrayNode();
    for (String ip : req.header("X-Forwarded-For").split(",")) {
      if (!ip.isBlank() && ips.size() < 16) ips.add(ip.trim());
    }
    String real = req.header("X-Real-Ip").trim();
    if (!real.isEmpty() && ips.size() < 16) ips.add(real);
    InetSocketAddress peer = req.remoteAddress();
    if (peer != null && peer.getAddress() != null) {
      String ip = peer.getAddress().getHostAddress();
      boolean seen = false;
      for (JsonNode n : ips) seen |= n.asText().equals(ip);
      if (!seen) ips.add(ip);
    }
    return ips;
  }

  private ObjectNode objectRef() {
    ObjectNode o = Json.object();
    if (!info.resource().isEmpty()) o.put("resource", info.resource());
    if (!info.namespace().isEmpty()) o.put("namespace", info.namespace());
    if (!info.name().isEmpty()) o.put("name", info.name());
    if (!info.apiGroup().isEmpty()) o.put("apiGroup", info.apiGroup());
    if (!info.apiVersion().isEmpty()) o.put("apiVersion", info.apiVersion());
    if (!info.subresource().isEmpty()) o.put("subresource", info.subresource());
    return o;
  }

  /**
   * Upstream's responseStatus: the code, plus status, message, reason and details when the response is a Status
   * (errors, and deletes that answer with one).
   */
  private static ObjectNode responseStatus(int code, HttpResponse head, ByteBuf content) {
    ObjectNode s = Json.object();
    s.putObject("metadata");
    if (content != null && json(head) && (code >= 300 || content.readableBytes() < 4096)) {
      JsonNode body = parse(content);
      if (body != null && body.path("kind").asText().equals("Status")) {
        for (String f : List.of("status", "message", "reason", "details")) {
          if (body.hasNonNull(f)) s.set(f, body.get(f));
        }
      }
    }
    s.put("code", code);
    return s;
  }

  private static boolean json(HttpResponse head) {
    String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return type != null && type.contains("json");
  }

  private static JsonNode parse(ByteBuf content) {
    try (ByteBufInputStream in = new ByteBufInputStream(content.duplicate())) {
      JsonNode n = Json.MAPPER.readTree(in);
      return n == null || n.isMissingNode() ? null : n;
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      return n == null || n.isMissingNode() ? null : n;
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonNode withoutManagedFields(JsonNode obj) {
    if (!obj.isObject()) return obj;
    JsonNode copy = obj.deepCopy();
    if (copy.path("metadata") instanceof ObjectNode m) m.remove("managedFields");
    for (JsonNode item : copy.path("items")) {
      if (item.path("metadata") instanceof ObjectNode m) m.remove("managedFields");
    }
    return copy;
  }
}
