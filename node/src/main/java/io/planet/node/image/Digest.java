package io.planet.node.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest ({@code sha256:<64 hex>}), the address of every blob in the store. */
public record Digest(String hex) {
  private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

  public Digest {
    if (!HEX.matcher(hex).matches()) throw new IllegalArgumentException("invalid sha256 digest \"" + hex + "\"");
  }

  public static Digest parse(String s) {
    if (s == null || !s.startsWith("sha256:")) {
      throw new IllegalArgumentException("unsupported digest \"" + s + "\" (only sha256:<64 hex digits>)");
    }
    return new Digest(s.substring("sha256:".length()));
  }

  public static Digest of(byte[] bytes) {
    return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  public static Digest of(MessageDigest md) {
    return new Digest(HexFormat.of().formatHex(md.digest()));
  }

  /** The 12-hex-digit short form tools show as an image ID. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }
}
