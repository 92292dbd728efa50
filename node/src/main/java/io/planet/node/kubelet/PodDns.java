package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.planet.node.dns.ResolvConf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pod's /etc/resolv.conf from its dnsPolicy and dnsConfig, as the upstream kubelet: ClusterFirst points at the
 * cluster DNS with the namespace's search path and ndots:5, Default copies the host's, None starts empty, and
 * dnsConfig is merged into all of them.
 */
final class PodDns {
  /** Upstream's limits on what a resolver reads. */
  static final int MAX_NAMESERVERS = 3;
  static final int MAX_SEARCHES = 32;

  private PodDns() {}

  /** {@code clusterDns} empty: ClusterFirst falls back to the host's configuration, as upstream without --cluster-dns. */
  static ResolvConf resolvConf(Pod pod, List<String> clusterDns, String clusterDomain, ResolvConf host) {
    String policy = pod.getSpec().getDnsPolicy() == null ? "ClusterFirst" : pod.getSpec().getDnsPolicy();
    boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    boolean cluster = policy.equals("ClusterFirstWithHostNet") || (policy.equals("ClusterFirst") && !hostNetwork);
    List<String> nameservers = new ArrayList<>();
    List<String> searches = new ArrayList<>();
    List<String> options = new ArrayList<>();
    if (policy.equals("None")) {
      // only what dnsConfig says
    } else if (cluster && !clusterDns.isEmpty()) {
      nameservers.addAll(clusterDns);
      if (clusterDomain != null && !clusterDomain.isEmpty()) {
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        searches.addAll(List.of(ns + ".svc." + clusterDomain, "svc." + clusterDomain, clusterDomain));
      }
      searches.addAll(host.searches());
      options.add("ndots:5");
    } else {
      nameservers.addAll(host.nameservers());
      searches.addAll(host.searches());
      options.addAll(host.options());
    }
    PodDNSConfig config = pod.getSpec().getDnsConfig();
    if (config != null) {
      if (config.getNameservers() != null) nameservers.addAll(config.getNameservers());
      if (config.getSearches() != null) searches.addAll(config.getSearches());
      options = mergeOptions(options, config.getOptions());
    }
    List<String> servers = new ArrayList<>(new LinkedHashSet<>(nameservers));
    List<String> domains = new ArrayList<>(new LinkedHashSet<>(searches));
    return new ResolvConf(servers.subList(0, Math.min(servers.size(), MAX_NAMESERVERS)),
        domains.subList(0, Math.min(domains.size(), MAX_SEARCHES)), options);
  }

  /** Options by name; dnsConfig's win over the policy's, keeping first-seen order. */
  private static List<String> mergeOptions(List<String> base, List<PodDNSConfigOption> extra) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String o : base) {
      String[] kv = o.split(":", 2);
      byName.put(kv[0], kv.length > 1 ? kv[1] : null);
    }
    if (extra != null) {
      for (PodDNSConfigOption o : extra) {
        if (o.getName() != null) byName.put(o.getName(), o.getValue());
      }
    }
    List<String> out = new ArrayList<>();
    byName.forEach((k, v) -> out.add(v == null || v.isEmpty() ? k : k + ":" + v));
    return out;
  }
}
