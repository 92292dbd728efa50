package io.planet.apiserver.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.planet.api.ApiException;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every request before the handlers see it (upstream's WithAuthentication): sets the request's user,
 * or answers 401 Unauthorized. The Authorization header is removed once read, so it is never proxied onwards
 * (aggregated API servers, kubelets) with the caller's credentials.
 */
public final class AuthenticationFilter implements Handler {
  private static final Logger logger = LoggerFactory.getLogger(AuthenticationFilter.class);

  private final RequestAuthentication authentication;
  private final Handler next;

  public AuthenticationFilter(RequestAuthentication authentication, Handler next) {
    this.authentication = authentication;
    this.next = next;
  }

  @Override
  public void handle(ApiRequest req) throws Exception {
    Credentials credentials = new Credentials(req.peerCertificates(), req.header(HttpHeaderNames.AUTHORIZATION));
    UserInfo user;
    try {
      user = authentication.authenticate(credentials);
    } catch (AuthenticationException e) {
      logger.debug("unable to authenticate {} {}: {}", req.method(), req.path(), e.getMessage());
      throw unauthorized();
    }
    req.headers().remove(HttpHeaderNames.AUTHORIZATION);
    req.authenticatedAs(user);
    next.handle(req);
  }

  /** Upstream's answer to bad credentials: a Status with reason Unauthorized and no detail (it would help guessing). */
  public static ApiException unauthorized() {
    return new ApiException(401, "Unauthorized", "Unauthorized");
  }
}
