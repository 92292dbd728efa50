package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Upstream's node IPAM controller with the range allocator: every Node gets a pod CIDR of {@code nodeCidrMaskSize}
 * bits carved from the cluster CIDR, never one another node holds. The set of used CIDRs lives only in the Nodes:
 * the informer's initial list marks them before any allocation, so a restarted controller hands out no duplicate.
 */
public final class NodeIpamController extends Controller {
  public static final String DEFAULT_CLUSTER_CIDR = "10.244.0.0/16";
  public static final int DEFAULT_NODE_CIDR_MASK_SIZE = 24;

  private final KubernetesClient client;
  private final int base;
  private final int clusterPrefix;
  private final int maskSize;
  private final int subnets;
  /** subnet index -> node holding it (allocated by us and not yet seen, or seen on a Node). */
  private final Map<Integer, String> used = new HashMap<>();
  private int nextCandidate;
  private SharedIndexInformer<Node> nodes;

  /** Upstream's defaults for a kind-like cluster: --cluster-cidr 10.244.0.0/16, --node-cidr-mask-size 24. */
  public static NodeIpamController withDefaults(KubernetesClient client) {
    return new NodeIpamController(client, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE);
  }

  public NodeIpamController(KubernetesClient client, String clusterCidr, int nodeCidrMaskSize) {
    super("nodeipam", 1);
    this.client = client;
    int slash = clusterCidr.indexOf('/');
    if (slash < 0 || clusterCidr.contains(":")) {
      throw new IllegalArgumentException("cluster CIDR must be an IPv4 CIDR: " + clusterCidr);
    }
    this.clusterPrefix = Integer.parseInt(clusterCidr.substring(slash + 1));
    if (nodeCidrMaskSize < clusterPrefix || nodeCidrMaskSize > 32 || nodeCidrMaskSize - clusterPrefix > 24) {
      throw new IllegalArgumentException("node CIDR mask size " + nodeCidrMaskSize + " does not fit " + clusterCidr);
    }
    this.maskSize = nodeCidrMaskSize;
    this.base = parse(clusterCidr.substring(0, slash)) & mask(clusterPrefix);
    this.subnets = 1 << (nodeCidrMaskSize - clusterPrefix);
  }

  @Override
  protected void register(Informers informers) {
    nodes = informers.informer(Node.class);
    nodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        occupy(n);
        enqueue(n.getMetadata().getName());
      }

      @Override
      public void onUpdate(Node o, Node n) {
        occupy(n);
        if (n.getSpec() == null || n.getSpec().getPodCIDR() == null) enqueue(n.getMetadata().getName());
      }

      @Override
      public void onDelete(Node n, boolean unknown) {
        enqueue(n.getMetadata().getName());
      }
    });
  }

  /** Marks a Node's CIDR used; called from the informer, so all existing Nodes count before workers start. */
  private synchronized void occupy(Node n) {
    Integer i = index(n);
    if (i != null) used.put(i, n.getMetadata().getName());
  }

  @Override
  protected void reconcile(String name) throws Requeue {
    Node node = nodes.getStore().getByKey(name);
    if (node == null) {
      if (release(name)) enqueueWaiting();
      return;
    }
    if (node.getSpec() != null && node.getSpec().getPodCIDR() != null && !node.getSpec().getPodCIDR().isEmpty()) {
      if (index(node) == null) log.warn("node {} has pod CIDR {} outside the cluster CIDR", name, node.getSpec().getPodCIDR());
      return;
    }
    Integer i = allocate(name);
    if (i == null) {
      log.warn("node {}: no pod CIDR is available in the cluster CIDR (CIDRNotAvailable)", name);
      throw new Requeue(Duration.ofSeconds(30));
    }
    String cidr = format(base + (i << (32 - maskSize))) + "/" + maskSize;
    String patch = "{\"spec\":{\"podCIDR\":\"" + cidr + "\",\"podCIDRs\":[\"" + cidr + "\"]}}";
    try {
      client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      log.info("node {} got pod CIDR {}", name, cidr);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        release(name);
        return;
      }
      throw e;
    }
  }

  /** The subnet this node already holds, or the next free one after the last handed out (as upstream's cidrset). */
  private synchronized Integer allocate(String name) {
    for (Map.Entry<Integer, String> e : used.entrySet()) {
      if (e.getValue().equals(name)) return e.getKey();
    }
    for (int k = 0; k < subnets; k++) {
      int i = (nextCandidate + k) % subnets;
      if (!used.containsKey(i)) {
        used.put(i, name);
        nextCandidate = (i + 1) % subnets;
        return i;
      }
    }
    return null;
  }

  private synchronized boolean release(String name) {
    boolean released = used.values().removeIf(name::equals);
    if (released) log.info("released the pod CIDR of deleted node {}", name);
    return released;
  }

  /** A subnet came free: nodes that found the range exhausted need not wait for their retry. */
  private void enqueueWaiting() {
    for (Node n : nodes.getStore().list()) {
      if (n.getSpec() == null || n.getSpec().getPodCIDR() == null) enqueue(n.getMetadata().getName());
    }
  }

  /** Index of the node's pod CIDR within the cluster CIDR, or null if it has none or it lies outside. */
  private Integer index(Node n) {
    String cidr = n.getSpec() == null ? null : n.getSpec().getPodCIDR();
    if (cidr == null || !cidr.contains("/") || cidr.contains(":")) return null;
    int slash = cidr.indexOf('/');
    if (Integer.parseInt(cidr.substring(slash + 1)) != maskSize) return null;
    int addr = parse(cidr.substring(0, slash));
    if ((addr & mask(clusterPrefix)) != base) return null;
    return (addr - base) >>> (32 - maskSize);
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  private static int parse(String ip) {
    String[] p = ip.split("\\.");
    if (p.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + ip);
    int v = 0;
    for (String s : p) v = v << 8 | Integer.parseInt(s);
    return v;
  }

  private static String format(int v) {
    return (v >>> 24) + "." + (v >>> 16 & 255) + "." + (v >>> 8 & 255) + "." + (v & 255);
  }
}
