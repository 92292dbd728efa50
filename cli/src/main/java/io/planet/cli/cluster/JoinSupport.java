package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a master does so that other machines can {@code planet join} it (kubeadm init's bootstrap-token phase):
 * publishes kube-public/cluster-info (a kubeconfig with the API server's URL and the CA, no credentials; the
 * bootstrap signer adds the {@code jws-kubeconfig-<token-id>} signatures), lets nodes run the service proxy with their
 * own credentials (kubeadm gives kube-proxy a service account bound to system:node-proxier instead), and labels each
 * joined node {@code node-role.kubernetes.io/node} (a kubelet may not set node-role labels itself: NodeRestriction).
 */
final class JoinSupport implements AutoCloseable {
  static final String NODE_PROXIER_BINDING = "planet:node-proxier";

  private final KubernetesClient admin;
  private final String server;
  private final Path caFile;
  private final String masterNode;
  private SharedIndexInformer<Node> nodes;

  JoinSupport(KubernetesClient admin, String server, Path caFile, String masterNode) {
    this.admin = admin;
    this.server = server;
    this.caFile = caFile;
    this.masterNode = masterNode;
  }

  /** Supervised as a component of the master: healthy while its node informer runs. */
  static Supervised<JoinSupport> supervised(KubernetesClient admin, String server, Path caFile, String masterNode) {
    return new Supervised<>("join-support", () -> new JoinSupport(admin, server, caFile, masterNode).start(),
        JoinSupport::running);
  }

  JoinSupport start() throws IOException {
    publishClusterInfo();
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
        .withName(NODE_PROXIER_BINDING).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("system:node-proxier")
        .endRoleRef()
        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group").withName("system:nodes").endSubject()
        .build()).createOr(b -> b.update());
    nodes = admin.nodes().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        label(n);
      }

      @Override
      public void onUpdate(Node before, Node after) {
        label(after);
      }

      @Override
      public void onDelete(Node n, boolean unknown) {}
    }, 60_000);
    return this;
  }

  boolean running() {
    return nodes != null && nodes.isRunning();
  }

  /** The cluster-info kubeconfig: data.kubeconfig is set, the bootstrap signer's jws-kubeconfig-* keys are kept. */
  void publishClusterInfo() throws IOException {
    String kubeconfig = clusterInfoKubeconfig(server, Files.readAllBytes(caFile));
    ConfigMap existing = admin.configMaps().inNamespace("kube-public").withName("cluster-info").get();
    if (existing == null) {
      admin.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder().withNewMetadata().withName("cluster-info")
          .withNamespace("kube-public").endMetadata().addToData("kubeconfig", kubeconfig).build()).create();
    } else if (existing.getData() == null || !kubeconfig.equals(existing.getData().get("kubeconfig"))) {
      // a merge patch without resourceVersion: the bootstrap signer adds its signatures to the same ConfigMap
      ObjectNode patch = Json.MAPPER.createObjectNode();
      patch.putObject("data").put("kubeconfig", kubeconfig);
      admin.configMaps().inNamespace("kube-public").withName("cluster-info")
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }
  }

  /** kubeadm's cluster-info kubeconfig: one cluster with the server and CA, an empty user and context list. */
  static String clusterInfoKubeconfig(String server, byte[] caPem) throws IOException {
    ObjectNode kc = Json.object();
    kc.put("apiVersion", "v1");
    kc.put("kind", "Config");
    ObjectNode cluster = kc.putArray("clusters").addObject();
    cluster.put("name", "");
    cluster.putObject("cluster").put("certificate-authority-data", Base64.getEncoder().encodeToString(caPem))
        .put("server", server);
    kc.putArray("contexts");
    kc.put("current-context", "");
    kc.putObject("preferences");
    kc.putArray("users");
    return Json.YAML.writeValueAsString(kc);
  }

  private void label(Node n) {
    var labels = n.getMetadata().getLabels();
    String name = n.getMetadata().getName();
    if (name.equals(masterNode) || labels == null) return;
    if (labels.keySet().stream().anyMatch(l -> l.startsWith("node-role.kubernetes.io/"))) return;
    try {
      SingleNodeCluster.labelRoles(admin, name, List.of(SingleNodeCluster.NODE_LABEL));
    } catch (RuntimeException e) {
      // the next update of the node (its status, every few seconds) tries again
    }
  }

  @Override
  public void close() {
    if (nodes != null) nodes.close();
  }
}
