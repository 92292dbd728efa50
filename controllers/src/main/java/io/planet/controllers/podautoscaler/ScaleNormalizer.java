package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the metrics' desired replica count into the count to scale to, as upstream: the recommendation is first
 * stabilized against the recent recommendations of this HPA (the highest of the scale-down window, the lowest of the
 * scale-up window), then limited by min/max replicas and the behavior's rate policies, counted against the scale
 * changes made within each policy's period. Recommendations and scale events live in memory, per HPA, as upstream.
 */
public final class ScaleNormalizer {
  /** What to scale to and the AbleToScale / ScalingLimited conditions that explain it. */
  public record Outcome(int replicas, String ableReason, String ableMessage, boolean limited, String limitReason,
      String limitMessage) {}

  private record Recommendation(int replicas, Instant at) {}

  private static final class ScaleEvent {
    final int change;
    final Instant at;
    boolean outdated;

    ScaleEvent(int change, Instant at) {
      this.change = change;
      this.at = at;
    }
  }

  private static final int SCALE_UP_LIMIT_FACTOR = 2;
  private static final int SCALE_UP_LIMIT_MINIMUM = 4;

  private final Clock clock;
  private final Duration downscaleWindow;
  private final Map<String, List<Recommendation>> recommendations = new ConcurrentHashMap<>();
  private final Map<String, List<ScaleEvent>> scaleUps = new ConcurrentHashMap<>();
  private final Map<String, List<ScaleEvent>> scaleDowns = new ConcurrentHashMap<>();

  public ScaleNormalizer(Clock clock, Duration downscaleWindow) {
    this.clock = clock;
    this.downscaleWindow = downscaleWindow;
  }

  /** The first time an HPA is seen, its current size counts as a recommendation (recordInitialRecommendation). */
  public void recordInitial(String key, int currentReplicas) {
    recommendations.computeIfAbsent(key, k -> {
      List<Recommendation> l = new ArrayList<>();
      l.add(new Recommendation(currentReplicas, clock.instant()));
      return l;
    });
  }

  /** The HPA is gone: drop its history. */
  public void forget(String key) {
    recommendations.remove(key);
    scaleUps.remove(key);
    scaleDowns.remove(key);
  }

  public Outcome normalize(String key, HorizontalPodAutoscalerBehavior behavior, int current, int desired, int min,
      int max) {
    return behavior == null ? normalizeWithoutBehavior(key, current, desired, min, max)
        : normalizeWithBehavior(key, behavior, current, desired, min, max);
  }

