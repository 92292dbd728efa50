package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission as kubectl and fabric8 users see it, against an API server with upstream's default plugins (ServiceAccount
 * included) and the serviceaccount and resourcequota controllers running.
 */
class AdmissionE2E {
  private static TestApiServer server;
  private static KubernetesClient client;
  private static ControllerManager controllers;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    server = new TestApiServer(c -> c.withAdmission(c.admission().enabling("ServiceAccount")));
    client = Fabric8.client(server);
    controllers = new ControllerManager(Fabric8.client(server), KnownControllers.select(List.of("serviceaccount", "resourcequota")),
        LeaderElection.defaults("admission-e2e").withEnabled(false), "127.0.0.1", 0).start();
    Path work = Files.createTempDirectory("planet-admission-e2e-");
    kubectl = new Kubectl(installed.get(0), server.writeKubeconfig(work), work);
  }

  @AfterAll
  static void stop() {
    if (controllers != null) controllers.close();
    if (client != null) client.close();
    if (server != null) server.close();
  }

  /** A namespace with its default ServiceAccount in place (pods need it with the ServiceAccount plugin on). */
  private static String namespace(String name, String... labels) {
    kubectl.run("create", "namespace", name).assertSuccess();
    if (labels.length > 0) {
      String[] args = new String[labels.length + 3];
      args[0] = "label";
      args[1] = "namespace";
      args[2] = name;
      System.arraycopy(labels, 0, args, 3, labels.length);
      kubectl.run(args).assertSuccess();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
    return name;
  }

  private static String pod(String name, String securityContext) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          containers:
          - name: c
            image: busybox
            securityContext: %s
        """.formatted(name, securityContext);
  }

  @Test
  void restrictedNamespaceRefusesAPrivilegedPodWithUpstreamsMessage() {
    String ns = namespace("psa-enforce", "pod-security.kubernetes.io/enforce=restricted");
    Kubectl.Result r = kubectl.runWithInput(pod("priv", "{privileged: true}"), "-n", ns, "apply", "-f", "-").assertFailure();
    assertThat(r.stderr()).contains("Error from server (Forbidden): error when creating \"STDIN\": pods \"priv\" is forbidden: "
        + "violates PodSecurity \"restricted:latest\": privileged (container \"c\" must not set securityContext.privileged=true), "
        + "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
        + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
        + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
        + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");

    // fabric8 gets the same Status: 403 Forbidden
    Pod privileged = new PodBuilder().withNewMetadata().withName("priv2").endMetadata().withNewSpec().addNewContainer()
        .withName("c").withImage("busybox").withNewSecurityContext().withPrivileged(true).endSecurityContext().endContainer()
        .endSpec().build();
    assertThatThrownBy(() -> client.pods().inNamespace(ns).resource(privileged).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(403);
          assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
          assertThat(e.getStatus().getMessage()).startsWith("pods \"priv2\" is forbidden: violates PodSecurity \"restricted:latest\": privileged");
        });

    // a pod meeting restricted (with the injected token volume, a projected one) is admitted
    kubectl.runWithInput(pod("ok", "{allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, "
        + "seccompProfile: {type: RuntimeDefault}}"), "-n", ns, "apply", "-f", "-").assertSuccess();
  }

  @Test
  void warnLevelShowsKubectlWarningsForPodsAndWorkloadTemplates() {
    String ns = namespace("psa-warn", "pod-security.kubernetes.io/enforce=baseline", "pod-security.kubernetes.io/warn=restricted");
    Kubectl.Result r = kubectl.runWithInput(pod("plain", "{}"), "-n", ns, "apply", "-f", "-").assertSuccess();
    assertThat(r.stderr()).contains("Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false "
        + "(container \"c\" must set securityContext.allowPrivilegeEscalation=false)");
    Kubectl.Result d = kubectl.run("-n", ns, "create", "deployment", "web", "--image=busybox").assertSuccess();
    assertThat(d.stderr()).contains("Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false "
        + "(container \"busybox\" must set securityContext.allowPrivilegeEscalation=false)");
    // baseline is still enforced
    kubectl.runWithInput(pod("priv", "{privileged: true}"), "-n", ns, "apply", "-f", "-").assertFailure();
  }

  @Test
  void namespaceLabelsAreValidatedAndTighteningWarnsAboutExistingPods() {
    String ns = namespace("psa-labels");
    kubectl.runWithInput("""
        apiVersion: v1
        kind: Pod
        metadata: {name: hostnet}
        spec: {hostNetwork: true, containers: [{name: c, image: busybox}]}
        """, "-n", ns, "apply", "-f", "-").assertSuccess();
    Kubectl.Result bad = kubectl.run("label", "namespace", ns, "pod-security.kubernetes.io/enforce=strict").assertFailure();
    assertThat(bad.stderr()).contains("metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": "
        + "must be one of privileged, baseline, restricted");
    Kubectl.Result r = kubectl.run("label", "namespace", ns, "pod-security.kubernetes.io/enforce=baseline").assertSuccess();
    assertThat(r.stderr()).contains("Warning: existing pods in namespace \"psa-labels\" violate the new PodSecurity enforce level "
        + "\"baseline:latest\"", "Warning: hostnet: host namespaces");
  }

  @Test
  void quotaRefusesPastHardAndTracksUsed() {
    String ns = namespace("quota");
    ResourceQuota q = new ResourceQuotaBuilder().withNewMetadata().withName("q").endMetadata().withNewSpec()
        .withHard(Map.of("pods", new Quantity("2"), "count/configmaps", new Quantity("5"))).endSpec().build();
    client.resourceQuotas().inNamespace(ns).resource(q).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> used(ns, "pods") != null);
    assertThat(used(ns, "pods")).isEqualTo("0");
    // kube-root-ca.crt is not published yet, so no ConfigMap is counted
    for (String name : List.of("p1", "p2")) kubectl.runWithInput(pod(name, "{}"), "-n", ns, "apply", "-f", "-").assertSuccess();
    // admission charged both at once; nothing to wait for
    assertThat(used(ns, "pods")).isEqualTo("2");
    Kubectl.Result r = kubectl.runWithInput(pod("p3", "{}"), "-n", ns, "apply", "-f", "-").assertFailure();
    assertThat(r.stderr()).contains("pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
    assertThatThrownBy(() -> client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p4").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

    // the controller gives the quota back when a pod goes
    client.pods().inNamespace(ns).withName("p1").withGracePeriod(0).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(used(ns, "pods")));
    kubectl.runWithInput(pod("p3", "{}"), "-n", ns, "apply", "-f", "-").assertSuccess();
    assertThat(used(ns, "pods")).isEqualTo("2");
    JsonNode described = kubectl.getJson("-n", ns, "resourcequota", "q");
    assertThat(described.at("/status/hard/pods").asText()).isEqualTo("2");
  }

  private static String used(String ns, String resource) {
    ResourceQuota q = client.resourceQuotas().inNamespace(ns).withName("q").get();
    if (q.getStatus() == null || q.getStatus().getUsed() == null) return null;
    Quantity v = q.getStatus().getUsed().get(resource);
    return v == null ? null : v.toString();
  }

  @Test
  void limitRangeDefaultsAndMaximums() {
    String ns = namespace("limits");
    kubectl.runWithInput("""
        apiVersion: v1
        kind: LimitRange
        metadata: {name: lr}
        spec:
          limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m}
            max: {cpu: "1"}
        """, "-n", ns, "apply", "-f", "-").assertSuccess();
    kubectl.runWithInput(pod("defaulted", "{}"), "-n", ns, "apply", "-f", "-").assertSuccess();
    JsonNode p = kubectl.getJson("-n", ns, "pod", "defaulted");
    assertThat(p.at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("500m");
    assertThat(p.at("/spec/containers/0/resources/limits/memory").asText()).isEqualTo("256Mi");
    assertThat(p.at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("100m");
    assertThat(p.at("/spec/containers/0/resources/requests/memory").asText()).isEqualTo("256Mi");
    assertThat(p.at("/metadata/annotations/kubernetes.io~1limit-ranger").asText())
        .isEqualTo("LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c");
    assertThat(p.at("/status/qosClass").asText()).isEqualTo("Burstable");

    Kubectl.Result r = kubectl.runWithInput("""
        apiVersion: v1
        kind: Pod
        metadata: {name: big}
        spec: {containers: [{name: c, image: busybox, resources: {limits: {cpu: "2"}}}]}
        """, "-n", ns, "apply", "-f", "-").assertFailure();
    assertThat(r.stderr()).contains("pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
  }

  @Test
  void serviceAccountIsDefaultedCheckedAndItsTokenVolumeInjected() {
    String ns = namespace("sa");
    kubectl.runWithInput(pod("app", "{}"), "-n", ns, "apply", "-f", "-").assertSuccess();
    Pod p = client.pods().inNamespace(ns).withName("app").get();
    assertThat(p.getSpec().getServiceAccountName()).isEqualTo("default");
    String volume = p.getSpec().getVolumes().get(0).getName();
    assertThat(volume).matches("kube-api-access-[a-z0-9]{5}");
    var projected = p.getSpec().getVolumes().get(0).getProjected();
    assertThat(projected.getSources().get(0).getServiceAccountToken().getExpirationSeconds()).isEqualTo(3607L);
    assertThat(projected.getSources().get(0).getServiceAccountToken().getPath()).isEqualTo("token");
    assertThat(projected.getSources().get(1).getConfigMap().getName()).isEqualTo("kube-root-ca.crt");
    assertThat(projected.getSources().get(2).getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    var mount = p.getSpec().getContainers().get(0).getVolumeMounts().get(0);
    assertThat(mount.getName()).isEqualTo(volume);
    assertThat(mount.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
    assertThat(mount.getReadOnly()).isTrue();

    Kubectl.Result r = kubectl.runWithInput("""
        apiVersion: v1
        kind: Pod
        metadata: {name: ghostly}
        spec: {serviceAccountName: ghost, containers: [{name: c, image: busybox}]}
        """, "-n", ns, "apply", "-f", "-").assertFailure();
    assertThat(r.stderr()).contains("pods \"ghostly\" is forbidden: error looking up service account sa/ghost: serviceaccount \"ghost\" not found");

    Pod noToken = client.pods().inNamespace(ns).resource(new PodBuilder().withMetadata(new ObjectMeta()).editMetadata()
        .withName("no-token").endMetadata().withNewSpec().withAutomountServiceAccountToken(false).addNewContainer()
        .withName("c").withImage("busybox").endContainer().endSpec().build()).create();
    assertThat(noToken.getSpec().getVolumes()).isEmpty();
  }
}
