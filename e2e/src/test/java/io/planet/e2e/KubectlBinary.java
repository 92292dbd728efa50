package io.planet.e2e;

import java.nio.file.Path;

/**
 * One kubectl executable the suite runs, or a placeholder for a wanted version that is not installed (then
 * {@link #path} is null and {@link #missingReason} says why, so the test can skip with a notice).
 *
 * @param label how test names show it, e.g. "kubectl.1.32" or "kubectl (PATH)"
 * @param minor the client's minor version if known, else -1
 */
public record KubectlBinary(String label, Path path, int minor, String missingReason) {

  public static KubectlBinary missing(int minor, String reason) {
    return new KubectlBinary("kubectl.1." + minor, null, minor, reason);
  }

  public boolean present() {
    return path != null;
  }

  /** A DNS-label-safe token naming this binary, for namespaces and CRD groups. */
  public String token() {
    return label.replaceAll("[^a-z0-9]", "").replace("kubectl", "k");
  }

  @Override
  public String toString() {
    return label;
  }
}
