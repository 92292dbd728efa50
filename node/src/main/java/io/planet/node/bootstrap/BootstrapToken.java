package io.planet.node.bootstrap;

/** A bootstrap token {@code <id>.<secret>} ([a-z0-9]{6}.[a-z0-9]{16}), as kubeadm and the token authenticator read it. */
public record BootstrapToken(String id, String secret) {
  public static BootstrapToken parse(String token) {
    if (token == null || !token.matches("[a-z0-9]{6}\\.[a-z0-9]{16}")) {
      throw new IllegalArgumentException("--token must look like abcdef.0123456789abcdef ([a-z0-9]{6}.[a-z0-9]{16})");
    }
    return new BootstrapToken(token.substring(0, 6), token.substring(7));
  }

  @Override
  public String toString() {
    return id + "." + secret;
  }
}