  /** A successful rescale, kept to count against the rate policies (only HPAs with a behavior use them). */
  public synchronized void recordScale(String key, HorizontalPodAutoscalerBehavior behavior, int from, int to) {
    if (behavior == null || from == to) return;
    boolean up = to > from;
    ScalingRules rules = up ? ScalingRules.scaleUp(behavior) : ScalingRules.scaleDown(behavior, windowSeconds());
    List<ScaleEvent> events = (up ? scaleUps : scaleDowns).computeIfAbsent(key, k -> new ArrayList<>());
    Instant cutoff = clock.instant().minusSeconds(rules.longestPeriodSeconds());
    int reuse = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).at.isBefore(cutoff)) events.get(i).outdated = true;
      if (events.get(i).outdated) reuse = i;
    }
    ScaleEvent e = new ScaleEvent(Math.abs(to - from), clock.instant());
    if (reuse >= 0) events.set(reuse, e);
    else events.add(e);
  }

  private int windowSeconds() {
    return (int) downscaleWindow.toSeconds();
  }

  private synchronized Outcome normalizeWithoutBehavior(String key, int current, int desired, int min, int max) {
    Instant now = clock.instant();
    Instant cutoff = now.minus(downscaleWindow);
    int stabilized = desired;
    List<Recommendation> recs = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
    int old = -1;
    for (int i = 0; i < recs.size(); i++) {
      Recommendation r = recs.get(i);
      if (r.at.isBefore(cutoff)) old = i;
      else stabilized = Math.max(stabilized, r.replicas);
    }
    record(recs, old, new Recommendation(desired, now));
    String ableReason = stabilized != desired ? "ScaleDownStabilized" : "ReadyForNewScale";
    String ableMessage = stabilized != desired
        ? "recent recommendations were higher than current one, applying the highest recent recommendation"
        : "recommended size matches current size";
    // without a behavior, one step may at most double the replicas (or reach 4)
    int scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
    int maxAllowed;
    String reason;
    String message;
    if (max > scaleUpLimit) {
      maxAllowed = scaleUpLimit;
      reason = "ScaleUpLimit";
      message = "the desired replica count is increasing faster than the maximum scale rate";
    } else {
      maxAllowed = max;
      reason = "TooManyReplicas";
      message = "the desired replica count is more than the maximum replica count";
    }
    int out = stabilized;
    if (stabilized < min) {
      out = min;
      reason = "TooFewReplicas";
      message = "the desired replica count is less than the minimum replica count";
    } else if (stabilized > maxAllowed) {
      out = maxAllowed;
    } else {
      reason = "DesiredWithinRange";
      message = "the desired count is within the acceptable range";
    }
    return new Outcome(out, ableReason, ableMessage, out != stabilized, reason, message);
  }

  private synchronized Outcome normalizeWithBehavior(String key, HorizontalPodAutoscalerBehavior behavior, int current,
      int desired, int min, int max) {
    ScalingRules up = ScalingRules.scaleUp(behavior);
    ScalingRules down = ScalingRules.scaleDown(behavior, windowSeconds());
    Instant now = clock.instant();
    Instant upCutoff = now.minusSeconds(up.stabilizationWindowSeconds());
    Instant downCutoff = now.minusSeconds(down.stabilizationWindowSeconds());
    int upRecommendation = desired;
    int downRecommendation = desired;
    List<Recommendation> recs = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
    int old = -1;
    for (int i = 0; i < recs.size(); i++) {
      Recommendation r = recs.get(i);
      if (r.at.isAfter(upCutoff)) upRecommendation = Math.min(upRecommendation, r.replicas);
      if (r.at.isAfter(downCutoff)) downRecommendation = Math.max(downRecommendation, r.replicas);
      if (r.at.isBefore(upCutoff) && r.at.isBefore(downCutoff)) old = i;
    }
    int stabilized = Math.min(Math.max(current, upRecommendation), downRecommendation);
    record(recs, old, new Recommendation(desired, now));
    String ableReason;
    String ableMessage;
    if (stabilized == desired) {
      ableReason = "ReadyForNewScale";
      ableMessage = "recommended size matches current size";
    } else if (desired >= current) {
      ableReason = "ScaleUpStabilized";
      ableMessage = "recent recommendations were lower than current one, applying the lowest recent recommendation";
    } else {
      ableReason = "ScaleDownStabilized";
      ableMessage = "recent recommendations were higher than current one, applying the highest recent recommendation";
    }

    int out = stabilized;
    String reason = "DesiredWithinRange";
    String message = "the desired count is within the acceptable range";
    if (stabilized > current) {
      int limit = Math.max(scaleUpLimit(current, up, events(scaleUps, key), events(scaleDowns, key)), current);
      int maxAllowed = max;
      String r = "TooManyReplicas";
      String m = "the desired replica count is more than the maximum replica count";
      if (max > limit) {
        maxAllowed = limit;
        r = "ScaleUpLimit";
        m = "the desired replica count is increasing faster than the maximum scale rate";
      }
      if (stabilized > maxAllowed) {
        out = maxAllowed;
        reason = r;
        message = m;
      }
    } else if (stabilized < current) {
      int limit = Math.min(scaleDownLimit(current, down, events(scaleUps, key), events(scaleDowns, key)), current);
      int minAllowed = min;
      String r = "TooFewReplicas";
      String m = "the desired replica count is less than the minimum replica count";
      if (min < limit) {
        minAllowed = limit;
        r = "ScaleDownLimit";
        m = "the desired replica count is decreasing faster than the maximum scale rate";
      }
      if (stabilized < minAllowed) {
        out = minAllowed;
        reason = r;
        message = m;
      }
    }
    return new Outcome(out, ableReason, ableMessage, out != stabilized, reason, message);
  }

  /** Replaces the oldest sample that fell out of every window, else appends. */
  private static void record(List<Recommendation> recs, int old, Recommendation r) {
    if (old >= 0) recs.set(old, r);
    else recs.add(r);
  }

  private static List<ScaleEvent> events(Map<String, List<ScaleEvent>> m, String key) {
    return m.getOrDefault(key, List.of());
  }

  /** The most replicas the policies allow now, from the size at the start of each policy's period. */
  int scaleUpLimit(int current, ScalingRules rules, List<ScaleEvent> ups, List<ScaleEvent> downs) {
    if (rules.selectPolicy().equals("Disabled")) return current;
    boolean min = rules.selectPolicy().equals("Min");
    int result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    for (ScalingRules.Policy p : rules.policies()) {
      int periodStart = current - changedWithin(p.periodSeconds(), ups) + changedWithin(p.periodSeconds(), downs);
      int proposed = p.type().equals("Pods") ? periodStart + p.value()
          : (int) Math.ceil(periodStart * (1 + p.value() / 100.0));
      result = min ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return result;
  }

  /** The fewest replicas the policies allow now. */
  int scaleDownLimit(int current, ScalingRules rules, List<ScaleEvent> ups, List<ScaleEvent> downs) {
    if (rules.selectPolicy().equals("Disabled")) return current;
    boolean min = rules.selectPolicy().equals("Min");
    int result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    for (ScalingRules.Policy p : rules.policies()) {
      int periodStart = current - changedWithin(p.periodSeconds(), ups) + changedWithin(p.periodSeconds(), downs);
      int proposed = p.type().equals("Pods") ? periodStart - p.value()
          : (int) (periodStart * (1 - p.value() / 100.0));
      result = min ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return result;
  }

  private int changedWithin(int periodSeconds, List<ScaleEvent> events) {
    Instant cutoff = clock.instant().minusSeconds(periodSeconds);
    int sum = 0;
    for (ScaleEvent e : events) if (e.at.isAfter(cutoff)) sum += e.change;
    return sum;
  }
}
