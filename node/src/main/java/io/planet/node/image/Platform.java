package io.planet.node.image;

import com.fasterxml.jackson.databind.JsonNode;

/** The OS/architecture pair images are chosen for from multi-platform indexes, in OCI's (Go's) names. */
public record Platform(String os, String architecture) {
  public static Platform current() {
    String arch = System.getProperty("os.arch");
    String goArch = switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      case "s390x" -> "s390x";
      case "ppc64le" -> "ppc64le";
      default -> arch;
    };
    return new Platform("linux", goArch);
  }

  /** Whether an index entry's {@code platform} object (absent: matches anything) names this platform. */
  public boolean matches(JsonNode platform) {
    if (platform == null || platform.isMissingNode() || platform.isNull()) return true;
    return os.equals(platform.path("os").asText(os)) && architecture.equals(platform.path("architecture").asText(architecture));
  }

  @Override
  public String toString() {
    return os + "/" + architecture;
  }
}
