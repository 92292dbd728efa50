package io.planet.node.proxy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The whole iptables ruleset for a set of service ports, in upstream kube-proxy's iptables-mode shape. Pure: the
 * proxier renders it for {@code iptables-restore --noflush}, which flushes and refills every declared chain in one
 * atomic transaction per table while leaving other chains (and the built-in ones) alone.
 *
 * <p>nat: KUBE-SERVICES sends each ClusterIP/externalIP:port to KUBE-SVC-* (externalIPs via KUBE-EXT-*), and local
 * destinations to KUBE-NODEPORTS; KUBE-SVC-* marks off-cluster sources for masquerade and picks an endpoint chain
 * at random (or the one a ClientIP last used, with {@code -m recent}); KUBE-SEP-* DNATs to podIP:port. filter:
 * ports of services without endpoints are REJECTed instead of silently dropped.
 */
public final class ProxyRules {
  /** The packet mark asking KUBE-POSTROUTING to masquerade (upstream's default masquerade bit 14). */
  static final String MASQ_MARK = "0x4000";

  /** nat and filter chains, each in the order they are declared, and the rules to append to them. */
  public record Ruleset(List<String> natChains, List<String> natRules, List<String> filterChains, List<String> filterRules) {
    public Ruleset {
      natChains = List.copyOf(natChains);
      natRules = List.copyOf(natRules);
      filterChains = List.copyOf(filterChains);
      filterRules = List.copyOf(filterRules);
    }

    /**
     * iptables-restore input: both tables, deleting the stale per-service chains (present on the node, no longer
     * wanted) after the rules that jumped to them are replaced.
     */
    public String restoreInput(Set<String> existingNat, Set<String> existingFilter) {
      StringBuilder out = new StringBuilder();
      table(out, "filter", filterChains, filterRules, stale(existingFilter, filterChains));
      table(out, "nat", natChains, natRules, stale(existingNat, natChains));
      return out.toString();
    }

    private static List<String> stale(Set<String> existing, List<String> wanted) {
      List<String> stale = new ArrayList<>();
      for (String c : existing) if (ChainNames.isServiceChain(c) && !wanted.contains(c)) stale.add(c);
      return stale;
    }

    private static void table(StringBuilder out, String name, List<String> chains, List<String> rules, List<String> stale) {
      out.append('*').append(name).append('\n');
      for (String c : chains) out.append(':').append(c).append(" - [0:0]\n");
      // declaring a chain under --noflush flushes it, so the -X below deletes an empty chain
      for (String c : stale) out.append(':').append(c).append(" - [0:0]\n");
      for (String r : rules) out.append(r).append('\n');
      for (String c : stale) out.append("-X ").append(c).append('\n');
      out.append("COMMIT\n");
    }
  }

  private final String clusterCidr;

  /** {@code clusterCidr} may be null: then ClusterIP traffic is never masqueraded (as upstream without the flag). */
  public ProxyRules(String clusterCidr) {
    this.clusterCidr = clusterCidr == null || clusterCidr.isBlank() ? null : clusterCidr;
  }

