package io.planet.controllers;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The arithmetic of a rollout (upstream's deployment/util): replica counts, surge and unavailability, annotations. */
final class Rollouts {
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
  static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
  /** Deployment annotations that describe the Deployment itself and are not copied to its ReplicaSets. */
  private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration",
      REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to");

  private Rollouts() {}

  static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  static int replicas(ReplicaSet rs) {
    return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
  }

  static int statusReplicas(ReplicaSet rs) {
    return rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
  }

  static int readyReplicas(ReplicaSet rs) {
    return rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas();
  }

  static int availableReplicas(ReplicaSet rs) {
    return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0 : rs.getStatus().getAvailableReplicas();
  }

  static int sumSpec(List<ReplicaSet> rss) {
    return rss.stream().mapToInt(Rollouts::replicas).sum();
  }

  static int sumAvailable(List<ReplicaSet> rss) {
    return rss.stream().mapToInt(Rollouts::availableReplicas).sum();
  }

  static boolean rollingUpdate(Deployment d) {
    return d.getSpec().getStrategy() == null || !"Recreate".equals(d.getSpec().getStrategy().getType());
  }

  /** maxSurge and maxUnavailable as pod counts: surge rounds up, unavailability down, and both are never 0. */
  static int[] fenceposts(Deployment d) {
    RollingUpdateDeployment ru = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
    int desired = replicas(d);
    int surge = scaled(ru == null ? null : ru.getMaxSurge(), desired, true, "25%");
    int unavailable = scaled(ru == null ? null : ru.getMaxUnavailable(), desired, false, "25%");
    if (surge == 0 && unavailable == 0) unavailable = 1;
    return new int[] {surge, unavailable};
  }

  static int maxSurge(Deployment d) {
    return rollingUpdate(d) ? fenceposts(d)[0] : 0;
  }

  static int maxUnavailable(Deployment d) {
    if (!rollingUpdate(d) || replicas(d) == 0) return 0;
    return Math.min(fenceposts(d)[1], replicas(d));
  }

  static int scaled(IntOrString v, int total, boolean roundUp, String dflt) {
    if (v == null) v = new IntOrString(dflt);
    if (v.getIntVal() != null) return v.getIntVal();
    String s = v.getStrVal();
    if (s == null) return 0;
    if (!s.endsWith("%")) return Integer.parseInt(s);
    double pct = Integer.parseInt(s.substring(0, s.length() - 1)) * (double) total / 100;
    return (int) (roundUp ? Math.ceil(pct) : Math.floor(pct));
  }

  /** The size the new ReplicaSet may grow to now (upstream's NewRSNewReplicas). */
  static int newReplicaSetReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRS) {
    if (!rollingUpdate(d)) return replicas(d);
    int current = sumSpec(all);
    int maxTotal = replicas(d) + maxSurge(d);
    if (current >= maxTotal) return replicas(newRS);
    int up = Math.min(maxTotal - current, replicas(d) - replicas(newRS));
    return replicas(newRS) + up;
  }

  /** All pods updated and available, and the controller has seen the latest spec. */
  static boolean complete(Deployment d, int updated, int total, int available, long observedGeneration) {
    int want = replicas(d);
    long gen = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    return updated == want && total == want && available == want && observedGeneration >= gen;
  }

  static long revision(ReplicaSet rs) {
    String r = annotation(rs, REVISION);
    try {
      return r == null ? 0 : Long.parseLong(r);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static Integer intAnnotation(ReplicaSet rs, String key) {
    String v = annotation(rs, key);
    try {
      return v == null ? null : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String annotation(ReplicaSet rs, String key) {
    Map<String, String> a = rs.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  static Map<String, String> annotations(ReplicaSet rs) {
    if (rs.getMetadata().getAnnotations() == null) rs.getMetadata().setAnnotations(new HashMap<>());
    return rs.getMetadata().getAnnotations();
  }

  /** Sets desired-replicas and max-replicas; true when something changed. */
  static boolean setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
    Map<String, String> a = annotations(rs);
    String oldDesired = a.put(DESIRED_REPLICAS, Integer.toString(desired));
    String oldMax = a.put(MAX_REPLICAS, Integer.toString(max));
    return !Integer.toString(desired).equals(oldDesired) || !Integer.toString(max).equals(oldMax);
  }

  static boolean replicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) {
    return !Integer.toString(desired).equals(annotation(rs, DESIRED_REPLICAS))
        || !Integer.toString(max).equals(annotation(rs, MAX_REPLICAS));
  }

  /**
   * The annotations a Deployment puts on its new ReplicaSet (upstream's SetNewReplicaSetAnnotations): its own
   * annotations (change-cause among them), the revision when it is newer, and for a new ReplicaSet the replica counts.
   */
  static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, long newRevision, boolean exists) {
    boolean changed = false;
    Map<String, String> a = annotations(rs);
    if (d.getMetadata().getAnnotations() != null) {
      for (Map.Entry<String, String> e : d.getMetadata().getAnnotations().entrySet()) {
        if (NOT_COPIED.contains(e.getKey())) continue;
        if (!e.getValue().equals(a.put(e.getKey(), e.getValue()))) changed = true;
      }
    }
    long oldRevision = revision(rs);
    if (oldRevision < newRevision) {
      a.put(REVISION, Long.toString(newRevision));
      changed = true;
      if (oldRevision > 0 && exists) {
        // a rollback: remember the revisions this ReplicaSet had before
        String history = a.get(REVISION_HISTORY);
        a.put(REVISION_HISTORY, history == null || history.isEmpty() ? Long.toString(oldRevision) : history + "," + oldRevision);
      }
    }
    if (!exists && setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d))) changed = true;
    return changed;
  }

  static Instant created(ReplicaSet rs) {
    String t = rs.getMetadata().getCreationTimestamp();
    return t == null ? Instant.EPOCH : Instant.parse(t);
  }

  /** Oldest first, then by name (ReplicaSetsByCreationTimestamp). */
  static final Comparator<ReplicaSet> BY_CREATION =
      Comparator.comparing(Rollouts::created).thenComparing(rs -> rs.getMetadata().getName());

  /** Lowest revision first (ReplicaSetsByRevision). */
  static final Comparator<ReplicaSet> BY_REVISION = Comparator.comparingLong(Rollouts::revision).thenComparing(BY_CREATION);

  /** Largest first, older first on a tie (ReplicaSetsBySizeOlder): scale-down order. */
  static final Comparator<ReplicaSet> BY_SIZE_OLDER =
      Comparator.comparingInt((ReplicaSet rs) -> replicas(rs)).reversed().thenComparing(BY_CREATION);

  /** Largest first, newer first on a tie (ReplicaSetsBySizeNewer): scale-up order. */
  static final Comparator<ReplicaSet> BY_SIZE_NEWER =
      Comparator.comparingInt((ReplicaSet rs) -> replicas(rs)).reversed().thenComparing(BY_CREATION.reversed());
}
