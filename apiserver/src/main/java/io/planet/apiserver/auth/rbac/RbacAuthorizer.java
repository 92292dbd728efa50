package io.planet.apiserver.auth.rbac;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): allows a request when a rule of a role bound to
 * the user allows it, with reason {@code RBAC: allowed by <binding>}; otherwise has no opinion, with the missing
 * roles met on the way as reason ({@code RBAC: [clusterrole... "x" not found, ...]}).
 */
public final class RbacAuthorizer implements Authorizer {
  private final PolicyIndex policy;

  public RbacAuthorizer(PolicyIndex policy) {
    this.policy = policy;
  }

  public PolicyIndex policy() {
    return policy;
  }

  @Override
  public AuthorizationDecision authorize(AuthorizationAttributes a) {
    String[] allowedBy = new String[1];
    List<String> errors = new ArrayList<>();
    policy.visitRulesFor(a.user(), a.namespace(), (source, rule, error) -> {
      if (error != null) {
        errors.add(error);
        return true;
      }
      if (rule.allows(a)) {
        allowedBy[0] = source;
        return false;
      }
      return true;
    });
    if (allowedBy[0] != null) return AuthorizationDecision.allow("RBAC: allowed by " + allowedBy[0]);
    return AuthorizationDecision.noOpinion(errors.isEmpty() ? "" : "RBAC: " + aggregate(errors));
  }

  /** As Go's utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
  static String aggregate(List<String> errors) {
    return errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
  }
}
