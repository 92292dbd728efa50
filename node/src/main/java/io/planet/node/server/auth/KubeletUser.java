package io.planet.node.server.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Who sent a request to the kubelet API, as upstream's user.Info: name, uid, groups, extra. */
public record KubeletUser(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  public static final String ANONYMOUS = "system:anonymous";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String AUTHENTICATED = "system:authenticated";

  public KubeletUser {
    uid = uid == null ? "" : uid;
    groups = List.copyOf(groups);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  public static KubeletUser anonymous() {
    return new KubeletUser(ANONYMOUS, "", List.of(UNAUTHENTICATED), Map.of());
  }

  /** With system:authenticated added, as upstream's AuthenticatedGroupAdder does for every authenticated user. */
  KubeletUser authenticated() {
    if (groups.contains(AUTHENTICATED) || name.equals(ANONYMOUS) || groups.contains(UNAUTHENTICATED)) return this;
    List<String> g = new ArrayList<>(groups);
    g.add(AUTHENTICATED);
    return new KubeletUser(name, uid, g, extra);
  }
}
