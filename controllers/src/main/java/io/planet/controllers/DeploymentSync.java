package io.planet.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.planet.client.events.EventRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One sync of one Deployment (upstream's syncDeployment and its rolling, recreate and scaling paths), working on the
 * ReplicaSets the Deployment owns. Every write replaces the object it wrote, so later writes carry a current
 * resourceVersion; a stale read ends in a conflict and the controller retries.
 */
final class DeploymentSync {
  private final KubernetesClient client;
  private final EventRecorder events;
  private final Function<ReplicaSet, List<Pod>> podsOf;
  private Deployment d;
  private final List<ReplicaSet> rsList;
  /** When to look again because of the progress deadline, or null. */
  Duration requeueAfter;

  DeploymentSync(KubernetesClient client, EventRecorder events, Deployment d, List<ReplicaSet> rsList,
      Function<ReplicaSet, List<Pod>> podsOf) {
    this.client = client;
    this.events = events;
    this.d = d;
    this.rsList = new ArrayList<>(rsList);
    this.podsOf = podsOf;
  }

  void run() {
    if (d.getMetadata().getDeletionTimestamp() != null) {
      syncStatusOnly();
      return;
    }
    checkPausedConditions();
    if (Boolean.TRUE.equals(d.getSpec().getPaused()) || isScalingEvent()) {
      sync();
    } else if (Rollouts.rollingUpdate(d)) {
      rolloutRolling();
    } else {
      rolloutRecreate();
    }
  }

  // ---- revisions and the new ReplicaSet

  /** The new ReplicaSet (created when asked and missing) followed by the old ones; index 0 may be null. */
  private List<ReplicaSet> allReplicaSetsAndSyncRevision(boolean create) {
    ReplicaSet newRS = findNew();
    List<ReplicaSet> old = new ArrayList<>();
    for (ReplicaSet rs : rsList) if (newRS == null || !uid(rs).equals(uid(newRS))) old.add(rs);
    newRS = newReplicaSet(newRS, old, create);
    List<ReplicaSet> out = new ArrayList<>();
    out.add(newRS);
    out.addAll(old);
    return out;
  }

  /** The oldest ReplicaSet whose template is the Deployment's (upstream's FindNewReplicaSet). */
  private ReplicaSet findNew() {
    List<ReplicaSet> sorted = new ArrayList<>(rsList);
    sorted.sort(Rollouts.BY_CREATION);
    for (ReplicaSet rs : sorted) {
      if (PodTemplateHash.equalIgnoringHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate())) return rs;
    }
    return null;
  }

  private ReplicaSet newReplicaSet(ReplicaSet existing, List<ReplicaSet> old, boolean create) {
    long newRevision = old.stream().mapToLong(Rollouts::revision).max().orElse(0) + 1;
    if (existing != null) {
      ReplicaSet copy = Serialization.clone(existing);
      boolean annotationsChanged = Rollouts.setNewReplicaSetAnnotations(d, copy, newRevision, true);
      boolean minReadyChanged = !Objects.equals(minReadySeconds(copy.getSpec().getMinReadySeconds()), minReadySeconds(d.getSpec().getMinReadySeconds()));
      if (annotationsChanged || minReadyChanged) {
        copy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
        existing = replace(updateReplicaSet(copy));
      }
      setDeploymentRevision(Rollouts.annotation(existing, Rollouts.REVISION));
      if (hasProgressDeadline() && DeploymentConditions.get(d.getStatus(), DeploymentConditions.PROGRESSING) == null) {
        DeploymentStatus s = status();
        DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "True",
            DeploymentConditions.FOUND_NEW_RS, "Found new replica set \"" + name(existing) + "\""));
        writeStatus(s);
      }
      return existing;
    }
    if (!create) return null;

    Integer collisionCount = d.getStatus() == null ? null : d.getStatus().getCollisionCount();
    String hash = PodTemplateHash.compute(d.getSpec().getTemplate(), collisionCount);
    PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
    Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
    labels.put(PodTemplateHash.LABEL, hash);
    template.getMetadata().setLabels(labels);
    LabelSelector selector = Serialization.clone(d.getSpec().getSelector());
    Map<String, String> matchLabels = new HashMap<>(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
    matchLabels.put(PodTemplateHash.LABEL, hash);
    selector.setMatchLabels(matchLabels);
    ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata()
        .withName(d.getMetadata().getName() + "-" + hash).withNamespace(d.getMetadata().getNamespace())
        .withLabels(labels).withOwnerReferences(ownerRef()).endMetadata()
        .withNewSpec().withReplicas(0).withMinReadySeconds(d.getSpec().getMinReadySeconds())
        .withSelector(selector).withTemplate(template).endSpec().build();
    rs.getSpec().setReplicas(Rollouts.newReplicaSetReplicas(d, old, rs));
    Rollouts.setNewReplicaSetAnnotations(d, rs, newRevision, false);

    ReplicaSet created;
    boolean alreadyExisted = false;
    try {
      created = client.apps().replicaSets().inNamespace(namespace()).resource(rs).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        events.warning(d, "ReplicaSetCreateError", "Failed to create new replica set \"%s\": %s", name(rs),
            EventRecorder.errorMessage(e));
        throw e;
      }
      alreadyExisted = true;
      created = client.apps().replicaSets().inNamespace(namespace()).withName(name(rs)).get();
      OwnerReference ref = created == null ? null : ReplicaController.controllerRef(created);
      boolean ours = ref != null && ref.getUid().equals(uid(d))
          && PodTemplateHash.equalIgnoringHash(d.getSpec().getTemplate(), created.getSpec().getTemplate());
      if (!ours) {
        // a hash collision with a ReplicaSet that is not ours: the next hash includes a bumped counter
        DeploymentStatus s = status();
        s.setCollisionCount(collisionCount == null ? 1 : collisionCount + 1);
        writeStatus(s);
        throw e;
      }
    }
    rsList.add(created);
    if (!alreadyExisted && Rollouts.replicas(created) > 0) {
      events.normal(d, "ScalingReplicaSet", "Scaled up replica set %s to %d", name(created), Rollouts.replicas(created));
    }
    setDeploymentRevision(Long.toString(newRevision));
    if (!alreadyExisted && hasProgressDeadline()) {
      DeploymentStatus s = status();
      DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "True",
          DeploymentConditions.NEW_RS_CREATED, "Created new replica set \"" + name(created) + "\""));
      writeStatus(s);
    }
    return created;
  }

  private static int minReadySeconds(Integer i) {
    return i == null ? 0 : i;
  }

  private OwnerReference ownerRef() {
    return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment").withName(d.getMetadata().getName())
        .withUid(uid(d)).withController(true).withBlockOwnerDeletion(true).build();
  }

  /**
   * Records the new ReplicaSet's revision on the Deployment. Upstream writes it with the status (its status strategy
   * keeps annotations); our API server's /status keeps metadata as stored, so this is a patch of the Deployment.
   */
  private void setDeploymentRevision(String revision) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    if (revision == null || a != null && revision.equals(a.get(Rollouts.REVISION))) return;
    String patch = "{\"metadata\":{\"annotations\":{\"" + Rollouts.REVISION + "\":\"" + revision + "\"}}}";
    DeploymentStatus status = d.getStatus();
    d = client.apps().deployments().inNamespace(namespace()).withName(d.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    // keep what this sync computed so far; the status write that follows carries it
    d.setStatus(status);
  }

  // ---- paths

  private void syncStatusOnly() {
    List<ReplicaSet> all = allReplicaSetsAndSyncRevision(false);
    syncDeploymentStatus(all.get(0), all);
  }

  /** Scaling and status without a rollout: a paused Deployment, or a change of spec.replicas. */
  private void sync() {
    List<ReplicaSet> all = allReplicaSetsAndSyncRevision(false);
    ReplicaSet newRS = all.get(0);
    List<ReplicaSet> old = new ArrayList<>(all.subList(1, all.size()));
    scale(newRS, old);
    if (Boolean.TRUE.equals(d.getSpec().getPaused())) cleanup(old);
    newRS = current(newRS);
    syncDeploymentStatus(newRS, currentAll());
  }

  private void rolloutRolling() {
    List<ReplicaSet> all = allReplicaSetsAndSyncRevision(true);
    ReplicaSet newRS = all.get(0);
    if (reconcileNewReplicaSet(newRS)) {
      syncRolloutStatus(current(newRS), currentAll());
      return;
    }
    if (reconcileOldReplicaSets(newRS)) {
      syncRolloutStatus(current(newRS), currentAll());
      return;
    }
    if (completeByStatus()) cleanup(oldOf(newRS));
    syncRolloutStatus(current(newRS), currentAll());
  }

  private void rolloutRecreate() {
    List<ReplicaSet> all = allReplicaSetsAndSyncRevision(false);
    ReplicaSet newRS = all.get(0);
    boolean scaledDown = false;
    for (ReplicaSet rs : all.subList(1, all.size())) {
      if (Rollouts.replicas(rs) == 0) continue;
      if (scaleReplicaSet(rs, 0)) scaledDown = true;
    }
    if (scaledDown || oldPodsRunning(newRS)) {
      syncRolloutStatus(current(newRS), currentAll());
      return;
    }
    if (newRS == null) newRS = allReplicaSetsAndSyncRevision(true).get(0);
    scaleReplicaSet(newRS, Rollouts.replicas(d));
    newRS = current(newRS);
    if (completeByStatus()) cleanup(oldOf(newRS));
    syncRolloutStatus(newRS, currentAll());
  }

  /** Whether old pods still run: Recreate starts new pods only once they are all gone. */
  private boolean oldPodsRunning(ReplicaSet newRS) {
    List<ReplicaSet> old = oldOf(newRS);
    if (sumStatus(old) > 0) return true;
    for (ReplicaSet rs : old) {
      for (Pod p : podsOf.apply(rs)) {
        String phase = PodStatus.phase(p);
        if (!"Failed".equals(phase) && !"Succeeded".equals(phase)) return true;
      }
    }
    return false;
  }

  // ---- rolling update steps

  private boolean reconcileNewReplicaSet(ReplicaSet newRS) {
    int want = Rollouts.replicas(d);
    if (Rollouts.replicas(newRS) == want) return false;
    if (Rollouts.replicas(newRS) > want) return scaleReplicaSet(newRS, want);
    return scaleReplicaSet(newRS, Rollouts.newReplicaSetReplicas(d, currentAll(), newRS));
  }

  private boolean reconcileOldReplicaSets(ReplicaSet newRS) {
    List<ReplicaSet> old = oldOf(newRS);
    if (Rollouts.sumSpec(old) == 0) return false;
    int allPods = Rollouts.sumSpec(currentAll());
    int minAvailable = Rollouts.replicas(d) - Rollouts.maxUnavailable(d);
    int newUnavailable = Rollouts.replicas(newRS) - Rollouts.availableReplicas(newRS);
    int maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    int cleaned = cleanupUnhealthyReplicas(old, maxScaledDown);
    int scaled = scaleDownOldForRollingUpdate(oldOf(newRS));
    return cleaned + scaled > 0;
  }

  /** Scales down old pods that are not available first: they serve nobody, so they cost no availability. */
  private int cleanupUnhealthyReplicas(List<ReplicaSet> old, int maxCleanup) {
    List<ReplicaSet> sorted = new ArrayList<>(old);
    sorted.sort(Rollouts.BY_CREATION);
    int total = 0;
    for (ReplicaSet rs : sorted) {
      if (total >= maxCleanup) break;
      int size = Rollouts.replicas(rs);
      if (size == 0 || size == Rollouts.availableReplicas(rs)) continue;
      int down = Math.min(maxCleanup - total, size - Rollouts.availableReplicas(rs));
      scaleReplicaSet(rs, size - down);
      total += down;
    }
    return total;
  }

  /** Scales old ReplicaSets down, oldest first, as far as availability above maxUnavailable allows. */
  private int scaleDownOldForRollingUpdate(List<ReplicaSet> old) {
    int minAvailable = Rollouts.replicas(d) - Rollouts.maxUnavailable(d);
    int available = Rollouts.sumAvailable(currentAll());
    if (available <= minAvailable) return 0;
    int toScaleDown = available - minAvailable;
    List<ReplicaSet> sorted = new ArrayList<>(old);
    sorted.sort(Rollouts.BY_CREATION);
    int total = 0;
    for (ReplicaSet rs : sorted) {
      if (total >= toScaleDown) break;
      int size = Rollouts.replicas(rs);
      if (size == 0) continue;
      int down = Math.min(size, toScaleDown - total);
      scaleReplicaSet(rs, size - down);
      total += down;
    }
    return total;
  }

  // ---- scaling

  /** Whether spec.replicas changed since the active ReplicaSets were sized (their desired-replicas annotation). */
  private boolean isScalingEvent() {
    List<ReplicaSet> all = allReplicaSetsAndSyncRevision(false);
    for (ReplicaSet rs : all) {
      if (rs == null || Rollouts.replicas(rs) == 0) continue;
      Integer desired = Rollouts.intAnnotation(rs, Rollouts.DESIRED_REPLICAS);
      if (desired != null && desired != Rollouts.replicas(d)) return true;
    }
    return false;
  }

  /** Brings the ReplicaSets to the Deployment's size, spreading a change mid-rollout in proportion to their sizes. */
  private void scale(ReplicaSet newRS, List<ReplicaSet> old) {
    ReplicaSet activeOrLatest = activeOrLatest(newRS, old);
    int want = Rollouts.replicas(d);
    if (activeOrLatest != null) {
      if (Rollouts.replicas(activeOrLatest) != want) scaleReplicaSet(activeOrLatest, want);
      return;
    }
    if (newRS != null && Rollouts.replicas(newRS) == want && Integer.valueOf(want).equals(Rollouts.intAnnotation(newRS, Rollouts.DESIRED_REPLICAS))
        && Rollouts.availableReplicas(newRS) == want) {
      // the new ReplicaSet is saturated: old ones go
      for (ReplicaSet rs : old) if (Rollouts.replicas(rs) != 0) scaleReplicaSet(rs, 0);
      return;
    }
    if (!Rollouts.rollingUpdate(d)) return;
    List<ReplicaSet> active = new ArrayList<>();
    for (ReplicaSet rs : withNew(newRS, old)) if (Rollouts.replicas(rs) > 0) active.add(rs);
    int allowed = want > 0 ? want + Rollouts.maxSurge(d) : 0;
    int toAdd = allowed - Rollouts.sumSpec(active);
    if (toAdd > 0) active.sort(Rollouts.BY_SIZE_NEWER);
    else if (toAdd < 0) active.sort(Rollouts.BY_SIZE_OLDER);
    int added = 0;
    Map<String, Integer> sizes = new HashMap<>();
    for (ReplicaSet rs : active) {
      int proportion = toAdd == 0 ? 0 : proportion(rs, toAdd, added);
      sizes.put(name(rs), Rollouts.replicas(rs) + proportion);
      added += proportion;
    }
    for (int i = 0; i < active.size(); i++) {
      ReplicaSet rs = active.get(i);
      if (i == 0 && toAdd != 0) {
        // what rounding left over goes to the largest
        sizes.put(name(rs), Math.max(0, sizes.get(name(rs)) + toAdd - added));
      }
      scaleReplicaSet(rs, sizes.get(name(rs)));
    }
  }

  /** The share of a scaling change one ReplicaSet takes (upstream's GetProportion). */
  private int proportion(ReplicaSet rs, int toAdd, int added) {
    if (Rollouts.replicas(rs) == 0 || toAdd == added) return 0;
    int fraction = fraction(rs);
    int allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private int fraction(ReplicaSet rs) {
    int size = Rollouts.replicas(rs);
    if (Rollouts.replicas(d) == 0) return -size;
    int deploymentReplicas = Rollouts.replicas(d) + Rollouts.maxSurge(d);
    Integer annotated = Rollouts.intAnnotation(rs, Rollouts.MAX_REPLICAS);
    int before = annotated != null ? annotated : d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
    if (before == 0) return 0;
    return (int) Math.round((double) size * deploymentReplicas / before) - size;
  }

  /** The one ReplicaSet with pods, or the newest when none has any; null when several have pods. */
  private static ReplicaSet activeOrLatest(ReplicaSet newRS, List<ReplicaSet> old) {
    if (newRS == null && old.isEmpty()) return null;
    List<ReplicaSet> active = new ArrayList<>();
    for (ReplicaSet rs : withNew(newRS, old)) if (Rollouts.replicas(rs) > 0) active.add(rs);
    if (active.size() == 1) return active.get(0);
    if (!active.isEmpty()) return null;
    if (newRS != null) return newRS;
    List<ReplicaSet> sorted = new ArrayList<>(old);
    sorted.sort(Rollouts.BY_CREATION.reversed());
    return sorted.get(0);
  }

  /** Sets a ReplicaSet's size and replica annotations; true when its size changed. */
  private boolean scaleReplicaSet(ReplicaSet rs, int size) {
    rs = current(rs);
    boolean sizeChanged = Rollouts.replicas(rs) != size;
    int desired = Rollouts.replicas(d);
    int max = desired + Rollouts.maxSurge(d);
    if (!sizeChanged && !Rollouts.replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    ReplicaSet copy = Serialization.clone(rs);
    int oldSize = Rollouts.replicas(rs);
    copy.getSpec().setReplicas(size);
    Rollouts.setReplicasAnnotations(copy, desired, max);
    replace(updateReplicaSet(copy));
    if (sizeChanged) {
      events.normal(d, "ScalingReplicaSet", "Scaled %s replica set %s to %d from %d", oldSize < size ? "up" : "down",
          name(rs), size, oldSize);
    }
    return sizeChanged;
  }

  private ReplicaSet updateReplicaSet(ReplicaSet rs) {
    return client.apps().replicaSets().inNamespace(namespace()).resource(rs).update();
  }

  // ---- history

  /** Deletes the oldest ReplicaSets beyond revisionHistoryLimit, only those already scaled to zero. */
  private void cleanup(List<ReplicaSet> old) {
    Integer limit = d.getSpec().getRevisionHistoryLimit();
    if (limit == null) return;
    List<ReplicaSet> cleanable = new ArrayList<>();
    for (ReplicaSet rs : old) if (rs.getMetadata().getDeletionTimestamp() == null) cleanable.add(rs);
    int diff = cleanable.size() - limit;
    if (diff <= 0) return;
    cleanable.sort(Rollouts.BY_REVISION);
    for (int i = 0; i < diff; i++) {
      ReplicaSet rs = cleanable.get(i);
      long gen = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
      long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0 : rs.getStatus().getObservedGeneration();
      if (Rollouts.statusReplicas(rs) != 0 || Rollouts.replicas(rs) != 0 || gen > observed) continue;
      try {
        client.apps().replicaSets().inNamespace(namespace()).withName(name(rs)).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw e;
      }
      rsList.removeIf(r -> uid(r).equals(uid(rs)));
    }
  }

  // ---- status

  private DeploymentStatus calculateStatus(ReplicaSet newRS, List<ReplicaSet> all) {
    int available = Rollouts.sumAvailable(all);
    int unavailable = Math.max(0, Rollouts.sumSpec(all) - available);
    DeploymentStatus s = new DeploymentStatus();
    s.setObservedGeneration(d.getMetadata().getGeneration());
    s.setReplicas(sumStatus(all));
    s.setUpdatedReplicas(newRS == null ? 0 : Rollouts.statusReplicas(newRS));
    s.setReadyReplicas(all.stream().mapToInt(Rollouts::readyReplicas).sum());
    s.setAvailableReplicas(available);
    s.setUnavailableReplicas(unavailable);
    s.setCollisionCount(d.getStatus() == null ? null : d.getStatus().getCollisionCount());
    List<DeploymentCondition> conditions = new ArrayList<>();
    if (d.getStatus() != null && d.getStatus().getConditions() != null) {
      for (DeploymentCondition c : d.getStatus().getConditions()) conditions.add(Serialization.clone(c));
    }
    s.setConditions(conditions);
    if (available >= Rollouts.replicas(d) - Rollouts.maxUnavailable(d)) {
      DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.AVAILABLE, "True",
          DeploymentConditions.MIN_AVAILABLE, "Deployment has minimum availability."));
    } else {
      DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.AVAILABLE, "False",
          DeploymentConditions.MIN_UNAVAILABLE, "Deployment does not have minimum availability."));
    }
    return s;
  }

  private void syncDeploymentStatus(ReplicaSet newRS, List<ReplicaSet> all) {
    DeploymentStatus s = calculateStatus(newRS, all);
    if (!s.equals(d.getStatus())) writeStatus(s);
  }

  /** Status plus the Progressing condition: complete, progressing, or past its deadline. */
  private void syncRolloutStatus(ReplicaSet newRS, List<ReplicaSet> all) {
    DeploymentStatus s = calculateStatus(newRS, all);
    if (!hasProgressDeadline()) DeploymentConditions.remove(s, DeploymentConditions.PROGRESSING);
    DeploymentCondition current = DeploymentConditions.get(d.getStatus(), DeploymentConditions.PROGRESSING);
    boolean completeAlready = n(s.getReplicas()) == n(s.getUpdatedReplicas()) && current != null
        && DeploymentConditions.NEW_RS_AVAILABLE.equals(current.getReason());
    String subject = newRS == null ? "Deployment \"" + d.getMetadata().getName() + "\"" : "ReplicaSet \"" + name(newRS) + "\"";
    if (hasProgressDeadline() && !completeAlready) {
      if (Rollouts.complete(d, n(s.getUpdatedReplicas()), n(s.getReplicas()), n(s.getAvailableReplicas()), n(s.getObservedGeneration()))) {
        DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "True",
            DeploymentConditions.NEW_RS_AVAILABLE, subject + " has successfully progressed."));
      } else if (progressing(s)) {
        DeploymentCondition c = DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "True",
            DeploymentConditions.RS_UPDATED, subject + " is progressing.");
        // progress moves lastUpdateTime even when the reason stays; the transition time holds while True
        if (current != null) {
          if ("True".equals(current.getStatus())) c.setLastTransitionTime(current.getLastTransitionTime());
          DeploymentConditions.remove(s, DeploymentConditions.PROGRESSING);
        }
        DeploymentConditions.set(s, c);
      } else if (timedOut(s)) {
        DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "False",
            DeploymentConditions.TIMED_OUT, subject + " has timed out progressing."));
      }
    }
    if (s.equals(d.getStatus())) {
      requeueStuck(s);
      return;
    }
    writeStatus(s);
  }

  private boolean progressing(DeploymentStatus s) {
    DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    int oldOld = n(old.getReplicas()) - n(old.getUpdatedReplicas());
    int newOld = n(s.getReplicas()) - n(s.getUpdatedReplicas());
    return n(s.getUpdatedReplicas()) > n(old.getUpdatedReplicas()) || newOld < oldOld
        || n(s.getReadyReplicas()) > n(old.getReadyReplicas()) || n(s.getAvailableReplicas()) > n(old.getAvailableReplicas());
  }

  private boolean timedOut(DeploymentStatus s) {
    DeploymentCondition c = DeploymentConditions.get(s, DeploymentConditions.PROGRESSING);
    if (c == null || DeploymentConditions.NEW_RS_AVAILABLE.equals(c.getReason())) return false;
    if (DeploymentConditions.TIMED_OUT.equals(c.getReason())) return true;
    Instant from = Instant.parse(c.getLastUpdateTime());
    return from.plusSeconds(d.getSpec().getProgressDeadlineSeconds()).isBefore(Instant.now());
  }

  /** A rollout that is neither complete nor timed out is looked at again when its deadline passes. */
  private void requeueStuck(DeploymentStatus s) {
    DeploymentCondition c = DeploymentConditions.get(s, DeploymentConditions.PROGRESSING);
    if (!hasProgressDeadline() || c == null || DeploymentConditions.TIMED_OUT.equals(c.getReason())) return;
    if (Rollouts.complete(d, n(s.getUpdatedReplicas()), n(s.getReplicas()), n(s.getAvailableReplicas()), n(s.getObservedGeneration()))) {
      return;
    }
    Instant deadline = Instant.parse(c.getLastUpdateTime()).plusSeconds(d.getSpec().getProgressDeadlineSeconds());
    Duration after = Duration.between(Instant.now(), deadline);
    requeueAfter = after.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ZERO : after.plusSeconds(1);
  }

  /** Sets Progressing to DeploymentPaused or DeploymentResumed when spec.paused changed. */
  private void checkPausedConditions() {
    if (!hasProgressDeadline()) return;
    DeploymentCondition c = DeploymentConditions.get(d.getStatus(), DeploymentConditions.PROGRESSING);
    if (c != null && DeploymentConditions.TIMED_OUT.equals(c.getReason())) return;
    boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
    boolean pausedCondition = c != null && DeploymentConditions.PAUSED.equals(c.getReason());
    DeploymentStatus s = status();
    if (paused && !pausedCondition) {
      DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "Unknown",
          DeploymentConditions.PAUSED, "Deployment is paused"));
    } else if (!paused && pausedCondition) {
      DeploymentConditions.set(s, DeploymentConditions.condition(DeploymentConditions.PROGRESSING, "Unknown",
          DeploymentConditions.RESUMED, "Deployment is resumed"));
    } else {
      return;
    }
    writeStatus(s);
  }

  /** A copy of the current status to change. */
  private DeploymentStatus status() {
    DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : Serialization.clone(d.getStatus());
    if (s.getConditions() == null) s.setConditions(new ArrayList<>());
    return s;
  }

  private void writeStatus(DeploymentStatus s) {
    Deployment copy = Serialization.clone(d);
    copy.setStatus(s);
    d = client.apps().deployments().inNamespace(namespace()).resource(copy).updateStatus();
  }

  private boolean hasProgressDeadline() {
    Integer p = d.getSpec().getProgressDeadlineSeconds();
    return p != null && p != Integer.MAX_VALUE;
  }

  /** Whether the status last written says the rollout is complete (upstream checks the stored status here). */
  private boolean completeByStatus() {
    DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    return Rollouts.complete(d, n(s.getUpdatedReplicas()), n(s.getReplicas()), n(s.getAvailableReplicas()), n(s.getObservedGeneration()));
  }

  // ---- bookkeeping

  /** The latest copy of a ReplicaSet this sync has (after its own writes). */
  private ReplicaSet current(ReplicaSet rs) {
    if (rs == null) return null;
    for (ReplicaSet r : rsList) if (uid(r).equals(uid(rs))) return r;
    return rs;
  }

  private ReplicaSet replace(ReplicaSet updated) {
    rsList.removeIf(r -> uid(r).equals(uid(updated)));
    rsList.add(updated);
    return updated;
  }

  private List<ReplicaSet> currentAll() {
    return new ArrayList<>(rsList);
  }

  private List<ReplicaSet> oldOf(ReplicaSet newRS) {
    List<ReplicaSet> out = new ArrayList<>();
    for (ReplicaSet rs : rsList) if (newRS == null || !uid(rs).equals(uid(newRS))) out.add(rs);
    return out;
  }

  private static List<ReplicaSet> withNew(ReplicaSet newRS, List<ReplicaSet> old) {
    List<ReplicaSet> out = new ArrayList<>(old);
    if (newRS != null) out.add(newRS);
    return out;
  }

  private static int sumStatus(List<ReplicaSet> rss) {
    return rss.stream().mapToInt(Rollouts::statusReplicas).sum();
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }

  private static long n(Long l) {
    return l == null ? 0 : l;
  }

  private String namespace() {
    return d.getMetadata().getNamespace();
  }

  private static String name(ReplicaSet rs) {
    return rs.getMetadata().getName();
  }

  private static String uid(HasMetadata o) {
    return o.getMetadata().getUid();
  }
}
