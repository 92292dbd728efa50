package io.planet.apiserver.auth.rbac;

import io.planet.api.ApiException;
import io.planet.apiserver.auth.AuthorizationAttributes;
import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.http.ApiRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Upstream's impersonation filter: {@code Impersonate-User}, {@code Impersonate-Group} (repeatable),
 * {@code Impersonate-Uid} and {@code Impersonate-Extra-<key>} headers make the request act as another user, once the
 * requester is allowed verb {@code impersonate} on each of users, groups, serviceaccounts (core group),
 * uids and userextras/&lt;key&gt; (authentication.k8s.io).
 */
public final class Impersonation {
  public static final String USER = "Impersonate-User";
  public static final String GROUP = "Impersonate-Group";
  public static final String UID = "Impersonate-Uid";
  public static final String EXTRA_PREFIX = "Impersonate-Extra-";
  private static final String AUTHENTICATION_GROUP = "authentication.k8s.io";

  private Impersonation() {}

  /** Whether the request asks to impersonate anyone. */
  public static boolean requested(ApiRequest req) {
    for (Map.Entry<String, String> h : req.headers()) {
      String n = h.getKey().toLowerCase(Locale.ROOT);
      if (n.equals("impersonate-user") || n.equals("impersonate-group") || n.equals("impersonate-uid")
          || n.startsWith("impersonate-extra-")) {
        return true;
      }
    }
    return false;
  }

  /** The user the request acts as; throws 400 for groups/extras without a user, 403 when not allowed. */
  public static UserInfo actAs(ApiRequest req, Authorizer authorizer) {
    UserInfo requester = req.user();
    String name = req.header(USER);
    List<String> groups = req.headers().getAll(GROUP);
    String uid = req.header(UID);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : req.headers()) {
      if (h.getKey().toLowerCase(Locale.ROOT).startsWith(EXTRA_PREFIX.toLowerCase(Locale.ROOT))) {
        String key = java.net.URLDecoder.decode(h.getKey().substring(EXTRA_PREFIX.length()),
            java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        extra.computeIfAbsent(key, k -> new ArrayList<>()).add(h.getValue());
      }
    }
    if (name.isEmpty()) {
      throw ApiException.badRequest("requested " + describe(groups, extra, uid) + " without impersonating a user");
    }
    List<String> effectiveGroups = new ArrayList<>(groups);
    String[] sa = splitServiceAccount(name);
    if (sa != null) {
      check(authorizer, AuthorizationAttributes.resource(requester, "impersonate", "", "v1", "serviceaccounts", "",
          sa[0], sa[1]));
      if (groups.isEmpty()) effectiveGroups = List.of("system:serviceaccounts", "system:serviceaccounts:" + sa[0]);
    } else {
      check(authorizer, AuthorizationAttributes.resource(requester, "impersonate", "", "", "users", "", "", name));
    }
    for (String g : groups) {
      check(authorizer, AuthorizationAttributes.resource(requester, "impersonate", "", "", "groups", "", "", g));
    }
    for (Map.Entry<String, List<String>> e : extra.entrySet()) {
      for (String v : e.getValue()) {
        check(authorizer, AuthorizationAttributes.resource(requester, "impersonate", AUTHENTICATION_GROUP, "v1",
            "userextras", e.getKey(), "", v));
      }
    }
    if (!uid.isEmpty()) {
      check(authorizer, AuthorizationAttributes.resource(requester, "impersonate", AUTHENTICATION_GROUP, "v1", "uids",
          "", "", uid));
    }
    // everyone but anonymous is authenticated, as upstream adds
    String always = name.equals(UserInfo.ANONYMOUS) ? UserInfo.UNAUTHENTICATED : UserInfo.AUTHENTICATED;
    if (!effectiveGroups.contains(always)) {
      effectiveGroups = new ArrayList<>(effectiveGroups);
      effectiveGroups.add(always);
    }
    return new UserInfo(name, uid, effectiveGroups, extra);
  }

  private static void check(Authorizer authorizer, AuthorizationAttributes a) {
    AuthorizationDecision d = authorizer.authorize(a);
    if (!d.allowed()) throw Forbidden.exception(a, d.reason());
  }

  /** {namespace, name} of a service account user name, or null. */
  private static String[] splitServiceAccount(String user) {
    if (!user.startsWith(Subject.SA_PREFIX)) return null;
    String[] parts = user.substring(Subject.SA_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) return null;
    return parts;
  }

  private static String describe(List<String> groups, Map<String, List<String>> extra, String uid) {
    List<String> what = new ArrayList<>();
    for (String g : groups) what.add("Group \"" + g + "\"");
    for (Map.Entry<String, List<String>> e : extra.entrySet()) {
      for (String v : e.getValue()) what.add("UserExtra \"" + v + "\"");
    }
    if (!uid.isEmpty()) what.add("UID \"" + uid + "\"");
    return String.join(", ", what);
  }
}