  public Ruleset build(List<ServicePort> ports) {
    List<String> natChains = new ArrayList<>(List.of(ChainNames.SERVICES, ChainNames.NODE_PORTS, ChainNames.POSTROUTING,
        ChainNames.MARK_MASQ));
    List<String> filterChains = List.of(ChainNames.SERVICES, ChainNames.EXTERNAL_SERVICES, ChainNames.FORWARD);
    List<String> nat = new ArrayList<>();
    List<String> filter = new ArrayList<>();

    nat.add("-A " + ChainNames.POSTROUTING + " -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
    // clear the mark so a packet re-traversing the chains (e.g. after IPsec) is not masqueraded twice
    nat.add("-A " + ChainNames.POSTROUTING + " -j MARK --xor-mark " + MASQ_MARK);
    nat.add("-A " + ChainNames.POSTROUTING + comment("kubernetes service traffic requiring SNAT")
        + " -j MASQUERADE --random-fully");
    nat.add("-A " + ChainNames.MARK_MASQ + " -j MARK --or-mark " + MASQ_MARK);

    filter.add("-A " + ChainNames.FORWARD + " -m conntrack --ctstate INVALID -j DROP");
    filter.add("-A " + ChainNames.FORWARD + comment("kubernetes forwarding rules") + " -m mark --mark " + MASQ_MARK + "/"
        + MASQ_MARK + " -j ACCEPT");
    filter.add("-A " + ChainNames.FORWARD + comment("kubernetes forwarding conntrack rule")
        + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

    Set<String> seen = new LinkedHashSet<>();
    for (ServicePort sp : ports) {
      if (!seen.add(sp.displayName() + "/" + sp.protocol())) continue;
      if (sp.endpoints().isEmpty()) {
        noEndpoints(sp, filter);
      } else {
        withEndpoints(sp, natChains, nat);
      }
    }
    // must stay last: anything not a ClusterIP/externalIP but addressed to this node may be a NodePort
    nat.add("-A " + ChainNames.SERVICES
        + comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")
        + " -m addrtype --dst-type LOCAL -j " + ChainNames.NODE_PORTS);
    return new Ruleset(natChains, nat, filterChains, filter);
  }

  private void noEndpoints(ServicePort sp, List<String> filter) {
    String c = comment(sp.displayName() + " has no endpoints");
    String proto = " -p " + sp.iptablesProtocol() + " -m " + sp.iptablesProtocol();
    filter.add("-A " + ChainNames.SERVICES + c + proto + " -d " + host(sp.clusterIP()) + " --dport " + sp.port()
        + " -j REJECT");
    for (String ip : sp.externalIPs()) {
      filter.add("-A " + ChainNames.EXTERNAL_SERVICES + c + proto + " -d " + host(ip) + " --dport " + sp.port()
          + " -j REJECT");
    }
    if (sp.nodePort() > 0) {
      filter.add("-A " + ChainNames.EXTERNAL_SERVICES + c + " -m addrtype --dst-type LOCAL" + proto + " --dport "
          + sp.nodePort() + " -j REJECT");
    }
  }

  private void withEndpoints(ServicePort sp, List<String> natChains, List<String> nat) {
    String svc = ChainNames.service(sp);
    String ext = ChainNames.external(sp);
    String proto = " -p " + sp.iptablesProtocol() + " -m " + sp.iptablesProtocol();
    boolean external = sp.nodePort() > 0 || !sp.externalIPs().isEmpty();
    natChains.add(svc);
    if (external) natChains.add(ext);

    String clusterComment = comment(sp.displayName() + " cluster IP");
    nat.add("-A " + ChainNames.SERVICES + clusterComment + proto + " -d " + host(sp.clusterIP()) + " --dport "
        + sp.port() + " -j " + svc);
    for (String ip : sp.externalIPs()) {
      nat.add("-A " + ChainNames.SERVICES + comment(sp.displayName() + " external IP") + proto + " -d " + host(ip)
          + " --dport " + sp.port() + " -j " + ext);
    }
    if (sp.nodePort() > 0) {
      nat.add("-A " + ChainNames.NODE_PORTS + comment(sp.displayName()) + proto + " --dport " + sp.nodePort() + " -j "
          + ext);
    }
    if (external) {
      // external traffic (policy Cluster) may be forwarded to another node's pod: masquerade so replies return here
      nat.add("-A " + ext + comment("masquerade traffic for " + sp.displayName() + " external destinations")
          + " -j " + ChainNames.MARK_MASQ);
      nat.add("-A " + ext + " -j " + svc);
    }

    if (clusterCidr != null) {
      nat.add("-A " + svc + clusterComment + " ! -s " + clusterCidr + proto + " -d " + host(sp.clusterIP())
          + " --dport " + sp.port() + " -j " + ChainNames.MARK_MASQ);
    }
    List<ServicePort.Endpoint> eps = sp.endpoints();
    if (sp.affinitySeconds() > 0) {
      // a client seen recently goes back to the endpoint it used, before any random choice
      for (ServicePort.Endpoint ep : eps) {
        String sep = ChainNames.endpoint(sp, ep);
        nat.add("-A " + svc + comment(sp.displayName() + " -> " + ep) + " -m recent --name " + sep
            + " --mask 255.255.255.255 --rsource --rcheck --seconds " + sp.affinitySeconds() + " --reap -j " + sep);
      }
    }
    for (int i = 0; i < eps.size(); i++) {
      ServicePort.Endpoint ep = eps.get(i);
      String sep = ChainNames.endpoint(sp, ep);
      int left = eps.size() - i;
      // 1/n, 1/(n-1), ... 1: each endpoint equally likely overall; the last one takes whatever remains
      String pick = left > 1
          ? " -m statistic --mode random --probability " + String.format(Locale.ROOT, "%.10f", 1.0 / left) : "";
      nat.add("-A " + svc + comment(sp.displayName() + " -> " + ep) + pick + " -j " + sep);
    }
    for (ServicePort.Endpoint ep : eps) {
      String sep = ChainNames.endpoint(sp, ep);
      natChains.add(sep);
      String c = comment(sp.displayName());
      // a pod reaching itself through the service must be masqueraded or its reply would bypass the DNAT
      nat.add("-A " + sep + c + " -s " + host(ep.ip()) + " -j " + ChainNames.MARK_MASQ);
      String affinity = sp.affinitySeconds() > 0 ? " -m recent --name " + sep + " --mask 255.255.255.255 --rsource --set" : "";
      nat.add("-A " + sep + c + affinity + proto + " -j DNAT --to-destination " + ep);
    }
  }

  private static String host(String ip) {
    return ip.contains(":") ? ip + "/128" : ip + "/32";
  }

  private static String comment(String text) {
    return " -m comment --comment \"" + text.replace("\"", "") + "\"";
  }
}
