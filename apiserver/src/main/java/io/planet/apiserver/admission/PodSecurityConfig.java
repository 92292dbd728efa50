package io.planet.apiserver.admission;

import java.util.List;

/**
 * Upstream's PodSecurityConfiguration: the levels of namespaces without labels, and who is exempt.
 *
 * @param enforce default enforce level (privileged, baseline or restricted) with {@code enforceVersion} ("latest" or
 *     "v1.N"); likewise audit and warn
 * @param exemptUsernames users whose requests are not checked
 * @param exemptNamespaces namespaces whose pods are not checked
 * @param exemptRuntimeClasses pods with these runtimeClassName are not checked
 */
public record PodSecurityConfig(String enforce, String enforceVersion, String audit, String auditVersion, String warn,
    String warnVersion, List<String> exemptUsernames, List<String> exemptNamespaces, List<String> exemptRuntimeClasses) {
  public static final PodSecurityConfig DEFAULT = new PodSecurityConfig("privileged", "latest", "privileged", "latest",
      "privileged", "latest", List.of(), List.of(), List.of());

  public PodSecurityConfig {
    exemptUsernames = List.copyOf(exemptUsernames);
    exemptNamespaces = List.copyOf(exemptNamespaces);
    exemptRuntimeClasses = List.copyOf(exemptRuntimeClasses);
  }

  public PodSecurityConfig withExemptions(List<String> usernames, List<String> namespaces, List<String> runtimeClasses) {
    return new PodSecurityConfig(enforce, enforceVersion, audit, auditVersion, warn, warnVersion, usernames, namespaces,
        runtimeClasses);
  }

  public PodSecurityConfig withDefaults(String enforce, String audit, String warn) {
    return new PodSecurityConfig(enforce, "latest", audit, "latest", warn, "latest", exemptUsernames, exemptNamespaces,
        exemptRuntimeClasses);
  }
}
