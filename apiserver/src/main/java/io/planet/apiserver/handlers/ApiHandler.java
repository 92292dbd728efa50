package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.openapi.OpenApiV2Protobuf;
import io.planet.apiserver.aggregator.ApiProxy;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Handler;
import io.planet.apiserver.http.Responses;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/** Routes a request: version, health, discovery, OpenAPI, then resources. */
public final class ApiHandler implements Handler {
  /** The Kubernetes version we implement; kubectl's dispatcher picks its kubectl by this minor. */
  public static final String GIT_VERSION = "v1.32.0-planet";

  private final Discovery discovery;
  private final ResourceHandler resources;
  private final Function<String, ObjectNode> openApi;
  private final Supplier<byte[]> openApiV2Protobuf;
  private final BooleanSupplier etcdHealthy;
  private final ApiProxy proxy;
  private io.planet.apiserver.auth.rbac.RequestAuthorization authorization;
  private io.planet.apiserver.auth.rbac.AccessReviews accessReviews;
  private ComponentStatuses componentStatuses;

  public ApiHandler(Discovery discovery, ResourceHandler resources, Function<String, ObjectNode> openApi,
      Supplier<byte[]> openApiV2Protobuf, BooleanSupplier etcdHealthy) {
    this(discovery, resources, openApi, openApiV2Protobuf, etcdHealthy, null);
  }

  /** @param proxy the aggregator's proxy for APIService-backed groups, or null */
  public ApiHandler(Discovery discovery, ResourceHandler resources, Function<String, ObjectNode> openApi,
      Supplier<byte[]> openApiV2Protobuf, BooleanSupplier etcdHealthy, ApiProxy proxy) {
    this.proxy = proxy;
    this.discovery = discovery;
    this.resources = resources;
    this.openApi = openApi;
    this.openApiV2Protobuf = openApiV2Protobuf;
    this.etcdHealthy = etcdHealthy;
  }

  /** Authorizes every request before routing it, and serves the authorization.k8s.io reviews. */
  public ApiHandler withAuthorization(io.planet.apiserver.auth.rbac.RequestAuthorization authorization,
      io.planet.apiserver.auth.rbac.AccessReviews accessReviews) {
    this.authorization = authorization;
    this.accessReviews = accessReviews;
    return this;
  }

  /** Serves v1 ComponentStatus (live probes, not stored). */
  public ApiHandler withComponentStatuses(ComponentStatuses c) {
    this.componentStatuses = c;
    return this;
  }

