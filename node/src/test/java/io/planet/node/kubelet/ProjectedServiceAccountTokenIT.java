package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.pki.TlsContexts;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.ImageStoreAccess;
import io.planet.node.image.TestImages;
import io.planet.node.runtime.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pod on a real kubelet gets its service-account token through a projected volume (TokenRequest bound to the pod),
 * and that token can do exactly what the account's Role allows; it stops working once the pod is deleted.
 */
class ProjectedServiceAccountTokenIT {
  static final String NODE = "satoken-it";
  static final String NS = "satoken";
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;

  @BeforeAll
  static void start() throws Exception {
    apiServer = TestApiServer.withTls(c -> c.withAuthorizationMode("RBAC"));
    client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(apiServer.adminKubeconfig()))).build();
    tmp = Files.createTempDirectory("planet-satoken");
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    NodeStatusManager.Options node = NodeStatusManager.Options.defaults(NODE, paths.dataDir());
    bridge = "pt" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String cidr = "10.197." + (int) (Math.random() * 250) + ".0/24";
    kubelet = new Kubelet(client, node, paths, Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(4),
        PodNetworking.cni(client, NODE, cidr, tmp.resolve("cni"), bridge), 0, List.of(), "cluster.local");
    image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inNamespace(NS).delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NS).list().getItems().isEmpty());
    }
    if (kubelet != null) kubelet.close();
    if (bridge != null) Commands.run("sh", "-c", "ip link del " + bridge + " 2>/dev/null || true");
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
    if (tmp != null) ImageStoreAccess.deleteTree(tmp);
  }

  private static ApiClient.Response asToken(String token, String path) {
    return new ApiClient(apiServer.url(), TlsContexts.client(apiServer.pki(), null))
        .send("GET", path, null, null, Map.of("Authorization", "Bearer " + token));
  }

  private static String exec(String pod, String... command) throws Exception {
    Pod p = client.pods().inNamespace(NS).withName(pod).get();
    String id = p.getStatus().getContainerStatuses().get(0).getContainerID().substring("runc://".length());
    List<String> cmd = new ArrayList<>(List.of("runc", "--root", tmp.resolve("run/runc").toString(), "exec", id));
    cmd.addAll(List.of(command));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(proc.getInputStream().readAllBytes());
    proc.waitFor();
    return out;
  }

  @Test
  void podTokenCanDoExactlyWhatItsRoleAllows() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    client.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata().withName("app")
        .endMetadata().build()).create();
    String ca = Files.readString(apiServer.pki().caFile());
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("kube-root-ca.crt")
        .endMetadata().withData(Map.of("ca.crt", ca)).build()).create();
    apiServer.client().create("/apis/rbac.authorization.k8s.io/v1/namespaces/" + NS + "/roles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"pod-reader"},
         "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]}""");
    apiServer.client().create("/apis/rbac.authorization.k8s.io/v1/namespaces/" + NS + "/rolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"app-reads-pods"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"},
         "subjects":[{"kind":"ServiceAccount","name":"app","namespace":"%s"}]}""".formatted(NS));
    // the volume ServiceAccount admission injects upstream (kube-api-access-*), written out here
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("reader").endMetadata()
        .withNewSpec().withNodeName(NODE).withServiceAccountName("app").withTerminationGracePeriodSeconds(1L)
        .addNewVolume().withName("kube-api-access").withNewProjected().withDefaultMode(0644)
          .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L).endServiceAccountToken().endSource()
          .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt").withPath("ca.crt").endItem()
            .endConfigMap().endSource()
          .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef().withApiVersion("v1")
            .withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
          .endProjected().endVolume()
        .addNewContainer().withName("main").withImage(image).withCommand("sleep", "1000")
          .addNewVolumeMount().withName("kube-api-access").withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
            .withReadOnly(true).endVolumeMount()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.pods().inNamespace(NS).withName("reader").get()
        .getStatus().getPhase()));
    String dir = "/var/run/secrets/kubernetes.io/serviceaccount/";
    assertThat(exec("reader", "cat", dir + "namespace")).isEqualTo(NS);
    assertThat(exec("reader", "cat", dir + "ca.crt")).isEqualTo(ca);
    String token = exec("reader", "cat", dir + "token");
    assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    await().atMost(Duration.ofSeconds(10)).until(() -> asToken(token, "/api/v1/namespaces/" + NS + "/pods").code() == 200);
    assertThat(asToken(token, "/api/v1/namespaces/" + NS + "/pods/reader").body().at("/spec/serviceAccountName").asText())
        .isEqualTo("app");
    ApiClient.Response secrets = asToken(token, "/api/v1/namespaces/" + NS + "/secrets");
    assertThat(secrets.code()).isEqualTo(403);
    assertThat(secrets.body().path("message").asText()).isEqualTo("secrets is forbidden: User \"system:serviceaccount:"
        + NS + ":app\" cannot list resource \"secrets\" in API group \"\" in the namespace \"" + NS + "\"");
    assertThat(asToken(token, "/api/v1/namespaces/default/pods").code()).isEqualTo(403);

    // bound to the pod: gone with it
    client.pods().inNamespace(NS).withName("reader").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NS).withName("reader").get() == null);
    await().atMost(Duration.ofSeconds(10)).until(() -> asToken(token, "/api/v1/namespaces/" + NS + "/pods").code() == 401);
  }
}
