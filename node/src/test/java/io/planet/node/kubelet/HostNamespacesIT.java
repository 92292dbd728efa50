package io.planet.node.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.node.runtime.Commands;
import io.planet.node.runtime.Mounts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods with hostNetwork, hostPID and hostIPC share the node's namespaces, as on an upstream kubelet: no pod network
 * namespace and no CNI call, the node's IP as the pod IP, the node's hostname and hosts file; the node's processes
 * and IPC objects are visible; deleting such a pod leaves the node's network as it was.
 */
class HostNamespacesIT {
  static final String NODE = "hostns-it";
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
    h = KubeletHarness.start(NODE, "ph", k -> k);
    apiServer = h.apiServer; client = h.client; kubelet = h.kubelet(); tmp = h.tmp; image = h.image;
    bridge = h.bridge; cidr = h.cidr;
  }


  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  @Test
  void hostNetworkPodsUseTheNodesNetworkAndLeaveItIntact() throws Exception {
    int port = freePort();
    String defaultRoute = Commands.run("ip", "route", "show", "default");
    Pod created = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("hostnet-web")
        .endMetadata().withNewSpec().withNodeName(NODE).withHostNetwork(true).withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image)
          .withCommand("sh", "-c", "mkdir -p /www && echo hostnet-ok > /www/index.html && exec httpd -f -p " + port + " -h /www")
          .addNewPort().withContainerPort(port).endPort()
          // the kubelet probes the pod at its IP: the node's
          .withNewReadinessProbe().withNewHttpGet().withPath("/index.html").withNewPort(port).endHttpGet()
            .withPeriodSeconds(1).endReadinessProbe()
        .endContainer().endSpec().build()).create();
    String uid = created.getMetadata().getUid();
    // defaulting, as upstream: a host-network pod's ports are host ports
    assertThat(created.getSpec().getContainers().get(0).getPorts().get(0).getHostPort()).isEqualTo(port);
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("hostnet-web"));

    Pod pod = get("hostnet-web");
    String nodeIp = client.nodes().withName(NODE).get().getStatus().getAddresses().stream()
        .filter(a -> a.getType().equals("InternalIP")).findFirst().orElseThrow().getAddress();
    assertThat(pod.getStatus().getHostIP()).isEqualTo(nodeIp);
    assertThat(pod.getStatus().getPodIP()).isEqualTo(nodeIp);
    assertThat(pod.getStatus().getPodIPs()).extracting("ip").containsExactly(nodeIp);

    // the server in the pod listens on the node's own address
    assertThat(httpGet("http://" + nodeIp + ":" + port + "/index.html")).isEqualTo("hostnet-ok\n");
    // and port-forward (kubectl port-forward through the API server) reaches it in the node's namespace
    try (LocalPortForward pf = client.pods().inNamespace("default").withName("hostnet-web").portForward(port)) {
      assertThat(httpGet("http://127.0.0.1:" + pf.getLocalPort() + "/index.html")).isEqualTo("hostnet-ok\n");
    }

    // inside: the node's network namespace, interfaces, hostname and hosts file
    String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    assertThat(exec("hostnet-web", "readlink", "/proc/self/ns/net").trim())
        .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
    assertThat(exec("hostnet-web", "ip", "addr")).contains("inet " + nodeIp + "/");
    assertThat(exec("hostnet-web", "hostname")).isEqualTo(hostname + "\n");
    assertThat(exec("hostnet-web", "cat", "/etc/hostname")).isEqualTo(hostname + "\n");
    assertThat(exec("hostnet-web", "cat", "/etc/hosts"))
        .isEqualTo("# Kubernetes-managed hosts file (host network).\n" + Files.readString(Path.of("/etc/hosts")));
    // ClusterFirst on the host network falls back to the node's resolvers, as upstream
    assertThat(exec("hostnet-web", "cat", "/etc/resolv.conf")).doesNotContain("10.96.0.10");

    // no pod network namespace, no CNI call, no hostPort rules
    assertThat(Path.of("/run/netns/planet-" + uid)).doesNotExist();
    assertThat(cniStateMentioning(uid)).isEmpty();
    assertThat(Commands.run("iptables-save", "-t", "nat")).doesNotContain("--dport " + port + " ");

    client.pods().inNamespace("default").withName("hostnet-web").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("hostnet-web") == null);
    // the node's network is as it was: its address, loopback and default route stay; only the server is gone
    assertThat(Commands.run("ip", "-o", "addr", "show")).contains("inet " + nodeIp + "/");
    assertThat(Commands.run("ip", "link", "show", "lo")).contains("UP");
    assertThat(Commands.run("ip", "route", "show", "default")).isEqualTo(defaultRoute);
    await().atMost(Duration.ofSeconds(10)).until(() -> !listening(nodeIp, port));
    assertThat(cniStateMentioning(uid)).isEmpty();
    assertThat(Mounts.under(tmp)).noneMatch(m -> m.toString().contains(uid));
    assertThat(tmp.resolve("run/pods/" + uid)).doesNotExist();
  }

  @Test
  void clusterFirstWithHostNetUsesTheClusterDns() {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("hostnet-dns").endMetadata()
        .withNewSpec().withNodeName(NODE).withHostNetwork(true).withDnsPolicy("ClusterFirstWithHostNet")
        .withRestartPolicy("Never")
        .addNewContainer().withName("main").withImage(image).withCommand("cat", "/etc/resolv.conf").endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(get("hostnet-dns").getStatus().getPhase()));
    assertThat(client.pods().inNamespace("default").withName("hostnet-dns").getLog())
        .startsWith("nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local");
  }

  @Test
  void hostPidAndHostIpcPodsSeeTheNodesProcessesAndIpcObjects() throws Exception {
    String shmId = sysvSegment();
    Path shmFile = Path.of("/dev/shm/planet-hostns-" + UUID.randomUUID());
    Files.writeString(shmFile, "shared");
    try {
      runSleeper("hostpid-ipc", true);
      runSleeper("hostns-control", false);
      long agentPid = ProcessHandle.current().pid();
      String hostInit = Files.readString(Path.of("/proc/1/comm"));

      // hostPID: the node's PID namespace, its PID 1 and this very process
      assertThat(exec("hostpid-ipc", "readlink", "/proc/self/ns/pid").trim())
          .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
      assertThat(exec("hostpid-ipc", "cat", "/proc/1/comm")).isEqualTo(hostInit);
      assertThat(exec("hostpid-ipc", "ps", "-o", "pid")).containsPattern("(?m)^\\s*" + agentPid + "\\s*$");
      // hostIPC: the node's IPC namespace, its System V segments and POSIX shared memory
      assertThat(exec("hostpid-ipc", "readlink", "/proc/self/ns/ipc").trim())
          .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString());
      assertThat(exec("hostpid-ipc", "cat", "/proc/sysvipc/shm")).containsPattern("\\s" + shmId + "\\s");
      assertThat(exec("hostpid-ipc", "cat", shmFile.toString())).isEqualTo("shared");
      // the network stays the pod's own
      assertThat(exec("hostpid-ipc", "readlink", "/proc/self/ns/net").trim())
          .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());

      // without them, a pod has its own: its PID 1 is its command, and none of the node's IPC objects
      assertThat(exec("hostns-control", "cat", "/proc/1/comm")).isEqualTo("sleep\n");
      assertThat(exec("hostns-control", "ps", "-o", "pid")).doesNotContainPattern("(?m)^\\s*" + agentPid + "\\s*$");
      assertThat(exec("hostns-control", "cat", "/proc/sysvipc/shm")).doesNotContainPattern("\\s" + shmId + "\\s");
      assertThat(exec("hostns-control", "ls", "/dev/shm")).doesNotContain(shmFile.getFileName().toString());

      for (String name : List.of("hostpid-ipc", "hostns-control")) client.pods().inNamespace("default").withName(name).delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> get("hostpid-ipc") == null && get("hostns-control") == null);
      // the node's IPC objects outlive the pod
      assertThat(shmFile).hasContent("shared");
      assertThat(Commands.run("ipcs", "-m", "-i", shmId)).contains(shmId);
    } finally {
      Files.deleteIfExists(shmFile);
      Commands.run("ipcrm", "-m", shmId);
    }
  }

  @Test
  void aRestartedAgentAdoptsHostNamespacePodsAndRemovesDeletedOnes() throws Exception {
    String defaultRoute = Commands.run("ip", "route", "show", "default");
    for (String name : List.of("hostns-adopt", "hostns-gone")) {
      // a pod with no namespace of its own at all: only its run directory tells a new agent it is there
      client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
          .withNewSpec().withNodeName(NODE).withHostNetwork(true).withHostPID(true).withHostIPC(true)
          .withTerminationGracePeriodSeconds(1L)
          .addNewContainer().withName("main").withImage(image).withCommand("sleep", "1000").endContainer()
          .endSpec().build()).create();
    }
    for (String name : List.of("hostns-adopt", "hostns-gone")) await().atMost(Duration.ofSeconds(30)).until(() -> ready(name));
    String adoptedId = get("hostns-adopt").getStatus().getContainerStatuses().get(0).getContainerID();
    String nodeIp = get("hostns-adopt").getStatus().getHostIP();
    String goneUid = get("hostns-gone").getMetadata().getUid();
    String goneId = get("hostns-gone").getStatus().getContainerStatuses().get(0).getContainerID().substring("runc://".length());

    h.stopKubelet();
    kubelet = null;
    client.pods().inNamespace("default").withName("hostns-gone").withGracePeriod(0).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> get("hostns-gone") == null);
    kubelet = h.startKubelet();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Pod p = get("hostns-adopt");
      assertThat(p.getStatus().getContainerStatuses().get(0).getContainerID()).isEqualTo(adoptedId);
      assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
      assertThat(p.getStatus().getPodIP()).isEqualTo(nodeIp);
      assertThat(ready("hostns-adopt")).isTrue();
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> !Commands.run("runc", "--root", tmp.resolve("run/runc").toString(), "list")
        .contains(goneId));
    assertThat(tmp.resolve("run/pods/" + goneUid)).doesNotExist();
    assertThat(tmp.resolve("data/sandboxes/" + goneUid + ".json")).doesNotExist();
    assertThat(cniStateMentioning(goneUid)).isEmpty();
    assertThat(Commands.run("ip", "-o", "addr", "show")).contains("inet " + nodeIp + "/");
    assertThat(Commands.run("ip", "route", "show", "default")).isEqualTo(defaultRoute);
    client.pods().inNamespace("default").withName("hostns-adopt").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> get("hostns-adopt") == null);
  }

  private void runSleeper(String name, boolean hostNamespaces) {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(NODE).withHostPID(hostNamespaces).withHostIPC(hostNamespaces)
        .withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(image).withCommand("sleep", "1000").endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready(name));
  }

  /** A System V shared memory segment of the node's IPC namespace; its id. */
  private static String sysvSegment() throws IOException {
    Matcher m = Pattern.compile("id: (\\d+)").matcher(Commands.run("ipcmk", "-M", "4096"));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static boolean ready(String name) {
    Pod p = get(name);
    return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
        .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  /** Output of a command run in the pod's main container (through runc, as exec does). */
  private static String exec(String pod, String... command) throws Exception {
    String id = get(pod).getStatus().getContainerStatuses().get(0).getContainerID().substring("runc://".length());
    List<String> cmd = new ArrayList<>(List.of("runc", "--root", tmp.resolve("run/runc").toString(), "exec", id));
    cmd.addAll(List.of(command));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(proc.getInputStream().readAllBytes());
    proc.waitFor();
    return out;
  }

  /** Files of this kubelet's CNI state (IPAM reservations, cached results) that name the pod. */
  private static List<Path> cniStateMentioning(String uid) throws IOException {
    Path dir = tmp.resolve("cni");
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).filter(p -> {
        try {
          return p.toString().contains(uid) || Files.readString(p).contains(uid);
        } catch (IOException e) {
          return false;
        }
      }).toList();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String httpGet(String url) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
