package io.planet.controllers;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.util.ArrayList;
import java.util.List;

/**
 * A Job's spec.podFailurePolicy applied to one failed pod (upstream's matchPodFailurePolicy): the first rule whose
 * onExitCodes matches a container that terminated with a non-zero code, or whose onPodConditions matches a pod
 * condition, decides what the failure means; with no rule matching it counts toward the backoff limit.
 */
final class PodFailurePolicies {
  enum Action { FAIL_JOB, FAIL_INDEX, IGNORE, COUNT }

  /** The action and, for FailJob, the message of the job's Failed condition. */
  record Match(Action action, String message) {
    boolean counts() {
      return action != Action.IGNORE;
    }
  }

  private static final Match NO_RULE = new Match(Action.COUNT, null);

  private PodFailurePolicies() {}

  static Match match(PodFailurePolicy policy, Pod pod) {
    if (policy == null || policy.getRules() == null) return NO_RULE;
    List<PodFailurePolicyRule> rules = policy.getRules();
    for (int i = 0; i < rules.size(); i++) {
      PodFailurePolicyRule rule = rules.get(i);
      String what = null;
      if (rule.getOnExitCodes() != null) {
        ContainerStatus c = matchingContainer(pod, rule.getOnExitCodes());
        if (c != null) {
          what = "Container %s for pod %s/%s failed with exit code %d".formatted(c.getName(),
              pod.getMetadata().getNamespace(), pod.getMetadata().getName(), c.getState().getTerminated().getExitCode());
        }
      } else if (rule.getOnPodConditions() != null) {
        PodCondition c = matchingCondition(pod, rule.getOnPodConditions());
        if (c != null) {
          what = "Pod %s/%s has condition %s".formatted(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), c.getType());
        }
      }
      if (what == null) continue;
      return switch (rule.getAction()) {
        case "FailJob" -> new Match(Action.FAIL_JOB, what + " matching FailJob rule at index " + i);
        case "FailIndex" -> new Match(Action.FAIL_INDEX, null);
        case "Ignore" -> new Match(Action.IGNORE, null);
        default -> NO_RULE; // Count, and actions this version does not know
      };
    }
    return NO_RULE;
  }

  private static ContainerStatus matchingContainer(Pod pod, PodFailurePolicyOnExitCodesRequirement r) {
    if (pod.getStatus() == null) return null;
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getContainerStatuses() != null) all.addAll(pod.getStatus().getContainerStatuses());
    if (pod.getStatus().getInitContainerStatuses() != null) all.addAll(pod.getStatus().getInitContainerStatuses());
    for (ContainerStatus c : all) {
      if (c.getState() == null || c.getState().getTerminated() == null) continue;
      Integer code = c.getState().getTerminated().getExitCode();
      // a zero exit code never matches: the rule is about why a container failed
      if (code == null || code == 0) continue;
      if (r.getContainerName() != null && !r.getContainerName().equals(c.getName())) continue;
      boolean in = r.getValues() != null && r.getValues().contains(code);
      if ("In".equals(r.getOperator()) == in) return c;
    }
    return null;
  }

  private static PodCondition matchingCondition(Pod pod, List<PodFailurePolicyOnPodConditionsPattern> patterns) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return null;
    for (PodCondition c : pod.getStatus().getConditions()) {
      for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
        String status = p.getStatus() == null ? "True" : p.getStatus();
        if (p.getType().equals(c.getType()) && status.equals(c.getStatus())) return c;
      }
    }
    return null;
  }
}
