package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.controllers.runtime.Controller;
import io.planet.controllers.runtime.Informers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's taint-eviction controller: pods on a node with NoExecute taints are deleted once they stop tolerating
 * them: at once for a taint they do not tolerate, after tolerationSeconds (counted from the taint's timeAdded) for
 * one they tolerate for a while, never for one they tolerate without limit. (The API server's DefaultTolerationSeconds
 * admission gives every new pod 300 s for the not-ready and unreachable taints.)
 */
public final class TaintEvictionController extends Controller {
  private final KubernetesClient client;
  private SharedIndexInformer<Node> nodes;
  private SharedIndexInformer<Pod> pods;
  /** Pods whose deletion is scheduled for later, so that lifting it can be told (upstream's cancellation event). */
  private final Set<String> scheduled = ConcurrentHashMap.newKeySet();

  public TaintEvictionController(KubernetesClient client) {
    super("taint-eviction", 2);
    this.client = client;
  }

  @Override
  protected void register(Informers informers) {
    nodes = informers.informer(Node.class);
    pods = informers.informer(Pod.class);
    nodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        if (hasNoExecute(n)) enqueuePodsOn(n.getMetadata().getName());
      }

      @Override
      public void onUpdate(Node old, Node n) {
        if (!NodeTaints.of(old).equals(NodeTaints.of(n))) enqueuePodsOn(n.getMetadata().getName());
      }

      @Override
      public void onDelete(Node n, boolean unknown) {}
    });
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod p) {
        enqueue(key(p));
      }

      @Override
      public void onUpdate(Pod old, Pod p) {
        // binding and toleration changes matter; status churn does not
        if (!Objects.equals(old.getSpec(), p.getSpec())) enqueue(key(p));
      }

      @Override
      public void onDelete(Pod p, boolean unknown) {}
    });
  }

  private static boolean hasNoExecute(Node n) {
    return NodeTaints.of(n).stream().anyMatch(t -> "NoExecute".equals(t.getEffect()));
  }

  private void enqueuePodsOn(String node) {
    for (Pod p : pods.getStore().list()) {
      if (p.getSpec() != null && node.equals(p.getSpec().getNodeName())) enqueue(key(p));
    }
  }

  @Override
  protected void reconcile(String key) throws Requeue {
    Pod pod = pods.getStore().getByKey(key);
    if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec().getNodeName() == null) {
      scheduled.remove(key);
      return;
    }
    Node node = nodes.getStore().getByKey(pod.getSpec().getNodeName());
    if (node == null) {
      scheduled.remove(key);
      return;
    }
    Instant now = Instant.now();
    Instant evictAt = null;
    for (Taint taint : NodeTaints.of(node)) {
      if (!"NoExecute".equals(taint.getEffect())) continue;
      Duration tolerated = toleratedFor(pod, taint);
      if (tolerated == null) continue; // forever
      Instant added = taint.getTimeAdded() == null ? now : Instant.parse(taint.getTimeAdded());
      Instant at = added.plus(tolerated);
      if (evictAt == null || at.isBefore(evictAt)) evictAt = at;
    }
    if (evictAt == null) {
      if (scheduled.remove(key)) {
        events().normal(pod, "TaintManagerEviction", "Cancelling deletion of Pod %s", key);
      }
      return;
    }
    if (evictAt.isAfter(now)) {
      scheduled.add(key);
      throw new Requeue(Duration.between(now, evictAt).plusMillis(100));
    }
    scheduled.remove(key);
    evict(pod);
  }

  /**
   * How long the pod tolerates the taint: zero when no toleration matches, null when the matching ones have no
   * limit, else the shortest limit among them (upstream's getMinTolerationTime).
   */
  private Duration toleratedFor(Pod pod, Taint taint) {
    List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    Duration shortest = null;
    boolean matched = false;
    for (Toleration t : tolerations) {
      if (!NodeTaints.tolerates(t, taint)) continue;
      matched = true;
      if (t.getTolerationSeconds() == null) continue;
      Duration d = Duration.ofSeconds(Math.max(0, t.getTolerationSeconds()));
      if (shortest == null || d.compareTo(shortest) < 0) shortest = d;
    }
    return matched ? shortest : Duration.ZERO;
  }

  /** As upstream: say why in a DisruptionTarget condition, then delete (gracefully). */
  private void evict(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    log.info("deleting pod {}/{} from node {}: NoExecute taint", ns, name, pod.getSpec().getNodeName());
    events().normal(pod, "TaintManagerEviction", "Marking for deletion Pod %s/%s", ns, name);
    try {
      client.pods().inNamespace(ns).withName(name).editStatus(p -> {
        List<PodCondition> conditions = p.getStatus().getConditions() == null ? new ArrayList<>()
            : new ArrayList<>(p.getStatus().getConditions());
        conditions.removeIf(c -> "DisruptionTarget".equals(c.getType()));
        conditions.add(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
            .withReason("DeletionByTaintManager").withMessage("Taint manager: deleting due to NoExecute taint")
            .withLastTransitionTime(NodeLifecycleController.timestamp(Instant.now())).build());
        p.getStatus().setConditions(conditions);
        return p;
      });
      client.pods().inNamespace(ns).withName(name).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }
}
