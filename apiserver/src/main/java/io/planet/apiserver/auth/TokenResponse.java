package io.planet.apiserver.auth;

import java.util.List;

/** Who a token authenticates as and for which of the requested audiences it is valid (upstream's authenticator.Response). */
public record TokenResponse(UserInfo user, List<String> audiences) {
  public TokenResponse {
    audiences = List.copyOf(audiences);
  }
}
