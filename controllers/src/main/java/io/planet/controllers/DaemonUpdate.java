package io.planet.controllers;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a DaemonSet's RollingUpdate replaces pods (upstream's daemon rollingUpdate): without surge, old pods are deleted
 * while at most maxUnavailable nodes lack an available pod; with maxSurge, a new pod starts next to the old one and
 * the old one goes once the new one is available, on at most maxSurge nodes at a time.
 */
final class DaemonUpdate {
  /** Pods to delete and nodes to start a new pod on. */
  record Plan(List<Pod> delete, List<String> create) {}

  private DaemonUpdate() {}

  static boolean updated(Pod p, String hash) {
    return p.getMetadata().getLabels() != null && hash.equals(p.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL));
  }

  private static RollingUpdateDaemonSet rolling(DaemonSet ds) {
    return ds.getSpec().getUpdateStrategy() == null ? null : ds.getSpec().getUpdateStrategy().getRollingUpdate();
  }

  /** maxSurge against the desired count, percentages rounded up; 0 when unset. */
  static int maxSurge(DaemonSet ds, int desired) {
    RollingUpdateDaemonSet r = rolling(ds);
    return scaled(r == null ? null : r.getMaxSurge(), desired, 0);
  }

  /** maxUnavailable against the desired count, percentages rounded up; 1 when unset, and at least 1. */
  static int maxUnavailable(DaemonSet ds, int desired) {
    RollingUpdateDaemonSet r = rolling(ds);
    return Math.max(scaled(r == null ? null : r.getMaxUnavailable(), desired, 1), 1);
  }

  private static int scaled(IntOrString v, int total, int unset) {
    if (v == null) return unset;
    if (v.getStrVal() == null) return v.getIntVal();
    String s = v.getStrVal();
    int pct = Integer.parseInt(s.endsWith("%") ? s.substring(0, s.length() - 1) : s);
    return (int) Math.ceil(pct * total / 100.0);
  }

  private static Comparator<Pod> oldestFirst() {
    return Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp()).thenComparing(p -> p.getMetadata().getName());
  }

  /**
   * The running pods on one node beyond what may stay (upstream's podsShouldBeOnNode). Without surge the oldest
   * stays. With surge the oldest new pod and the oldest old pod stay; the old one goes too once it is not ready or
   * the new one is available.
   */
  static List<Pod> surplus(List<Pod> running, String hash, int minReadySeconds, boolean surge) {
    List<Pod> sorted = new ArrayList<>(running);
    sorted.sort(oldestFirst());
    if (!surge) return sorted.subList(Math.min(1, sorted.size()), sorted.size());
    List<Pod> out = new ArrayList<>();
    Pod oldestNew = null;
    Pod oldestOld = null;
    for (Pod p : sorted) {
      if (updated(p, hash) && oldestNew == null) oldestNew = p;
      else if (!updated(p, hash) && oldestOld == null) oldestOld = p;
      else out.add(p);
    }
    if (oldestNew != null && oldestOld != null
        && (!PodStatus.ready(oldestOld) || PodStatus.available(oldestNew, minReadySeconds))) {
      out.add(oldestOld);
    }
    return out;
  }

  /** One rolling-update step over the nodes that should run the pod, with their live pods. */
  static Plan rollingUpdate(DaemonSet ds, String hash, Map<String, List<Pod>> byEligibleNode, int minReadySeconds) {
    TreeMap<String, List<Pod>> nodes = new TreeMap<>(byEligibleNode);
    int surge = maxSurge(ds, nodes.size());
    return surge > 0 ? withSurge(hash, nodes, minReadySeconds, surge)
        : withoutSurge(hash, nodes, minReadySeconds, maxUnavailable(ds, nodes.size()));
  }

  private static Plan withoutSurge(String hash, TreeMap<String, List<Pod>> nodes, int minReady, int maxUnavailable) {
    int unavailable = 0;
    List<Pod> replaceNow = new ArrayList<>();
    List<Pod> candidates = new ArrayList<>();
    for (List<Pod> here : nodes.values()) {
      if (here.size() != 1) {
        unavailable++; // none yet, or being replaced: manage creates or deletes
        continue;
      }
      Pod p = here.get(0);
      if (updated(p, hash)) {
        if (!PodStatus.available(p, minReady)) unavailable++;
      } else if (!PodStatus.available(p, minReady)) {
        replaceNow.add(p); // an old pod that is not serving anyway
      } else {
        candidates.add(p);
      }
    }
    int budget = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.size()));
    List<Pod> victims = new ArrayList<>(replaceNow);
    victims.addAll(candidates.subList(0, budget));
    return new Plan(victims, List.of());
  }

  private static Plan withSurge(String hash, TreeMap<String, List<Pod>> nodes, int minReady, int maxSurge) {
    int surging = 0;
    List<Pod> delete = new ArrayList<>();
    List<String> createNow = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    for (Map.Entry<String, List<Pod>> e : nodes.entrySet()) {
      Pod newPod = e.getValue().stream().filter(p -> updated(p, hash)).min(oldestFirst()).orElse(null);
      Pod oldPod = e.getValue().stream().filter(p -> !updated(p, hash)).min(oldestFirst()).orElse(null);
      if (e.getValue().isEmpty()) {
        surging++; // manage creates the first pod
      } else if (oldPod == null) {
        continue; // updated
      } else if (newPod == null) {
        // an old pod that does not serve anyway gets its replacement at once, beyond the surge budget
        if (!PodStatus.available(oldPod, minReady)) createNow.add(e.getKey());
        else candidates.add(e.getKey());
      } else {
        // both: the old one goes once the new one serves
        if (PodStatus.available(newPod, minReady)) delete.add(oldPod);
        surging++;
      }
    }
    int budget = Math.max(0, Math.min(maxSurge - surging, candidates.size()));
    List<String> create = new ArrayList<>(createNow);
    create.addAll(candidates.subList(0, budget));
    return new Plan(delete, create);
  }
}
