package io.planet.apiserver.auth;

import java.util.List;
import java.util.Map;

/**
 * Who sent a request, as authentication established it (upstream's user.Info): the user name, an optional uid, the
 * groups and extra attributes. Authorization and admission decide on this.
 */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  public static final String ANONYMOUS = "system:anonymous";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String MASTERS = "system:masters";

  public UserInfo {
    uid = uid == null ? "" : uid;
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  public static UserInfo of(String name, List<String> groups) {
    return new UserInfo(name, "", groups, Map.of());
  }

  /** The identity of a request that carried no credentials. */
  public static UserInfo anonymous() {
    return of(ANONYMOUS, List.of(UNAUTHENTICATED));
  }

  public boolean inGroup(String group) {
    return groups.contains(group);
  }
}
