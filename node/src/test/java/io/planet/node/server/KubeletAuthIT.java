package io.planet.node.server;

import io.planet.api.tls.KubeletServingTrust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.planet.apiserver.auth.AuthenticationConfig;
import io.planet.apiserver.pki.CertSpec;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Kubeconfigs;
import io.planet.apiserver.pki.PemFiles;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.ImageStoreAccess;
import io.planet.node.image.TestImages;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.node.runtime.Commands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubelet API secured as kubeadm secures it: serving certificate from the cluster CA, client certificates checked
 * against the CA, bearer tokens through TokenReview, every request authorized by a SubjectAccessReview to an API
 * server running RBAC — and the API server still reaching the kubelet (logs, exec, port-forward, node proxy) with its
 * apiserver-kubelet-client certificate while verifying the kubelet's.
 */
class KubeletAuthIT {
  static final String NODE = "kubelet-auth-it";
  static final String VIEWER_TOKEN = "kubelet-auth-it-viewer-token";
  static final String STRANGER_TOKEN = "kubelet-auth-it-stranger-token";
  static TestApiServer apiServer;
  static KubernetesClient admin;
  static KubernetesClient kubeletClient;
  static Kubelet kubelet;
  static Path tmp;
  static String bridge;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    tmp = Files.createTempDirectory("planet-kubelet-auth");
    Path tokens = tmp.resolve("tokens.csv");
    Files.writeString(tokens, VIEWER_TOKEN + ",kubelet-viewer,uid-viewer,\"team-a\"\n"
        + STRANGER_TOKEN + ",stranger,uid-stranger\n");
    apiServer = TestApiServer.withTls(c -> c.withAuthorizationMode("RBAC")
        .withAuthentication(new AuthenticationConfig(c.authentication().clientCaFile(), tokens, true)));
    ClusterPki pki = apiServer.pki();
    // the node's serving and client certificates, and a user with no rights on nodes
    List<CertSpec> specs = new ArrayList<>();
    for (CertSpec s : new ClusterCertificates(List.of(new ClusterCertificates.Node(NODE, List.of())), "10.96.0.0/12",
        "cluster.local").specs()) {
      if (s.name().startsWith("kubelet-")) specs.add(s);
    }
    specs.add(CertSpec.client("jane", "jane", List.of("developers")));
    pki.ensure(specs);
    Path kubeconfig = tmp.resolve("kubelet.kubeconfig");
    Kubeconfigs.write(kubeconfig, apiServer.url(), pki, ClusterCertificates.kubeletClient(NODE));

    admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(apiServer.adminKubeconfig())))
        .build();
    // what the Node authorizer grants a node (system:node's rules, TokenReview and SubjectAccessReview included)
    admin.resource("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: kubelet-auth-it-node}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:node:%s"}]
        """.formatted(NODE)).create();
    admin.resource("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: kubelet-proxy-reader}
        rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
        """).create();
    admin.resource("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: kubelet-proxy-reader}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-proxy-reader}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kubelet-viewer}]
        """).create();

    // the kubelet talks to the API server as system:node:<node>, from its own kubeconfig
    kubeletClient = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    Kubelet.Paths paths = new Kubelet.Paths(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("logs"), Path.of("/run/netns"));
    bridge = "ka" + Long.toHexString(System.nanoTime() & 0xffffffL);
    String cidr = "10.198." + (int) (Math.random() * 250) + ".0/24";
    kubelet = new Kubelet(kubeletClient, NodeStatusManager.Options.defaults(NODE, paths.dataDir()), paths, Set.of(),
        Duration.ofSeconds(1), Duration.ofSeconds(4), PodNetworking.cni(kubeletClient, NODE, cidr, tmp.resolve("cni"), bridge), 0)
        .withServerConfig(KubeletServerConfig.secured(pki.certFile(ClusterCertificates.kubeletServing(NODE)),
            pki.keyFile(ClusterCertificates.kubeletServing(NODE)), pki.caFile()));
    String image = new ArchiveImporter(kubelet.images()).importArchive(TestImages.busybox(), null).get(0).names().get(0);
    kubelet.start();
    String host = admin.nodes().withName(NODE).get().getStatus().getAddresses().get(0).getAddress();
    base = "https://" + host + ":" + kubelet.port();

    admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c",
            "echo hello from web; mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 8080 -h /www")
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(
        admin.pods().inNamespace("default").withName("web").get().getStatus().getPhase()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (admin != null) {
      admin.pods().inNamespace("default").withName("web").delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> admin.pods().inNamespace("default").withName("web").get() == null);
    }
    if (kubelet != null) kubelet.close();
    if (bridge != null) Commands.run("sh", "-c", "ip link del " + bridge + " 2>/dev/null || true");
    if (kubeletClient != null) kubeletClient.close();
    if (admin != null) admin.close();
    if (apiServer != null) apiServer.close();
    if (tmp != null) ImageStoreAccess.deleteTree(tmp);
  }

  /** A client that verifies the kubelet against the cluster CA and presents {@code certName} (null: nothing). */
  private static HttpClient client(String certName) throws Exception {
    ClusterPki pki = apiServer.pki();
    KeyManagerFactory kmf = null;
    if (certName != null) {
      char[] none = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, none);
      ks.setKeyEntry(certName, PemFiles.readPrivateKey(pki.keyFile(certName)), none,
          new Certificate[] {PemFiles.readCertificate(pki.certFile(certName))});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, none);
    }
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf == null ? null : kmf.getKeyManagers(),
        new TrustManager[] {new KubeletServingTrust(List.of(PemFiles.readCertificate(pki.caFile())), NODE)}, null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static HttpResponse<String> get(HttpClient http, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requestsWithoutCredentialsAreUnauthorized() throws Exception {
    HttpClient anonymous = client(null);
    for (String path : List.of("/pods", "/healthz", "/stats/summary", "/containerLogs/default/web/main")) {
      HttpResponse<String> r = get(anonymous, path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.body()).isEqualTo("Unauthorized");
    }
    // a token the API server does not know is no better
    assertThat(get(anonymous, "/pods", "not-a-token").statusCode()).isEqualTo(401);
  }

  @Test
  void aCertificateWithoutNodeRightsIsForbiddenInUpstreamsWords() throws Exception {
    HttpClient jane = client("jane");
    HttpResponse<String> r = get(jane, "/pods", null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("Forbidden (user=jane, verb=get, resource=nodes, subresource=proxy)");
    assertThat(get(jane, "/stats/summary", null).body())
        .isEqualTo("Forbidden (user=jane, verb=get, resource=nodes, subresource=stats)");
    assertThat(get(jane, "/metrics/resource", null).body())
        .isEqualTo("Forbidden (user=jane, verb=get, resource=nodes, subresource=metrics)");
    HttpResponse<String> post = jane.send(HttpRequest.newBuilder(URI.create(base + "/exec/default/web/main?command=ls"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.body()).isEqualTo("Forbidden (user=jane, verb=create, resource=nodes, subresource=proxy)");
  }

  @Test
  void theAdminCertificateIsAllowed() throws Exception {
    HttpResponse<String> r = get(client(ClusterCertificates.ADMIN), "/pods", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"name\":\"web\"");
    assertThat(get(client(ClusterCertificates.ADMIN), "/containerLogs/default/web/main", null).body())
        .isEqualTo("hello from web\n");
  }

  @Test
  void aBearerTokenIsReviewedAndItsUserAuthorizedByRbac() throws Exception {
    HttpClient noCert = client(null);
    HttpResponse<String> r = get(noCert, "/pods", VIEWER_TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"name\":\"web\"");
    // the role grants nodes/proxy only
    HttpResponse<String> stats = get(noCert, "/stats/summary", VIEWER_TOKEN);
    assertThat(stats.statusCode()).isEqualTo(403);
    assertThat(stats.body()).isEqualTo("Forbidden (user=kubelet-viewer, verb=get, resource=nodes, subresource=stats)");
    HttpResponse<String> stranger = get(noCert, "/pods", STRANGER_TOKEN);
    assertThat(stranger.statusCode()).isEqualTo(403);
    assertThat(stranger.body()).isEqualTo("Forbidden (user=stranger, verb=get, resource=nodes, subresource=proxy)");
  }

  @Test
  void kubectlLogsExecAndPortForwardStillWorkThroughTheApiServer() throws Exception {
    Path kubeconfig = apiServer.adminKubeconfig();
    assertThat(kubectl(kubeconfig, "logs", "web")).isEqualTo("hello from web\n");
    assertThat(kubectl(kubeconfig, "exec", "web", "--", "cat", "/www/index.html")).isEqualTo("served\n");
    // the node proxy (nodes/proxy through the API server) reaches the kubelet as well
    assertThat(admin.raw("/api/v1/nodes/" + NODE + "/proxy/pods")).contains("\"name\":\"web\"");
    // port-forward: the upgrade relay (fabric8 speaks the v4 channel protocol)
    try (LocalPortForward pf = admin.pods().inNamespace("default").withName("web").portForward(8080)) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + pf.getLocalPort() + "/index.html")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("served\n");
    }
  }

  /** Runs the real kubectl with {@code kubeconfig} in namespace default; its stdout, failing on a non-zero exit. */
  private static String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", "default",
        "--request-timeout=30s"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errPump = new Thread(() -> {
      try (InputStream in = p.getErrorStream()) {
        in.transferTo(err);
      } catch (IOException e) {
        // the process went away
      }
    });
    errPump.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " timed out");
    }
    errPump.join(5000);
    assertThat(p.exitValue()).as("kubectl %s: %s", String.join(" ", args), err).isZero();
    return out;
  }
}
