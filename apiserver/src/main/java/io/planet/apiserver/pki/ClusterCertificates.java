package io.planet.apiserver.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every leaf certificate a cluster needs, named as kubeadm names their users: the API server's serving certificate,
 * its kubelet client, the admin, the control-plane components, kube-proxy, and per node the kubelet's serving and
 * client certificates.
 *
 * @param nodes the nodes whose names and addresses the API server (and each kubelet) serves under
 * @param serviceCidr the service range; its first IP is the kubernetes Service's, which in-cluster clients dial
 * @param clusterDomain the cluster DNS domain (cluster.local)
 */
public record ClusterCertificates(List<Node> nodes, String serviceCidr, String clusterDomain) {
  public static final String ADMIN = "admin";
  public static final String API_SERVER = "apiserver";
  public static final String API_SERVER_KUBELET_CLIENT = "apiserver-kubelet-client";
  public static final String CONTROLLER_MANAGER = "kube-controller-manager";
  public static final String SCHEDULER = "kube-scheduler";
  public static final String PROXY = "kube-proxy";
  public static final String MASTERS = "system:masters";
  public static final String NODES = "system:nodes";

  /** A node: its name and the addresses it is reached on. */
  public record Node(String name, List<String> addresses) {
    public Node {
      addresses = List.copyOf(addresses);
    }
  }

  public ClusterCertificates {
    nodes = List.copyOf(nodes);
  }

  public List<CertSpec> specs() {
    List<CertSpec> out = new ArrayList<>();
    out.add(apiServer());
    out.add(CertSpec.client(API_SERVER_KUBELET_CLIENT, "kube-apiserver-kubelet-client", List.of(MASTERS)));
    out.add(CertSpec.client(ADMIN, "kubernetes-admin", List.of(MASTERS)));
    out.add(CertSpec.client(CONTROLLER_MANAGER, "system:kube-controller-manager", List.of()));
    out.add(CertSpec.client(SCHEDULER, "system:kube-scheduler", List.of()));
    out.add(CertSpec.client(PROXY, "system:kube-proxy", List.of()));
    for (Node n : nodes) {
      out.add(CertSpec.server(kubeletServing(n.name()), "system:node:" + n.name(), List.of(NODES),
          List.of(n.name()), n.addresses()));
      out.add(CertSpec.client(kubeletClient(n.name()), "system:node:" + n.name(), List.of(NODES)));
    }
    return out;
  }

  public static String kubeletServing(String node) {
    return "kubelet-" + node;
  }

  public static String kubeletClient(String node) {
    return "kubelet-" + node + "-client";
  }

  private CertSpec apiServer() {
    Set<String> dns = new LinkedHashSet<>();
    Set<String> ips = new LinkedHashSet<>();
    for (Node n : nodes) {
      dns.add(n.name());
      ips.addAll(n.addresses());
    }
    dns.add("localhost");
    dns.add("kubernetes");
    dns.add("kubernetes.default");
    dns.add("kubernetes.default.svc");
    dns.add("kubernetes.default.svc." + clusterDomain);
    ips.add("127.0.0.1");
    ips.add(firstServiceIp(serviceCidr));
    ips.remove("0.0.0.0");
    return CertSpec.server(API_SERVER, "kube-apiserver", List.of(), List.copyOf(dns), List.copyOf(ips));
  }

  /** The first address of the range (network address + 1), the kubernetes Service's cluster IP. */
  public static String firstServiceIp(String cidr) {
    String[] c = cidr.split("/");
    try {
      byte[] b = InetAddress.getByName(c[0]).getAddress();
      int prefix = Integer.parseInt(c[1]);
      for (int i = 0; i < b.length; i++) {
        int bits = Math.max(0, Math.min(8, prefix - 8 * i));
        b[i] &= (byte) (0xff << (8 - bits));
      }
      for (int i = b.length - 1; i >= 0; i--) {
        if (++b[i] != 0) break;
      }
      return InetAddress.getByAddress(b).getHostAddress();
    } catch (UnknownHostException | RuntimeException e) {
      throw new IllegalArgumentException("invalid service CIDR " + cidr);
    }
  }
}
