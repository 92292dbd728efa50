package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The node's heartbeat: its Lease in kube-node-lease, owned by the Node, renewed every 10 s (upstream's
 * 25% of the 40 s lease duration). Like the kubelet it updates the lease it last wrote and reads it again only when
 * that update fails.
 */
final class NodeLease {
  static final String NAMESPACE = "kube-node-lease";

  private final KubernetesClient client;
  private final String nodeName;
  private final int durationSeconds;
  private Lease last;

  NodeLease(KubernetesClient client, String nodeName, int durationSeconds) {
    this.client = client;
    this.nodeName = nodeName;
    this.durationSeconds = durationSeconds;
  }

  synchronized void renew() {
    ZonedDateTime now = ZonedDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    var leases = client.resources(Lease.class).inNamespace(NAMESPACE);
    if (last != null) {
      last.getSpec().setRenewTime(now);
      try {
        last = leases.resource(last).update();
        return;
      } catch (KubernetesClientException e) {
        last = null;
      }
    }
    Lease current = leases.withName(nodeName).get();
    if (current == null) {
      LeaseBuilder b = new LeaseBuilder().withNewMetadata().withName(nodeName).withNamespace(NAMESPACE).endMetadata()
          .withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(durationSeconds).withRenewTime(now).endSpec();
      Node node = client.nodes().withName(nodeName).get();
      if (node != null) {
        b.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
            .withName(nodeName).withUid(node.getMetadata().getUid()).build()).endMetadata();
      }
      last = leases.resource(b.build()).create();
      return;
    }
    current.getSpec().setRenewTime(now);
    current.getSpec().setHolderIdentity(nodeName);
    current.getSpec().setLeaseDurationSeconds(durationSeconds);
    last = leases.resource(current).update();
  }
}
