package io.planet.controllers;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** Job objects and what a kubelet would report for their pods (no kubelet runs in these tests). */
final class Jobs {
  private Jobs() {}

  static PodTemplateSpec template(String app) {
    return new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", app)).endMetadata()
        .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c").withImage("busybox").endContainer()
        .endSpec().build();
  }

  static JobSpec spec(String app, Integer completions, Integer parallelism) {
    return new JobSpecBuilder().withCompletions(completions).withParallelism(parallelism).withTemplate(template(app))
        .build();
  }

  /** The job's pods that are neither finished nor being deleted. */
  static List<Pod> activePods(KubernetesClient c, String ns, String app) {
    return Fixtures.livePods(c, ns, app).stream().filter(PodStatus::active).toList();
  }

  static void finish(KubernetesClient c, Pod pod, String phase) {
    c.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
      p.getStatus().setPhase(phase);
      return p;
    });
  }

  /** A kubelet's report of a pod whose container {@code c} exited with the code. */
  static void failWithExitCode(KubernetesClient c, Pod pod, int exitCode) {
    c.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
      p.getStatus().setPhase("Failed");
      p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("c").withImage("busybox")
          .withImageID("").withReady(false).withRestartCount(0).withNewState().withNewTerminated().withExitCode(exitCode)
          .withReason("Error").endTerminated().endState().build()));
      return p;
    });
  }

  /** A pod failed by a disruption (eviction, preemption): Failed with the DisruptionTarget condition. */
  static void failByDisruption(KubernetesClient c, Pod pod) {
    c.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
      p.getStatus().setPhase("Failed");
      p.getStatus().setConditions(List.of(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
          .withReason("EvictionByEvictionAPI").withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
          .build()));
      return p;
    });
  }

  static JobCondition condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) return null;
    return job.getStatus().getConditions().stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
  }

  /** The condition's status, or null when the job has no such condition (an assertion, not an NPE, while waiting). */
  static String conditionStatus(Job job, String type) {
    JobCondition c = condition(job, type);
    return c == null ? null : c.getStatus();
  }

  /** The condition's reason, or null when the job has no such condition. */
  static String conditionReason(Job job, String type) {
    JobCondition c = condition(job, type);
    return c == null ? null : c.getReason();
  }
}
