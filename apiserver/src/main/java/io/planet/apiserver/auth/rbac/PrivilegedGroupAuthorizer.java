package io.planet.apiserver.auth.rbac;

import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;

/** Members of system:masters may do anything, whatever RBAC says (upstream's privileged groups authorizer). */
public final class PrivilegedGroupAuthorizer implements Authorizer {
  @Override
  public AuthorizationDecision authorize(AuthorizationAttributes a) {
    return a.user().inGroup(UserInfo.MASTERS) ? AuthorizationDecision.allow("") : AuthorizationDecision.noOpinion("");
  }
}
