package io.planet.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.registry.Store;

/**
 * {@code pods/portforward}: the client's upgrade (WebSocket with {@code SPDY/3.1+portforward.k8s.io} from kubectl ≥ 1.31
 * or {@code v4.channel.k8s.io} with {@code ?ports=} from fabric8; POST with {@code Upgrade: SPDY/3.1} from older
 * kubectl) handed to the kubelet of the pod's node at {@code /portForward/{namespace}/{pod}}, which speaks all three;
 * the connection is then relayed byte for byte.
 */
final class PodPortForward {
  private final Kubelets kubelets;

  PodPortForward(Kubelets kubelets) {
    this.kubelets = kubelets;
  }

  void serve(ApiRequest req, ObjectNode pod, Store nodes) {
    String name = pod.path("metadata").path("name").asText();
    String ns = pod.path("metadata").path("namespace").asText();
    if (req.header("Upgrade").isEmpty() || !req.header("Connection").toLowerCase().contains("upgrade")) {
      throw ApiException.badRequest("Upgrade request required");
    }
    String nodeName = pod.path("spec").path("nodeName").asText("");
    if (nodeName.isEmpty()) throw ApiException.badRequest("pod " + name + " does not have a host assigned");
    ObjectNode node = nodes.get("", nodeName);
    String query = req.uri().contains("?") ? req.uri().substring(req.uri().indexOf('?')) : "";
    KubeletUpgrade.relay(req, kubelets.netty(node), Kubelets.address(node), Kubelets.port(node),
        "/portForward/" + ns + "/" + name + query);
  }
}
