package io.planet.apiserver.auth.rbac;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Authorizers asked in order (upstream's union authorizer): the first ALLOW or DENY decides; when all have no
 * opinion, their reasons are joined by newlines.
 */
public final class UnionAuthorizer implements Authorizer {
  private final List<Authorizer> chain;

  public UnionAuthorizer(List<Authorizer> chain) {
    this.chain = List.copyOf(chain);
  }

  @Override
  public AuthorizationDecision authorize(AuthorizationAttributes a) {
    List<String> reasons = new ArrayList<>();
    for (Authorizer z : chain) {
      AuthorizationDecision d = z.authorize(a);
      if (d.kind() != AuthorizationDecision.Kind.NO_OPINION) return d;
      if (!d.reason().isEmpty()) reasons.add(d.reason());
    }
    return AuthorizationDecision.noOpinion(String.join("\n", reasons));
  }
}