  @Override
  public void handle(ApiRequest req) {
    if (authorization != null) authorization.check(req);
    String path = req.path();
    if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
    switch (path) {
      case "/version" -> {
        Responses.json(req, 200, version());
        return;
      }
      case "/healthz", "/livez", "/readyz" -> {
        health(req, path);
        return;
      }
      case "/api" -> {
        discoveryRoot(req, true);
        return;
      }
      case "/apis" -> {
        discoveryRoot(req, false);
        return;
      }
      case "/" -> {
        ObjectNode paths = Json.object();
        var arr = paths.putArray("paths");
        for (String p : List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version")) arr.add(p);
        Responses.json(req, 200, paths);
        return;
      }
      default -> { }
    }
    if (path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/")) {
      health(req, path);
      return;
    }
    // kubectl 1.27/1.28 read the v2 document only as gnostic protobuf (older ones from /swagger-2.0.0.pb-v1)
    if (path.equals("/swagger-2.0.0.pb-v1")
        || path.equals("/openapi/v2") && OpenApiV2Protobuf.accepts(req.accept())) {
      requireGet(req);
      Responses.bytes(req, 200, openApiV2Protobuf.get(), OpenApiV2Protobuf.CONTENT_TYPE);
      return;
    }
    if (path.startsWith("/openapi/")) {
      requireGet(req);
      ObjectNode doc = openApi.apply(path.substring("/openapi/".length()));
      if (doc == null) throw ResourceHandler.notFoundPath(req);
      Responses.json(req, 200, doc);
      return;
    }
    // an APIService's group/version goes to its backend (one map lookup for everything else)
    if (proxy != null && path.startsWith("/apis/") && proxy.handle(req, path)) return;
    String[] seg = path.split("/");
    // /api/v1 and /apis/<group>[/<version>]
    if (seg.length == 3 && seg[1].equals("api")) {
      requireGet(req);
      ObjectNode list = discovery.resourceList("", seg[2]);
      if (list == null) throw ResourceHandler.notFoundPath(req);
      Responses.json(req, 200, list);
      return;
    }
    if (seg.length == 3 && seg[1].equals("apis")) {
      requireGet(req);
      ObjectNode g = discovery.group(seg[2]);
      if (g == null) throw ResourceHandler.notFoundPath(req);
      Responses.json(req, 200, g);
      return;
    }
    if (seg.length == 4 && seg[1].equals("apis")) {
      requireGet(req);
      ObjectNode list = discovery.resourceList(seg[2], seg[3]);
      if (list == null) throw ResourceHandler.notFoundPath(req);
      Responses.json(req, 200, list);
      return;
    }
    ResourcePath rp = ResourcePath.parse(path);
    if (rp == null) throw ResourceHandler.notFoundPath(req);
    if (accessReviews != null && io.planet.apiserver.auth.rbac.AccessReviews.serves(rp)) {
      accessReviews.handle(req, rp);
      return;
    }
    if (componentStatuses != null && ComponentStatuses.serves(rp)) {
      componentStatuses.handle(req, rp);
      return;
    }
    resources.handle(req, rp);
  }

  private static void requireGet(ApiRequest req) {
    if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
  }

  private void discoveryRoot(ApiRequest req, boolean core) {
    requireGet(req);
    String agg = Discovery.aggregatedVersion(req.accept());
    if (agg != null) {
      Responses.json(req, 200, discovery.aggregated(core, agg),
          agg.equals("v2") ? Discovery.AGGREGATED_V2 : Discovery.AGGREGATED_V2BETA1, List.of());
      return;
    }
    Responses.json(req, 200, core ? discovery.apiVersions() : discovery.groupList());
  }

  static ObjectNode version() {
    ObjectNode v = Json.object();
    v.put("major", "1");
    v.put("minor", "32");
    v.put("gitVersion", GIT_VERSION);
    v.put("gitCommit", "planet");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2026-11-22T00:00:00Z");
    v.put("goVersion", "java" + System.getProperty("java.specification.version"));
    v.put("compiler", "javac");
    v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + arch());
    return v;
  }

  private static String arch() {
    String a = System.getProperty("os.arch");
    return a.equals("x86_64") || a.equals("amd64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
  }

  private void health(ApiRequest req, String path) {
    boolean etcd = etcdHealthy.getAsBoolean();
    String base = path.substring(1).split("/")[0];
    String check = path.contains("/") && path.indexOf('/', 1) > 0 ? path.substring(path.indexOf('/', 1) + 1) : "";
    if (!check.isEmpty()) {
      if (check.equals("ping") || check.equals("log")) {
        Responses.text(req, 200, "ok");
      } else if (check.equals("etcd")) {
        Responses.text(req, etcd ? 200 : 500, etcd ? "ok" : "internal server error: etcd client connection failed");
      } else {
        Responses.text(req, 404, "404 page not found");
      }
      return;
    }
    if (req.hasParam("verbose")) {
      StringBuilder b = new StringBuilder();
      b.append("[+]ping ok\n[+]log ok\n").append(etcd ? "[+]etcd ok\n" : "[-]etcd failed: reason withheld\n");
      b.append(base).append(etcd ? " check passed\n" : " check failed\n");
      Responses.text(req, etcd ? 200 : 500, b.toString());
      return;
    }
    Responses.text(req, etcd ? 200 : 500, etcd ? "ok" : "[-]etcd failed: reason withheld\n" + base + " check failed");
  }
}
