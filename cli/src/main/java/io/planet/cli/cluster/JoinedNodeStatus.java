package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.bootstrap.NodeCredentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code planet status} on a joined node: the master's API server, this node as the cluster sees it, the kubelet. */
final class JoinedNodeStatus {
  private JoinedNodeStatus() {}

  static List<StatusCommand.Check> checks(ClusterConfig config, ArrayNode nodes) throws IOException {
    List<StatusCommand.Check> checks = new ArrayList<>();
    JoinOptions join = JoinOptions.load(config.runDir());
    String server = join == null ? "unknown" : join.server();
    String readyz = join == null ? null : Health.get(server + "/readyz");
    checks.add(new StatusCommand.Check("apiserver", readyz != null ? "ok" : "failed",
        (readyz != null ? "readyz ok on " : "readyz failing on ") + server + " (the master)"));
    boolean ready = false;
    String runtime = "";
    if (readyz != null) {
      try (KubernetesClient c = SingleNodeCluster.client(NodeCredentials.in(config.dataDir()).kubeconfig())) {
        Node n = c.nodes().withName(config.nodeName()).get();
        if (n != null) {
          ObjectNode o = nodes.addObject();
          o.put("name", n.getMetadata().getName());
          ArrayNode roles = o.putArray("roles");
          n.getMetadata().getLabels().keySet().stream().filter(l -> l.startsWith("node-role.kubernetes.io/"))
              .map(l -> l.substring("node-role.kubernetes.io/".length())).map(r -> r.equals("control-plane") ? "master" : r)
              .sorted().forEach(roles::add);
          for (NodeCondition cond : n.getStatus().getConditions()) {
            if (cond.getType().equals("Ready")) ready = cond.getStatus().equals("True");
          }
          o.put("ready", ready);
          var info = n.getStatus().getNodeInfo();
          o.put("version", info == null ? "" : info.getKubeletVersion());
          runtime = info == null ? "" : info.getContainerRuntimeVersion();
          o.put("runtime", runtime);
        }
      } catch (RuntimeException e) {
        checks.add(new StatusCommand.Check("node", "failed", "cannot read node " + config.nodeName() + ": " + e.getMessage()));
      }
    }
    boolean listening = JoinedNode.listening(config.advertiseAddress(), config.ports().kubelet());
    checks.add(new StatusCommand.Check("kubelet", ready && listening ? "ok" : "failed", "node " + (ready ? "Ready" : "NotReady")
        + ", port " + config.ports().kubelet() + (listening ? " serving" : " not serving")
        + (runtime.isEmpty() ? "" : ", runtime " + runtime)));
    checks.addAll(StatusCommand.supervision(config));
    checks.add(StatusCommand.disk(config.dataDir()));
    checks.add(StatusCommand.sysctl("ip_forward", "/proc/sys/net/ipv4/ip_forward", "sysctl -w net.ipv4.ip_forward=1"));
    return checks;
  }
}
