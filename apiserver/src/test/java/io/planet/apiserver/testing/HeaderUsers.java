package io.planet.apiserver.testing;

import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.http.ApiRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TEST SEAM: a test authenticator naming the user by request headers ({@link #USER}, comma-separated
 * {@link #GROUPS}); a request without them is a cluster admin (kubectl's), {@code system:anonymous} is anonymous.
 */
public final class HeaderUsers {
  public static final String USER = "X-Test-User";
  public static final String GROUPS = "X-Test-Groups";

  private HeaderUsers() {}

  public static UserInfo authenticate(ApiRequest req) {
    String name = req.header(USER);
    if (name.isEmpty()) return UserInfo.of("kubernetes-admin", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
    if (name.equals(UserInfo.ANONYMOUS)) return UserInfo.anonymous();
    List<String> groups = new ArrayList<>();
    if (!req.header(GROUPS).isEmpty()) groups.addAll(Arrays.asList(req.header(GROUPS).split(",")));
    groups.add(UserInfo.AUTHENTICATED);
    return UserInfo.of(name, groups);
  }
}
