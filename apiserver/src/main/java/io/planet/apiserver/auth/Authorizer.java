package io.planet.apiserver.auth;

/** Decides whether a request may proceed (upstream's authorizer.Authorizer); one per authorization mode. */
public interface Authorizer {
  AuthorizationDecision authorize(AuthorizationAttributes attributes);
}
