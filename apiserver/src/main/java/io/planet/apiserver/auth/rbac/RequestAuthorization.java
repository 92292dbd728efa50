package io.planet.apiserver.auth.rbac;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.http.ApiRequest;
import java.util.function.Function;

/**
 * The authorization step of the request path, after authentication and before any handler (upstream's
 * WithImpersonation + WithAuthorization filters): applies impersonation headers, reads the request's attributes and
 * answers 403 Forbidden unless the authorizer chain allows them.
 */
public final class RequestAuthorization {
  private final Authorizer authorizer;
  private final boolean allowAll;
  private final Function<ApiRequest, UserInfo> testAuthenticator;

  /**
   * @param allowAll the mode is AlwaysAllow alone: no attributes are computed per request
   * @param testAuthenticator TEST SEAM ONLY: who each request is, until real authentication is wired; null leaves the
   *     user set by authentication (anonymous without it)
   */
  public RequestAuthorization(Authorizer authorizer, boolean allowAll, Function<ApiRequest, UserInfo> testAuthenticator) {
    this.authorizer = authorizer;
    this.allowAll = allowAll;
    this.testAuthenticator = testAuthenticator;
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  /** Returns when the request may proceed; throws the 403 (or 400 for bad impersonation headers) otherwise. */
  public void check(ApiRequest req) {
    if (testAuthenticator != null) req.authenticatedAs(testAuthenticator.apply(req));
    if (Impersonation.requested(req)) req.authenticatedAs(Impersonation.actAs(req, authorizer));
    if (allowAll) {
      annotate(req, true, "");
      return;
    }
    AuthorizationAttributes a = RequestInfo.of(req).attributes(req.user())
        .withFieldSelector(req.param("fieldSelector"));
    AuthorizationDecision d = authorizer.authorize(a);
    annotate(req, d.allowed(), d.reason());
    if (!d.allowed()) throw Forbidden.exception(a, d.reason());
  }

  /** Upstream's audit annotations for the decision. */
  private static void annotate(ApiRequest req, boolean allowed, String reason) {
    req.annotate("authorization.k8s.io/decision", allowed ? "allow" : "forbid");
    req.annotate("authorization.k8s.io/reason", reason == null ? "" : reason);
  }
}
