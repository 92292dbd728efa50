package io.planet.apiserver.auth;

/**
 * An authorizer's answer: ALLOW or DENY end the chain, NO_OPINION passes to the next authorizer (a request no
 * authorizer allows is forbidden). The reason is shown to the client in a 403 and in SubjectAccessReview status.
 */
public record AuthorizationDecision(Kind kind, String reason) {
  public enum Kind { ALLOW, DENY, NO_OPINION }

  public static AuthorizationDecision allow(String reason) {
    return new AuthorizationDecision(Kind.ALLOW, reason);
  }

  public static AuthorizationDecision deny(String reason) {
    return new AuthorizationDecision(Kind.DENY, reason);
  }

  public static AuthorizationDecision noOpinion(String reason) {
    return new AuthorizationDecision(Kind.NO_OPINION, reason);
  }

  public boolean allowed() {
    return kind == Kind.ALLOW;
  }
}
