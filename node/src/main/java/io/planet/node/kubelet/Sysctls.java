package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.planet.api.SysctlNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod's sysctls (spec.securityContext.sysctls) on this node, as upstream's kubelet: admitted only when each is on
 * the safe list or on the node's --allowed-unsafe-sysctls (names or prefixes ending in *), and known to be namespaced
 * (net.* by the pod's network namespace; kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* by its IPC namespace),
 * and not in a namespace the pod shares with the node (hostNetwork, hostIPC). A rejected pod never runs
 * (SysctlForbidden); an admitted pod's sysctls are set in every one of its containers' OCI specs.
 */
final class Sysctls {
  static final String FORBIDDEN_REASON = "SysctlForbidden";

  /**
   * Upstream's safe set (pkg/kubelet/sysctl/safe_sysctls.go in 1.32; the kernel-version gates are all met by any
   * kernel this runs on).
   */
  static final List<String> SAFE = List.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
      "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
      "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");

  private final Map<String, SysctlNames.Namespace> names = new LinkedHashMap<>();
  private final Map<String, SysctlNames.Namespace> prefixes = new LinkedHashMap<>();

  private Sysctls(List<String> patterns) {
    for (String raw : patterns) {
      String p = SysctlNames.dots(raw.strip());
      if (p.isEmpty()) continue;
      if (p.endsWith("*")) {
        String prefix = p.substring(0, p.length() - 1);
        SysctlNames.Namespace ns = SysctlNames.namespacedBy(prefix);
        if (ns == SysctlNames.Namespace.UNKNOWN) {
          throw new IllegalArgumentException("the sysctls \"" + p + "\" are not known to be namespaced");
        }
        prefixes.put(prefix, ns);
      } else {
        SysctlNames.Namespace ns = SysctlNames.namespacedBy(p);
        if (ns == SysctlNames.Namespace.UNKNOWN) throw new IllegalArgumentException("the sysctl \"" + p + "\" are not known to be namespaced");
        names.put(p, ns);
      }
    }
  }

  /** The safe set plus {@code allowedUnsafe} (upstream's --allowed-unsafe-sysctls); a bad pattern is refused. */
  static Sysctls allowing(List<String> allowedUnsafe) {
    List<String> all = new ArrayList<>(SAFE);
    if (allowedUnsafe != null) all.addAll(allowedUnsafe);
    return new Sysctls(all);
  }

  /** Null when the pod's sysctls may be set here, else upstream's SysctlForbidden rejection. */
  GeneralPredicates.Rejection admit(Pod pod) {
    PodSecurityContext sc = pod.getSpec().getSecurityContext();
    if (sc == null || sc.getSysctls() == null) return null;
    boolean hostNet = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    boolean hostIpc = Boolean.TRUE.equals(pod.getSpec().getHostIPC());
    for (Sysctl s : sc.getSysctls()) {
      String error = check(s.getName() == null ? "" : s.getName(), hostNet, hostIpc);
      if (error != null) return new GeneralPredicates.Rejection(FORBIDDEN_REASON, "forbidden sysctl: " + error);
    }
    return null;
  }

  private String check(String raw, boolean hostNet, boolean hostIpc) {
    String name = SysctlNames.dots(raw);
    SysctlNames.Namespace ns = names.get(name);
    if (ns == null) {
      for (Map.Entry<String, SysctlNames.Namespace> p : prefixes.entrySet()) {
        if (name.startsWith(p.getKey())) {
          ns = p.getValue();
          break;
        }
      }
    }
    if (ns == null) return "\"" + name + "\" not allowlisted";
    if (ns == SysctlNames.Namespace.IPC && hostIpc) return "\"" + name + "\" not allowed with host ipc enabled";
    if (ns == SysctlNames.Namespace.NET && hostNet) return "\"" + name + "\" not allowed with host net enabled";
    return null;
  }

  /** The pod's sysctls as the OCI spec takes them: dotted names, in the pod's order. */
  static Map<String, String> of(Pod pod) {
    PodSecurityContext sc = pod.getSpec().getSecurityContext();
    Map<String, String> out = new LinkedHashMap<>();
    if (sc == null || sc.getSysctls() == null) return out;
    for (Sysctl s : sc.getSysctls()) {
      if (s.getName() != null) out.put(SysctlNames.dots(s.getName()), s.getValue() == null ? "" : s.getValue());
    }
    return out;
  }
}
