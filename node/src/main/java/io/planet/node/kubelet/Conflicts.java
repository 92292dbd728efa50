package io.planet.node.kubelet;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/** Read-modify-write against objects others change too (controllers patch Nodes and Pods): retried on 409. */
final class Conflicts {
  private static final int ATTEMPTS = 5;

  private Conflicts() {}

  static <T> T retry(Supplier<T> write) {
    for (int i = 1; ; i++) {
      try {
        return write.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || i == ATTEMPTS) throw e;
      }
    }
  }
}
