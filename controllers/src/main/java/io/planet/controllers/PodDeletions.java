package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Deletes a controller's pods as upstream's controllers do: the deletions are expected first (so the next sync waits
 * for the informer to see them), a pod already gone counts as deleted, and the first other failure is rethrown
 * after every pod was tried. The callers say what each outcome means to them (their events).
 */
final class PodDeletions {
  private PodDeletions() {}

  static void delete(KubernetesClient client, Expectations expectations, String key, List<Pod> victims,
      Consumer<Pod> deleted, BiConsumer<Pod, KubernetesClientException> failed) {
    if (victims.isEmpty()) return;
    Set<String> uids = new HashSet<>();
    victims.forEach(p -> uids.add(p.getMetadata().getUid()));
    expectations.expectDeletions(key, uids);
    KubernetesClientException failure = null;
    for (Pod p : victims) {
      try {
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
        deleted.accept(p);
      } catch (KubernetesClientException e) {
        expectations.deletionObserved(key, p.getMetadata().getUid());
        if (e.getCode() != 404) {
          failure = e;
          failed.accept(p, e);
        }
      }
    }
    if (failure != null) throw failure;
  }
}
