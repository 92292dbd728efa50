package io.planet.apiserver.auth.rbac;

import io.planet.apiserver.auth.AuthorizationDecision;
import io.planet.apiserver.auth.Authorizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The authorizer chain of an {@code --authorization-mode} value (comma-separated, in order, as upstream): AlwaysAllow,
 * AlwaysDeny, Node, RBAC ({@code Node,RBAC} is upstream's usual value). With RBAC, members of system:masters are
 * allowed first (upstream's privileged group authorizer).
 */
public final class AuthorizationModes {
  public static final String ALWAYS_ALLOW = "AlwaysAllow";
  public static final String ALWAYS_DENY = "AlwaysDeny";
  public static final String RBAC = "RBAC";
  public static final String NODE = "Node";
  public static final List<String> SUPPORTED = List.of(ALWAYS_ALLOW, ALWAYS_DENY, NODE, RBAC);

  private AuthorizationModes() {}

  public static List<String> parse(String mode) {
    List<String> modes = new ArrayList<>();
    for (String m : mode.split(",")) {
      String t = m.trim();
      if (t.isEmpty()) continue;
      if (!SUPPORTED.contains(t)) {
        throw new IllegalArgumentException("authorization mode \"" + t + "\" is not supported (supported: "
            + String.join(", ", SUPPORTED) + ")");
      }
      if (modes.contains(t)) throw new IllegalArgumentException("authorization mode \"" + t + "\" is given twice");
      modes.add(t);
    }
    if (modes.isEmpty()) throw new IllegalArgumentException("at least one authorization mode must be given");
    return modes;
  }

  /** Whether every request is allowed without asking anyone (the mode is AlwaysAllow alone). */
  public static boolean allowsAll(String mode) {
    return parse(mode).equals(List.of(ALWAYS_ALLOW));
  }

  public static boolean usesRbac(String mode) {
    return parse(mode).contains(RBAC);
  }

  public static boolean usesNode(String mode) {
    return parse(mode).contains(NODE);
  }

  /** The chain for a mode without Node; {@code rbac} is used when the mode names RBAC. */
  public static Authorizer build(String mode, RbacAuthorizer rbac) {
    return build(mode, rbac, null);
  }

  /** The chain for the mode; {@code rbac} and {@code node} are used when the mode names RBAC or Node. */
  public static Authorizer build(String mode, RbacAuthorizer rbac, Authorizer node) {
    List<String> modes = parse(mode);
    List<Authorizer> chain = new ArrayList<>();
    if (modes.contains(RBAC)) chain.add(new PrivilegedGroupAuthorizer());
    for (String m : modes) {
      switch (m) {
        case ALWAYS_ALLOW -> chain.add(a -> AuthorizationDecision.allow(""));
        case ALWAYS_DENY -> chain.add(a -> AuthorizationDecision.deny("Everything is forbidden."));
        case RBAC -> chain.add(rbac);
        case NODE -> {
          if (node == null) throw new IllegalStateException("authorization mode Node needs the node authorizer");
          chain.add(node);
        }
        default -> throw new IllegalStateException(m);
      }
    }
    return new UnionAuthorizer(chain);
  }
}
