package io.planet.apiserver.audit;

import io.planet.apiserver.http.Handler;
import io.planet.apiserver.http.RequestListener;
import java.io.IOException;

/**
 * Upstream's WithAudit filter, in two steps around authentication: {@link #received} starts a request's event
 * (so a failed authentication is audited too), {@link #authenticated} decides its level from the policy and records
 * RequestReceived. Later stages are recorded as the response leaves (see {@link AuditEvent}).
 */
public final class Auditor implements AutoCloseable {
  private final AuditPolicy policy;
  private final AuditLog log;

  private Auditor(AuditPolicy policy, AuditLog log) {
    this.policy = policy;
    this.log = log;
  }

  /** The auditor a configuration describes, or null when auditing is off; reads the policy now (start-up errors). */
  public static Auditor start(AuditConfig config) throws IOException {
    if (config == null || !config.enabled()) return null;
    AuditPolicy policy = config.policyFile() == null ? AuditPolicy.metadataForAll() : AuditPolicy.read(config.policyFile());
    return new Auditor(policy, new AuditLog(config));
  }

  AuditPolicy policy() {
    return policy;
  }

  AuditLog log() {
    return log;
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    return log.dropped();
  }

  /** Wraps the authentication step: every request gets an event before it is authenticated. */
  public Handler received(Handler next) {
    return req -> {
      req.listen(new AuditEvent(this, req));
      next.handle(req);
    };
  }

  /** Runs after authentication, before impersonation and authorization. */
  public Handler authenticated(Handler next) {
    return req -> {
      for (RequestListener l : req.listeners()) {
        if (l instanceof AuditEvent e) e.authenticated();
      }
      next.handle(req);
    };
  }

  /** A no-op pair of wrappers when auditing is off. */
  public static Handler received(Auditor a, Handler next) {
    return a == null ? next : a.received(next);
  }

  public static Handler authenticated(Auditor a, Handler next) {
    return a == null ? next : a.authenticated(next);
  }

  @Override
  public void close() {
    log.close();
  }
}
