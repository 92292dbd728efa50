package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.runtime.Commands;
import io.planet.node.runtime.Mounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pods bound to the node run as real runc containers from the busybox image; their status follows upstream's. */
class KubeletPodsIT {
  static final String NODE = "kubelet-it";
  static KubeletHarness h;
  static TestApiServer apiServer;
  static KubernetesClient client;
  static Kubelet kubelet;
  static Path tmp;
  static String image;
  static String bridge;
  static String cidr;

  @BeforeAll
  static void start() throws Exception {
    h = KubeletHarness.start(NODE, "pk", k -> k);
    apiServer = h.apiServer; client = h.client; kubelet = h.kubelet(); tmp = h.tmp; image = h.image;
    bridge = h.bridge; cidr = h.cidr;
  }

  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  private Pod create(String name, String restartPolicy, String script) {
    return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", script).endContainer()
        .endSpec().build()).create();
  }

  /** Everything a WebSocket on {@code path} receives until the server closes it (binary as text, text as is). */
  private static String webSocketLog(String path, String protocol) throws Exception {
    StringBuilder out = new StringBuilder();
    java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().subprotocols(protocol)
        .buildAsync(java.net.URI.create(apiServer.url().replace("http", "ws") + path), new java.net.http.WebSocket.Listener() {
          @Override
          public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket w, java.nio.ByteBuffer data, boolean last) {
            synchronized (out) {
              out.append(java.nio.charset.StandardCharsets.UTF_8.decode(data));
            }
            w.request(1);
            return null;
          }

          @Override
          public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
            synchronized (out) {
              out.append(data);
            }
            w.request(1);
            return null;
          }

          @Override
          public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int status, String reason) {
            closed.complete(status);
            return null;
          }

          @Override
          public void onError(java.net.http.WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
          }
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(ws.getSubprotocol()).isEqualTo(protocol);
    assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1000);
    synchronized (out) {
      return out.toString();
    }
  }

  private static Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  /** The pod's only container's status; a placeholder until the kubelet reports one. */
  private static ContainerStatus main(Pod p) {
    List<ContainerStatus> s = p.getStatus().getContainerStatuses();
    return s == null || s.isEmpty() ? new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
        .withNewState().endState().withRestartCount(0).build() : s.get(0);
  }

  @Test
  void clusterFirstPodsResolveThroughTheClusterDns() {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("resolv").endMetadata()
        .withNewSpec().withNodeName(NODE).withRestartPolicy("Never").withHostname("pg-0").withSubdomain("pg")
        .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", "cat /etc/resolv.conf /etc/hosts").endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(get("resolv").getStatus().getPhase()));
    String out = client.pods().inNamespace("default").withName("resolv").getLog();
    assertThat(out).startsWith("nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local")
        .contains("options ndots:5\n")
        // a pod with a subdomain knows its name under the headless service
        .contains(get("resolv").getStatus().getPodIP() + "\tpg-0.pg.default.svc.cluster.local\tpg-0\n");
  }

  @Test
  void runsAPodAndDeletingItLeavesNothingBehind() throws Exception {
    Pod created = create("web", "Always", "echo hello from $(hostname); exec sleep 1000");
    await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(get("web").getStatus().getPhase()));
    Pod pod = get("web");
    ContainerStatus c = main(pod);
    assertThat(c.getReady()).isTrue();
    assertThat(c.getStarted()).isTrue();
    assertThat(c.getState().getRunning().getStartedAt()).isNotNull();
    assertThat(c.getContainerID()).startsWith("runc://");
    assertThat(c.getImageID()).startsWith("planet.local/busybox@sha256:");
    assertThat(pod.getStatus().getConditions()).filteredOn(x -> x.getType().equals("Ready")).singleElement()
        .satisfies(x -> assertThat(x.getStatus()).isEqualTo("True"));
    assertThat(pod.getStatus().getHostIP()).isNotEmpty();
    String prefix = cidr.substring(0, cidr.lastIndexOf('.') + 1);
    assertThat(pod.getStatus().getPodIP()).startsWith(prefix);
    assertThat(pod.getStatus().getPodIPs()).extracting("ip").containsExactly(pod.getStatus().getPodIP());
    Path log = tmp.resolve("logs/default_web_" + created.getMetadata().getUid() + "/main/0.log");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readString(log).contains("stdout F hello from web"));

    // the kubelet API serves the log as kubectl logs shows it
    String logs = kubeletGet("/containerLogs/default/web/main");
    assertThat(logs).isEqualTo("hello from web\n");
    assertThat(kubeletGet("/containerLogs/default/web/main?timestamps=true"))
        .matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z hello from web\n");
    assertThat(kubeletGet("/containerLogs/default/web/main?previous=true"))
        .isEqualTo("previous terminated container \"main\" in pod \"web\" not found");

    // nodes/proxy reaches the kubelet API through the API server (kubectl get --raw /api/v1/nodes/N/proxy/...)
    String base = apiServer.url() + "/api/v1/nodes/" + NODE + "/proxy";
    assertThat(client.raw(base + "/healthz")).isEqualTo("ok");
    assertThat(client.raw(base + "/pods")).contains("\"name\":\"web\"");
    assertThat(client.raw(base + "/containerLogs/default/web/main?tailLines=1")).isEqualTo("hello from web\n");

    // and the API server proxies pods/log to it (what kubectl logs uses)
    assertThat(client.pods().inNamespace("default").withName("web").getLog()).isEqualTo("hello from web\n");
    assertThat(client.pods().inNamespace("default").withName("web").usingTimestamps().getLog())
        .matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z hello from web\n");
    assertThatThrownBy(() -> client.pods().inNamespace("default").withName("web").inContainer("nope").getLog())
        .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(400);
          assertThat(e.getStatus().getMessage()).isEqualTo("container nope is not valid for pod web");
        });
    assertThatThrownBy(() -> client.pods().inNamespace("default").withName("web").terminated().getLog())
        .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class,
            e -> assertThat(e.getStatus().getMessage()).isEqualTo("previous terminated container \"main\" in pod \"web\" not found"));

    // pods/log over WebSocket (upstream's e2e "should support retrieving logs from the container over websockets")
    String logPath = "/api/v1/namespaces/default/pods/web/log?container=main";
    assertThat(webSocketLog(logPath, "binary.k8s.io")).isEqualTo("hello from web\n");
    assertThat(new String(java.util.Base64.getDecoder().decode(webSocketLog(logPath, "base64.binary.k8s.io")),
        java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hello from web\n");

    client.pods().inNamespace("default").withName("web").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("web") == null);
    String uid = created.getMetadata().getUid();
    assertThat(Mounts.under(tmp)).noneMatch(m -> m.toString().contains(uid) || m.toString().contains(uid.substring(0, 8)));
    assertThat(Files.exists(Path.of("/run/netns/planet-" + created.getMetadata().getUid()))).isFalse();
    assertThat(Files.exists(log.getParent().getParent())).isFalse();
    String containerId = c.getContainerID().substring("runc://".length());
    assertThat(Commands.run("runc", "--root", tmp.resolve("run/runc").toString(), "list")).doesNotContain(containerId);
  }

  @Test
  void finishedPodsReportExitCodesAndPhase() {
    create("fails", "Never", "echo bye; exit 3");
    await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(get("fails").getStatus().getPhase()));
    ContainerStatus c = main(get("fails"));
    assertThat(c.getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(c.getState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(c.getReady()).isFalse();

    create("works", "OnFailure", "exit 0");
    await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(get("works").getStatus().getPhase()));
    assertThat(main(get("works")).getState().getTerminated().getReason()).isEqualTo("Completed");
  }

  @Test
  void crashingContainersBackOff() {
    create("crash", "Always", "echo crashing; exit 1");
    await().atMost(Duration.ofSeconds(40)).until(() -> {
      ContainerStatus c = main(get("crash"));
      return c.getRestartCount() >= 2 && c.getState().getWaiting() != null
          && "CrashLoopBackOff".equals(c.getState().getWaiting().getReason());
    });
    ContainerStatus c = main(get("crash"));
    assertThat(c.getState().getWaiting().getMessage()).startsWith("back-off ").contains("restarting failed container=main");
    assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(get("crash").getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void initContainersEnvAndEmptyDirs() {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
        .endMetadata().withData(Map.of("color", "blue")).build()).create();
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("init").endMetadata()
        .withNewSpec().withNodeName(NODE).withRestartPolicy("Never")
        .addNewVolume().withName("shared").withNewEmptyDir().endEmptyDir().endVolume()
        .addNewInitContainer().withName("prepare").withImage(image).withCommand("sh", "-c", "echo prepared > /work/state")
          .addNewVolumeMount().withName("shared").withMountPath("/work").endVolumeMount().endInitContainer()
        .addNewContainer().withName("main").withImage(image)
          .withCommand("sh", "-c", "cat /work/state; echo $POD_NAME $COLOR $0")
          .withArgs("$(POD_NAME)-expanded")
          .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("COLOR").withNewValueFrom().withNewConfigMapKeyRef().withName("settings").withKey("color").endConfigMapKeyRef().endValueFrom().endEnv()
          .addNewVolumeMount().withName("shared").withMountPath("/work").endVolumeMount().endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(get("init").getStatus().getPhase()));
    Pod pod = get("init");
    assertThat(pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated().getReason()).isEqualTo("Completed");
    Path log = tmp.resolve("logs/default_init_" + pod.getMetadata().getUid() + "/main/0.log");
    assertThat(log).content().contains("stdout F prepared").contains("stdout F init blue init-expanded");

    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("noconfig").endMetadata()
        .withNewSpec().withNodeName(NODE).addNewContainer().withName("main").withImage(image).withCommand("sleep", "100")
          .addNewEnv().withName("X").withNewValueFrom().withNewConfigMapKeyRef().withName("missing").withKey("k").endConfigMapKeyRef().endValueFrom().endEnv()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      ContainerStatus s = main(get("noconfig"));
      return s.getState().getWaiting() != null && "CreateContainerConfigError".equals(s.getState().getWaiting().getReason());
    });
    assertThat(main(get("noconfig")).getState().getWaiting().getMessage()).isEqualTo("configmap \"missing\" not found");
    assertThat(get("noconfig").getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void imagesThatAreNotThereAreReported() {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("noimage").endMetadata()
        .withNewSpec().withNodeName(NODE).addNewContainer().withName("main").withImage("planet.local/absent:1")
        .withImagePullPolicy("Never").endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      ContainerStatus s = main(get("noimage"));
      return s.getState().getWaiting() != null && "ErrImageNeverPull".equals(s.getState().getWaiting().getReason());
    });
  }

  @Test
  void probesGateReadinessAndRestartUnhealthyContainers() {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("probed").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image)
          .withCommand("sh", "-c", "touch /tmp/alive; sleep 3; touch /tmp/ready; sleep 3; rm /tmp/alive; exec sleep 1000")
          .withNewReadinessProbe().withNewExec().withCommand("cat", "/tmp/ready").endExec().withPeriodSeconds(1).endReadinessProbe()
          .withNewLivenessProbe().withNewExec().withCommand("cat", "/tmp/alive").endExec().withPeriodSeconds(1)
            .withFailureThreshold(1).endLivenessProbe()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(get("probed").getStatus().getPhase()));
    assertThat(main(get("probed")).getReady()).as("not ready before the readiness probe passes").isFalse();
    await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(main(get("probed")).getReady()));
    assertThat(get("probed").getStatus().getConditions()).filteredOn(x -> x.getType().equals("Ready")).singleElement()
        .satisfies(x -> assertThat(x.getStatus()).isEqualTo("True"));
    // the liveness probe fails once /tmp/alive is gone: the container is killed and started again
    await().atMost(Duration.ofSeconds(40)).until(() -> main(get("probed")).getRestartCount() >= 1);
    assertThat(main(get("probed")).getLastState().getTerminated()).isNotNull();
  }

  @Test
  void podsGetIpsOnTheNodeNetworkAndHttpProbesReachThem() throws Exception {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("httpd").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image)
          .withCommand("sh", "-c", "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www")
          .addNewPort().withName("http").withContainerPort(8080).endPort()
          .withNewReadinessProbe().withNewHttpGet().withPath("/healthz").withNewPort("http").endHttpGet()
            .withPeriodSeconds(1).endReadinessProbe()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(40)).until(() -> Boolean.TRUE.equals(main(get("httpd")).getReady()));
    String ip = get("httpd").getStatus().getPodIP();
    // the node reaches the pod on its IP
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + ip + ":8080/healthz")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("ok\n");
  }

  @Test
  void configMapSecretAndDownwardApiVolumes() throws Exception {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("site")
        .endMetadata().withData(Map.of("index.html", "v1", "other", "x")).build()).create();
    client.secrets().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
        .withName("creds").endMetadata().withStringData(Map.of("password", "s3cret")).build()).create();
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("volumes")
        .addToLabels("tier", "web").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(1L)
        .addNewVolume().withName("site").withNewConfigMap().withName("site").addNewItem().withKey("index.html")
          .withPath("html/index.html").endItem().endConfigMap().endVolume()
        .addNewVolume().withName("creds").withNewSecret().withSecretName("creds").withDefaultMode(0400).endSecret().endVolume()
        .addNewVolume().withName("info").withNewDownwardAPI().addNewItem().withPath("labels").withNewFieldRef()
          .withFieldPath("metadata.labels").endFieldRef().endItem().endDownwardAPI().endVolume()
        .addNewContainer().withName("main").withImage(image).withCommand("sleep", "1000")
          .addNewVolumeMount().withName("site").withMountPath("/site").endVolumeMount()
          .addNewVolumeMount().withName("creds").withMountPath("/creds").endVolumeMount()
          .addNewVolumeMount().withName("info").withMountPath("/info").endVolumeMount()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(40)).until(() -> "Running".equals(get("volumes").getStatus().getPhase()));
    assertThat(exec("volumes", "cat", "/site/html/index.html")).isEqualTo("v1");
    assertThat(exec("volumes", "ls", "/site")).isEqualTo("html\n");
    assertThat(exec("volumes", "cat", "/creds/password")).isEqualTo("s3cret");
    assertThat(exec("volumes", "stat", "-L", "-c", "%a", "/creds/password")).isEqualTo("400\n");
    assertThat(exec("volumes", "cat", "/info/labels")).isEqualTo("tier=\"web\"");
    assertThat(exec("volumes", "sh", "-c", "touch /site/x 2>&1 || echo read-only")).contains("read-only");

    // a changed ConfigMap reaches the mounted file (upstream: within about a minute)
    client.configMaps().inNamespace("default").withName("site").edit(cm -> {
      cm.getData().put("index.html", "v2");
      return cm;
    });
    await().atMost(Duration.ofSeconds(75)).until(() -> exec("volumes", "cat", "/site/html/index.html").equals("v2"));

    // a pod whose ConfigMap is missing waits in ContainerCreating
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("nocm").endMetadata()
        .withNewSpec().withNodeName(NODE).addNewVolume().withName("v").withNewConfigMap().withName("absent").endConfigMap()
        .endVolume().addNewContainer().withName("main").withImage(image).withCommand("sleep", "100")
        .addNewVolumeMount().withName("v").withMountPath("/v").endVolumeMount().endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      ContainerStatus c = main(get("nocm"));
      return c.getState().getWaiting() != null && "ContainerCreating".equals(c.getState().getWaiting().getReason());
    });
    assertThat(get("nocm").getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void postStartAndPreStopHooksRun() throws Exception {
    Path hooksDir = Files.createDirectories(tmp.resolve("hooks"));
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("hooked").endMetadata()
        .withNewSpec().withNodeName(NODE).withTerminationGracePeriodSeconds(5L)
        .addNewVolume().withName("h").withNewHostPath().withPath(hooksDir.toString()).endHostPath().endVolume()
        .addNewContainer().withName("main").withImage(image).withCommand("sleep", "1000")
          .withNewLifecycle()
            .withNewPostStart().withNewExec().withCommand("sh", "-c", "echo started > /hooks/poststart").endExec().endPostStart()
            .withNewPreStop().withNewExec().withCommand("sh", "-c", "echo stopping > /hooks/prestop").endExec().endPreStop()
          .endLifecycle()
          .addNewVolumeMount().withName("h").withMountPath("/hooks").endVolumeMount()
        .endContainer().endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(get("hooked").getStatus().getPhase()));
    assertThat(hooksDir.resolve("poststart")).hasContent("started");
    assertThat(hooksDir.resolve("prestop")).doesNotExist();
    client.pods().inNamespace("default").withName("hooked").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("hooked") == null);
    assertThat(hooksDir.resolve("prestop")).hasContent("stopping");
  }

  /** Output of a command run in the pod's main container (through runc, as exec does). */
  private static String exec(String pod, String... command) throws Exception {
    Pod p = get(pod);
    String id = p.getStatus().getContainerStatuses().get(0).getContainerID().substring("runc://".length());
    List<String> cmd = new java.util.ArrayList<>(List.of("runc", "--root", tmp.resolve("run/runc").toString(), "exec", id));
    cmd.addAll(List.of(command));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(proc.getInputStream().readAllBytes());
    proc.waitFor();
    return out;
  }

  /** GET on the kubelet API (its certificate is self-signed: trusted blindly here). */
  private static String kubeletGet(String path) throws Exception {
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    String host = client.nodes().withName(NODE).get().getStatus().getAddresses().get(0).getAddress();
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://" + host + ":" + kubelet.port() + path))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }
}
