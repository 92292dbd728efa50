package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Set;

/**
 * The runtime handlers this node has (upstream's RuntimeClass manager plus the CRI's configured runtimes): a pod
 * naming a RuntimeClass runs only if the class exists and its handler is one of them; otherwise its sandbox is not
 * created, with the texts upstream's kubelet and containerd give.
 */
final class RuntimeHandlers {
  /** runc is the only runtime; "runc" is also what containerd calls its default handler. */
  static final Set<String> HANDLERS = Set.of("runc");

  private RuntimeHandlers() {}

  /** Throws when the pod's RuntimeClass is missing or names a handler this node does not have. */
  static void require(KubernetesClient client, Pod pod) throws IOException {
    String name = pod.getSpec().getRuntimeClassName();
    if (name == null || name.isEmpty()) return;
    RuntimeClass rc;
    try {
      rc = client.resources(RuntimeClass.class).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new IOException("failed to get RuntimeClass \"" + name + "\": " + e.getMessage(), e);
    }
    if (rc == null) throw new IOException("RuntimeClass \"" + name + "\" not found");
    if (!HANDLERS.contains(rc.getHandler())) {
      throw new IOException("rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \""
          + rc.getHandler() + "\" is configured");
    }
  }
}
