package io.planet.apiserver.admission;

import java.util.List;

/**
 * Which admission plugins run, with upstream's {@code --enable-admission-plugins} / {@code --disable-admission-plugins}
 * semantics: the default-on set plus {@code enable}, minus {@code disable}; the order is always upstream's.
 */
public record AdmissionConfig(List<String> enable, List<String> disable, PodSecurityConfig podSecurity) {
  public static final AdmissionConfig DEFAULT = new AdmissionConfig(List.of(), List.of(), PodSecurityConfig.DEFAULT);

  public AdmissionConfig {
    enable = List.copyOf(enable);
    disable = List.copyOf(disable);
    if (podSecurity == null) podSecurity = PodSecurityConfig.DEFAULT;
  }

  public AdmissionConfig enabling(String... names) {
    List<String> e = new java.util.ArrayList<>(enable);
    List<String> d = new java.util.ArrayList<>(disable);
    for (String n : names) {
      if (!e.contains(n)) e.add(n);
      d.remove(n);
    }
    return new AdmissionConfig(e, d, podSecurity);
  }

  public AdmissionConfig disabling(String... names) {
    List<String> e = new java.util.ArrayList<>(enable);
    List<String> d = new java.util.ArrayList<>(disable);
    for (String n : names) {
      if (!d.contains(n)) d.add(n);
      e.remove(n);
    }
    return new AdmissionConfig(e, d, podSecurity);
  }

  public AdmissionConfig withPodSecurity(PodSecurityConfig c) {
    return new AdmissionConfig(enable, disable, c);
  }

  /** The enabled plugins in upstream's order; IllegalArgumentException naming an unknown or conflicting plugin. */
  public List<String> plugins() {
    for (String n : enable) {
      if (!AdmissionPlugins.ORDER.contains(n)) throw new IllegalArgumentException("enable-admission-plugins plugin \"" + n + "\" is unknown");
      if (disable.contains(n)) {
        throw new IllegalArgumentException("enable-admission-plugins plugin \"" + n + "\" and disable-admission-plugins plugin \""
            + n + "\" conflict");
      }
    }
    for (String n : disable) {
      if (!AdmissionPlugins.ORDER.contains(n)) throw new IllegalArgumentException("disable-admission-plugins plugin \"" + n + "\" is unknown");
    }
    return AdmissionPlugins.ORDER.stream()
        .filter(n -> enable.contains(n) || AdmissionPlugins.DEFAULT_ON.contains(n) && !disable.contains(n)).toList();
  }
}
