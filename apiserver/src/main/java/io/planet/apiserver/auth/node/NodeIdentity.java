package io.planet.apiserver.auth.node;

import io.planet.apiserver.auth.UserInfo;

/**
 * Whether a user is a node's kubelet (upstream's default NodeIdentifier): the name starts with
 * {@code system:node:} and the user is in group {@code system:nodes}. {@code nodeName} is "" when the name has
 * nothing after the prefix (a node identity that names no node).
 */
public record NodeIdentity(boolean isNode, String nodeName) {
  public static final String USER_PREFIX = "system:node:";
  public static final String NODES_GROUP = "system:nodes";
  private static final NodeIdentity NOT_A_NODE = new NodeIdentity(false, "");

  public static NodeIdentity of(UserInfo user) {
    if (user == null || !user.name().startsWith(USER_PREFIX) || !user.inGroup(NODES_GROUP)) return NOT_A_NODE;
    return new NodeIdentity(true, user.name().substring(USER_PREFIX.length()));
  }
}
