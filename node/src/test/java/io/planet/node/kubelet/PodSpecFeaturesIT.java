package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.runtime.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pod sysctls (set in the pod's namespaces; an unsafe one rejected with SysctlForbidden unless the node allows it),
 * subPathExpr (the e2e "should allow substituting values in a volume subpath", and its failures), and an ephemeral
 * container added through pods/ephemeralcontainers that sees its target's processes.
 */
class PodSpecFeaturesIT {
  static final String NODE = "podspec-it";
  static KubeletHarness h;
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;

  @BeforeAll
  static void start() throws Exception {
    h = KubeletHarness.start(NODE, "ps", k -> k.withAllowedUnsafeSysctls(List.of("kernel.msg*")));
    apiServer = h.apiServer; client = h.client; kubelet = h.kubelet(); tmp = h.tmp; image = h.image;
    bridge = h.bridge;
  }

  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  @Test
  void safeAndAllowedSysctlsAreSetInThePodUnsafeOnesAreForbidden() {
    client.pods().inNamespace("default").resource(oneShot("sysctl-safe", "sysctl kernel.shm_rmid_forced kernel.msgmax")
        .editSpec().withNewSecurityContext().withSysctls(new Sysctl("kernel.shm_rmid_forced", "1"),
            new Sysctl("kernel.msgmax", "10000")).endSecurityContext().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Succeeded".equals(phase("sysctl-safe")));
    assertThat(client.pods().inNamespace("default").withName("sysctl-safe").getLog())
        .isEqualTo("kernel.shm_rmid_forced = 1\nkernel.msgmax = 10000\n");

    Pod unsafe = client.pods().inNamespace("default").resource(oneShot("sysctl-unsafe", "true").editSpec()
        .withNewSecurityContext().withSysctls(new Sysctl("kernel.shm_rmid_forced", "1"), new Sysctl("net.core.somaxconn", "1024"))
        .endSecurityContext().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase("sysctl-unsafe")));
    Pod failed = get("sysctl-unsafe");
    assertThat(failed.getStatus().getReason()).isEqualTo("SysctlForbidden");
    assertThat(failed.getStatus().getMessage())
        .isEqualTo("Pod was rejected: forbidden sysctl: \"net.core.somaxconn\" not allowlisted");
    assertThat(failed.getStatus().getContainerStatuses()).isNullOrEmpty();
    assertThat(tmp.resolve("run/pods/" + unsafe.getMetadata().getUid())).doesNotExist();

    // an invalid name never reaches the node
    assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(() -> client.pods().inNamespace("default")
        .resource(oneShot("sysctl-bad", "true").editSpec().withNewSecurityContext()
            .withSysctls(new Sysctl("Kernel.Bad", "1")).endSecurityContext().endSpec().build()).create(),
        KubernetesClientException.class).getCode()).isEqualTo(422);
  }

  @Test
  void subPathExprIsExpandedFromTheContainersEnvironment() throws Exception {
    // as upstream's e2e: the pod's name through the downward API names a directory in the volume
    Pod pod = client.pods().inNamespace("default").resource(oneShot("subpath-expr",
        "test -d /volume_mount/subpath-expr && echo hello > /subpath_mount/file && cat /volume_mount/subpath-expr/file")
        .editSpec().addNewVolume().withName("workdir1").withNewEmptyDir().endEmptyDir().endVolume()
        .editFirstContainer().withEnv(new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.name").endFieldRef().endValueFrom().build())
        .addNewVolumeMount().withName("workdir1").withMountPath("/subpath_mount").withSubPathExpr("$(POD_NAME)").endVolumeMount()
        .addNewVolumeMount().withName("workdir1").withMountPath("/volume_mount").endVolumeMount()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Succeeded".equals(phase("subpath-expr")));
    assertThat(client.pods().inNamespace("default").withName("subpath-expr").getLog()).isEqualTo("hello\n");
    assertThat(tmp.resolve("data/pods/" + pod.getMetadata().getUid() + "/volumes/kubernetes.io~empty-dir/workdir1/subpath-expr/file"))
        .hasContent("hello\n");

    // an expansion to an absolute path: the container waits with CreateContainerConfigError and upstream's message
    client.pods().inNamespace("default").resource(oneShot("subpath-abs", "true").editSpec().addNewVolume()
        .withName("workdir1").withNewEmptyDir().endEmptyDir().endVolume().editFirstContainer()
        .withEnv(new EnvVarBuilder().withName("ABS").withValue("/tmp").build()).addNewVolumeMount().withName("workdir1")
        .withMountPath("/subpath_mount").withSubPathExpr("$(ABS)").endVolumeMount().endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      ContainerStatus s = status("subpath-abs", List.of());
      return s != null && s.getState().getWaiting() != null
          && "CreateContainerConfigError".equals(s.getState().getWaiting().getReason());
    });
    assertThat(status("subpath-abs", List.of()).getState().getWaiting().getMessage())
        .isEqualTo("error SubPath `/tmp` must not be an absolute path");
    delete("subpath-abs");
  }

  @Test
  void anEphemeralContainerJoinsTheRunningPodAndItsTargetsProcesses() throws Exception {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("debuggee").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main")
        .withImage(image).withCommand("sleep", "1234").endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(phase("debuggee")));

    retryOnConflict(() -> client.pods().inNamespace("default").withName("debuggee").ephemeralContainers().edit(p ->
        new PodBuilder(p).editSpec().addNewEphemeralContainer().withName("debugger").withImage(image)
            .withCommand("sh", "-c", "ps -o pid,args; sleep 600").withTargetContainerName("main").endEphemeralContainer()
            .endSpec().build()));
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      List<ContainerStatus> ephemeral = get("debuggee").getStatus().getEphemeralContainerStatuses();
      return ephemeral != null && ephemeral.size() == 1 && ephemeral.get(0).getState().getRunning() != null;
    });
    // the target's sleep is PID 1 of the namespace the debugger joined
    await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace("default").withName("debuggee")
        .inContainer("debugger").getLog().contains("sleep 1234"));
    assertThat(client.pods().inNamespace("default").withName("debuggee").inContainer("debugger").getLog())
        .containsPattern("(?m)^\\s*1 sleep 1234$");
    ContainerStatus debugger = get("debuggee").getStatus().getEphemeralContainerStatuses().get(0);
    assertThat(debugger.getName()).isEqualTo("debugger");
    assertThat(debugger.getImage()).isEqualTo(image);
    assertThat(get("debuggee").getStatus().getPhase()).isEqualTo("Running");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("default").list().getItems().stream()
        .anyMatch(e -> "debuggee".equals(e.getInvolvedObject().getName()) && "Started".equals(e.getReason())
            && "spec.ephemeralContainers{debugger}".equals(e.getInvolvedObject().getFieldPath())));

    // existing ephemeral containers cannot be changed, and other fields do not change through the subresource
    KubernetesClientException changed = org.assertj.core.api.Assertions.catchThrowableOfType(() -> retryOnConflict(() ->
        client.pods().inNamespace("default").withName("debuggee").ephemeralContainers().edit(p -> new PodBuilder(p)
            .editSpec().editFirstEphemeralContainer().withImage("other").endEphemeralContainer().endSpec().build())),
        KubernetesClientException.class);
    assertThat(changed.getCode()).isEqualTo(422);
    assertThat(changed.getMessage()).contains("existing ephemeral containers \"debugger\" may not be changed");

    // exited, it is not restarted
    String id = get("debuggee").getStatus().getEphemeralContainerStatuses().get(0).getContainerID().substring("runc://".length());
    Commands.run("runc", "--root", tmp.resolve("run/runc").toString(), "kill", id, "KILL");
    await().atMost(Duration.ofSeconds(30)).until(() -> get("debuggee").getStatus().getEphemeralContainerStatuses().get(0)
        .getState().getTerminated() != null);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
      ContainerStatus s = get("debuggee").getStatus().getEphemeralContainerStatuses().get(0);
      return s.getState().getTerminated() != null && s.getRestartCount() == 0;
    });
    String uid = get("debuggee").getMetadata().getUid();
    delete("debuggee");
    assertThat(tmp.resolve("run/pods/" + uid)).doesNotExist();
  }

  @Test
  void runtimeClassHandlers() {
    for (String[] rc : new String[][] {{"plain", "runc"}, {"kata", "kata"}}) {
      client.resource(new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder().withNewMetadata().withName(rc[0])
          .endMetadata().withHandler(rc[1]).build()).create();
    }
    // a class whose handler is runc runs as any pod
    client.pods().inNamespace("default").resource(oneShot("with-runc", "echo ran").editSpec().withRuntimeClassName("plain")
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase("with-runc")));
    // a handler this node lacks: no sandbox, the pod waits and says why, as with containerd
    client.pods().inNamespace("default").resource(oneShot("with-kata", "echo ran").editSpec().withRuntimeClassName("kata")
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> client.v1().events().inNamespace("default").list().getItems().stream()
        .anyMatch(e -> "with-kata".equals(e.getInvolvedObject().getName()) && "FailedCreatePodSandBox".equals(e.getReason())
            && e.getMessage().equals("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox "
                + "runtime: no runtime for \"kata\" is configured")));
    assertThat(phase("with-kata")).isEqualTo("Pending");
    delete("with-runc");
    delete("with-kata");
  }

  private static PodBuilder oneShot(String name, String script) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeName(NODE)
        .withRestartPolicy("Never").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main").withImage(image)
        .withCommand("sh", "-c", script).endContainer().endSpec();
  }

  private static ContainerStatus status(String name, List<ContainerStatus> none) {
    Pod p = get(name);
    if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return null;
    return p.getStatus().getContainerStatuses().isEmpty() ? null : p.getStatus().getContainerStatuses().get(0);
  }

  private static String phase(String name) {
    Pod p = get(name);
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  private static void delete(String name) {
    client.pods().inNamespace("default").withName(name).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get(name) == null);
  }

  /** fabric8's edit sends the resourceVersion it read; the kubelet writes the pod's status at any time. */
  private static <T> T retryOnConflict(java.util.function.Supplier<T> edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return edit.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) throw e;
      }
    }
  }
}
