package io.planet.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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

  static JobCondition condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) return null;
    return job.getStatus().getConditions().stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
  }
}
