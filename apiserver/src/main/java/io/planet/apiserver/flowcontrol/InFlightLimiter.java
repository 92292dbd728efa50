package io.planet.apiserver.flowcontrol;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.auth.rbac.RequestInfo;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.DispatchGate;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Max in-flight limiting (upstream's WithMaxInFlightLimit) with a fairness guard standing in for API Priority and
 * Fairness. Runs on the event loop before a request reaches a worker, so it never waits: a request either takes a
 * seat at once or is answered 429 with {@code Retry-After: 1}.
 *
 * <p>Read-only (get, list, watch) and mutating requests draw on separate pools. Fairness: one client (a flow) may
 * hold at most half of a pool's seats, and at most half of the worker threads over both pools, so whatever one
 * client sends, the other half stays free for everyone else (including the worker threads that serve them, which a
 * FIFO queue would otherwise hand to the flood first). The client is known before authentication runs (it needs a
 * worker), so a flow is keyed by the credentials presented: the client certificate's subject, else the
 * Authorization header, else the source IP. Long-running requests hold no seat.
 */
public final class InFlightLimiter implements DispatchGate {
  private static final Set<String> READ_ONLY = Set.of("get", "list", "watch");

  private final Pool readOnly;
  private final Pool mutating;
  private final int perFlowTotal;
  private final Map<String, Integer> heldByFlow = new HashMap<>();

  public InFlightLimiter(InFlightLimits limits, int workerThreads) {
    this.readOnly = new Pool(limits.maxRequestsInflight());
    this.mutating = new Pool(limits.maxMutatingRequestsInflight());
    this.perFlowTotal = Math.max(1, workerThreads / 2);
  }

  /** Upstream's answer when the server is saturated (as a Status; upstream writes the same message as text). */
  public static ApiException tooManyRequests() {
    return new ApiException(429, "TooManyRequests", "Too many requests, please try again later.", Json.object())
        .retryAfter(1);
  }

  @Override
  public Seat enter(ApiRequest req) {
    RequestInfo info = RequestInfo.of(req);
    if (LongRunning.is(info)) return Seat.NONE;
    Pool pool = READ_ONLY.contains(info.verb()) ? readOnly : mutating;
    if (pool.limit <= 0) return Seat.NONE;
    String flow = flow(req);
    synchronized (this) {
      int held = heldByFlow.getOrDefault(flow, 0);
      if (pool.used >= pool.limit || pool.byFlow.getOrDefault(flow, 0) >= pool.perFlow || held >= perFlowTotal) {
        throw tooManyRequests();
      }
      pool.used++;
      pool.byFlow.merge(flow, 1, Integer::sum);
      heldByFlow.put(flow, held + 1);
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) release(pool, flow);
    };
  }

  private synchronized void release(Pool pool, String flow) {
    pool.used--;
    decrement(pool.byFlow, flow);
    decrement(heldByFlow, flow);
  }

  private static void decrement(Map<String, Integer> m, String key) {
    m.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Seats held now (read-only, mutating), for tests and metrics. */
  public synchronized int[] inFlight() {
    return new int[] {readOnly.used, mutating.used};
  }

  /** Who a request comes from, as far as can be told without authenticating it. */
  static String flow(ApiRequest req) {
    List<X509Certificate> certs = req.peerCertificates();
    if (!certs.isEmpty()) return "x509:" + certs.get(0).getSubjectX500Principal().getName();
    String authorization = req.header(HttpHeaderNames.AUTHORIZATION);
    if (!authorization.isEmpty()) return "authorization:" + authorization;
    InetSocketAddress a = req.remoteAddress();
    return "ip:" + (a == null ? "" : a.getAddress().getHostAddress());
  }

  /** One pool of seats; guarded by the limiter's lock. */
  private static final class Pool {
    final int limit;
    final int perFlow;
    int used;
    final Map<String, Integer> byFlow = new HashMap<>();

    Pool(int limit) {
      this.limit = limit;
      this.perFlow = Math.max(1, limit / 2);
    }
  }
}
