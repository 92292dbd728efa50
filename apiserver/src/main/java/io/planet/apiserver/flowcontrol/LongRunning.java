package io.planet.apiserver.flowcontrol;

import io.planet.apiserver.auth.rbac.RequestInfo;
import java.util.Set;

/**
 * Upstream's BasicLongRunningRequestCheck as kube-apiserver configures it: the verbs watch and proxy, and the
 * subresources attach, exec, proxy, log and portforward, hold a connection for as long as the client wants, so
 * they are not counted against in-flight limits (nor audited with a response body).
 */
public final class LongRunning {
  private static final Set<String> VERBS = Set.of("watch", "proxy");
  private static final Set<String> SUBRESOURCES = Set.of("attach", "exec", "proxy", "log", "portforward");

  private LongRunning() {}

  public static boolean is(RequestInfo info) {
    return info.resourceRequest() && (VERBS.contains(info.verb()) || SUBRESOURCES.contains(info.subresource()));
  }
}
