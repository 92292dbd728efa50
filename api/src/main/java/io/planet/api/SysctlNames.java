package io.planet.api;

/**
 * Sysctl names as upstream reads them (API validation and the kubelet's sysctl admission): sysctl.d's slash form
 * turned into dots, and which of a pod's namespaces a sysctl lives in (upstream's NamespacedBy).
 */
public final class SysctlNames {
  /** The pod namespace that holds a sysctl; UNKNOWN when it is not known to be namespaced (a node-level sysctl). */
  public enum Namespace { IPC, NET, UNKNOWN }

  private SysctlNames() {}

  public static Namespace namespacedBy(String name) {
    if (name.equals("kernel.sem") || name.startsWith("kernel.shm") || name.startsWith("kernel.msg")
        || name.startsWith("fs.mqueue.")) {
      return Namespace.IPC;
    }
    return name.startsWith("net.") ? Namespace.NET : Namespace.UNKNOWN;
  }

  /**
   * sysctl.d's rule: a name whose first separator is '/' uses '/' between segments, so '/' and '.' swap
   * (net/ipv4/conf/eth0.100/forwarding is net.ipv4.conf.eth0/100.forwarding).
   */
  public static String dots(String name) {
    int slash = name.indexOf('/');
    int dot = name.indexOf('.');
    if (slash < 0 || (dot >= 0 && dot < slash)) return name;
    StringBuilder out = new StringBuilder(name.length());
    for (char c : name.toCharArray()) out.append(c == '/' ? '.' : c == '.' ? '/' : c);
    return out.toString();
  }
}
