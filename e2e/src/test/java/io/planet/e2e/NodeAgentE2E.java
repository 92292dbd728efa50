package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kubectl against a cluster with a real node agent: API server, scheduler, controller-manager and the kubelet running
 * pods as runc containers from the busybox test image on a CNI bridge network (root only).
 */
@Timeout(300)
class NodeAgentE2E {
  static TestApiServer server;
  static KubernetesClient client;
  static SchedulerServer scheduler;
  static ControllerManager controllers;
  static Kubelet kubelet;
  static Kubectl kubectl;
  static Path work;
  static Path kubeconfig;
  static String bridge;
  static String image;

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the node agent needs root");
    work = Files.createTempDirectory("planet-node-e2e-");
    Path archive = work.resolve("busybox.oci.tar");
    Process build = new ProcessBuilder(Path.of("../scripts/build-busybox-image").toAbsolutePath().normalize().toString(),
        archive.toString()).inheritIO().start();
    assertThat(build.waitFor()).isZero();

    server = new TestApiServer(c -> c.withGarbageCollector(true));
    client = Fabric8.client(server);
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
        io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(server.url()).build();
    scheduler = SchedulerServer.start(config, SchedulerOptions.defaults().withLeaderElection(false,
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)).withServing("127.0.0.1", 0));
    controllers = new ControllerManager(Fabric8.client(server), KnownControllers.select(List.of("*")),
        LeaderElection.defaults("e2e").withEnabled(false), "127.0.0.1", 0).start();
    Kubelet.Paths paths = new Kubelet.Paths(work.resolve("data"), work.resolve("run"), work.resolve("logs"), Path.of("/run/netns"));
    bridge = "pe" + Long.toHexString(System.nanoTime() & 0xffffffL);
    kubelet = new Kubelet(Fabric8.client(server), NodeStatusManager.Options.defaults("node-1", paths.dataDir()), paths,
        Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(10),
        PodNetworking.cni(client, "node-1", null, work.resolve("cni"), bridge), 0);
    image = new ArchiveImporter(kubelet.images()).importArchive(archive, null).get(0).names().get(0);
    kubelet.start();
    kubeconfig = server.writeKubeconfig(work);
    kubectl = new Kubectl(installed.get(0), kubeconfig, work);
  }

  @AfterAll
  static void stop() throws Exception {
    if (kubectl != null) {
      kubectl.run("delete", "deployments,pods", "--all", "--wait=true", "--timeout=60s");
    }
    if (kubelet != null) kubelet.close();
    if (controllers != null) controllers.close();
    if (scheduler != null) scheduler.close();
    if (client != null) client.close();
    if (server != null) server.close();
    if (bridge != null) new ProcessBuilder("ip", "link", "del", bridge).start().waitFor();
    if (work != null) {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void aDeploymentRunsServesAndLogs() throws Exception {
    kubectl.run("create", "deployment", "web", "--image=" + image, "--port=8080", "--",
        "sh", "-c", "echo serving on $(hostname); exec httpd -f -p 8080 -h /etc").assertSuccess();
    kubectl.run("rollout", "status", "deployment/web", "--timeout=120s").assertSuccess();
    assertThat(kubectl.run("get", "nodes").assertSuccess().stdout()).contains("node-1").contains("Ready");

    var pod = kubectl.getJson("pods", "-l", "app=web").path("items").get(0);
    String name = pod.at("/metadata/name").asText();
    String ip = pod.at("/status/podIP").asText();
    assertThat(ip).startsWith("10.244.");

    // kubectl describe lists the pod's events: the scheduler's, then the kubelet's for its container
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(kubectl.run("describe", "pod", name).assertSuccess().stdout())
            .containsPattern("Normal +Scheduled +\\S+ +default-scheduler +Successfully assigned default/" + name + " to node-1")
            .containsPattern("Normal +Pulled +\\S+ +kubelet +Container image \"" + java.util.regex.Pattern.quote(image)
                + "\" already present on machine")
            .containsPattern("Normal +Created +\\S+ +kubelet +Created container busybox")
            .containsPattern("Normal +Started +\\S+ +kubelet +Started container busybox"));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(kubectl.run("logs", "deployment/web").assertSuccess().stdout()).isEqualTo("serving on " + name + "\n"));
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/hostname")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.body().trim()).isEqualTo(name);

    // kubectl exec (WebSocket v5 through the API server to the kubelet): output, exit code, stdin
    assertThat(kubectl.run("exec", "deployment/web", "--", "sh", "-c", "echo in $(hostname)").assertSuccess().stdout())
        .isEqualTo("in " + name + "\n");
    Kubectl.Result failed = kubectl.run("exec", "deployment/web", "--", "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failed.exitCode()).isEqualTo(3);
    assertThat(failed.stderr()).contains("oops").contains("command terminated with exit code 3");
    assertThat(kubectl.runWithInput("hello through stdin\n", "exec", "-i", "deployment/web", "--", "sh", "-c",
        "tr a-z A-Z").assertSuccess().stdout()).isEqualTo("HELLO THROUGH STDIN\n");

    // kubectl exec -it: kubectl runs under script(1) here so that it has a terminal to offer the pod
    StringBuilder line = new StringBuilder();
    for (String a : kubectl.commandLine("exec", "-it", "deployment/web", "--", "sh")) {
      line.append('\'').append(a.replace("'", "'\\''")).append("' ");
    }
    Process tty = new ProcessBuilder("script", "-q", "-f", "-e", "-c", line.toString(), "/dev/null")
        .redirectErrorStream(true).start();
    tty.getOutputStream().write("[ -t 0 ] && [ -t 1 ] && echo has-a-$((6*7))-terminal\nexit 4\n".getBytes());
    tty.getOutputStream().flush();
    assertThat(tty.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String session = new String(tty.getInputStream().readAllBytes());
    assertThat(session).contains("has-a-42-terminal");
    assertThat(tty.exitValue()).as(session).isEqualTo(4);

    // kubectl cp both ways (tar through exec)
    Files.writeString(work.resolve("upload.txt"), "copied in\n");
    kubectl.run("cp", work.resolve("upload.txt").toString(), name + ":/tmp/upload.txt").assertSuccess();
    assertThat(kubectl.run("exec", name, "--", "cat", "/tmp/upload.txt").assertSuccess().stdout()).isEqualTo("copied in\n");
    kubectl.run("cp", name + ":/tmp/upload.txt", work.resolve("download.txt").toString()).assertSuccess();
    assertThat(work.resolve("download.txt")).hasContent("copied in");

    // kubectl debug: an ephemeral container (pods/ephemeralcontainers) in the target container's PID namespace
    kubectl.run("debug", name, "--image=" + image, "--target=busybox", "-c", "debugger", "--", "ps", "-o", "pid,args")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(kubectl.run("logs", name, "-c", "debugger").assertSuccess().stdout()).contains("httpd -f -p 8080"));
    assertThat(kubectl.getJson("pod", name).at("/status/ephemeralContainerStatuses/0/name").asText()).isEqualTo("debugger");

    // kubectl run -i: attach to a pod's own stdin and stdout
    Kubectl.Result attached = kubectl.runWithInput("hello\n", "run", "echoer", "-i", "--image=" + image,
        "--restart=Never", "--", "sh", "-c", "read line; echo got $line");
    assertThat(attached.stdout()).as(attached.toString()).contains("got hello");

    kubectl.run("scale", "deployment/web", "--replicas=3").assertSuccess();
    kubectl.run("rollout", "status", "deployment/web", "--timeout=120s").assertSuccess();
    assertThat(kubectl.getJson("pods", "-l", "app=web").path("items").findValuesAsText("podIP")).hasSize(3).doesNotHaveDuplicates();

    assertThat(kubectl.run("logs", "deployment/web", "-c", "nope").assertFailure().stderr())
        .contains("container nope is not valid for pod");
    kubectl.run("delete", "deployment", "web", "--wait=true").assertSuccess();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        kubectl.getJson("pods", "-l", "app=web").path("items").isEmpty());
  }

  /** Upstream's kubectl e2e cases "Kubectl run" and "should support inline execution and attach". */
  @Test
  void kubectlRunAttachesWithStdinAndReturnsExitCodes() {
    kubectl.run("run", "-i", "--image=" + image, "--restart=Never", "success", "--", "/bin/sh", "-c", "exit 0")
        .assertSuccess();
    Kubectl.Result failing = kubectl.run("run", "-i", "--image=" + image, "--restart=Never", "failure-1", "--",
        "/bin/sh", "-c", "exit 42");
    assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(42);
    // with --leave-stdin-open kubectl leaves without the pod's exit code
    kubectl.runWithInput("abcd1234", "run", "-i", "--image=" + image, "--restart=Never", "failure-4",
        "--leave-stdin-open", "--", "/bin/sh", "-c", "exit 42").assertSuccess();

    // upstream's "should support inline execution and attach": with stdinOnce (kubectl's default for --stdin) the
    // container reads EOF when kubectl's input ends; with --leave-stdin-open it keeps reading after kubectl is gone
    kubectl.runWithInput("value\nabcd1234", "run", "run-test", "--image=" + image, "--restart=OnFailure",
        "--attach=true", "--stdin", "--", "sh", "-c", "echo -n read: && cat && echo 'stdin closed'").assertSuccess();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kubectl.run("logs", "run-test").stdout())
        .contains("read:value", "abcd1234", "stdin closed"));
    assertThat(kubectl.getJson("pod", "run-test").at("/spec/containers/0/stdinOnce").asBoolean()).isTrue();
    // without --stdin the container's stdin is empty: kubectl's input never reaches it
    kubectl.runWithInput("abcd1234", "run", "run-test-2", "--image=" + image, "--restart=OnFailure", "--attach=true",
        "--leave-stdin-open=true", "--", "sh", "-c", "cat && echo 'stdin closed'").assertSuccess();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(kubectl.run("logs", "run-test-2").stdout()).contains("stdin closed").doesNotContain("abcd1234"));
    kubectl.runWithInput("abcd1234\n", "run", "run-test-3", "--image=" + image, "--restart=OnFailure",
        "--attach=true", "--leave-stdin-open=true", "--stdin", "--", "sh", "-c", "cat && echo 'stdin closed'")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(kubectl.run("logs", "run-test-3").stdout()).contains("abcd1234"));
    assertThat(kubectl.run("logs", "run-test-3").stdout()).doesNotContain("stdin closed");
    assertThat(kubectl.getJson("pod", "run-test-3").at("/status/phase").asText()).isEqualTo("Running");
    kubectl.run("delete", "pod", "run-test", "run-test-2", "run-test-3", "--grace-period=1").assertSuccess();

    // --rm: kubectl's output has what the container read, and the pod is deleted
    Kubectl.Result removed = kubectl.runWithInput("abcd1234", "run", "run-test-rm", "--image=" + image, "--rm=true",
        "--restart=Never", "--attach=true", "--stdin", "--", "sh", "-c", "cat && echo 'stdin closed'").assertSuccess();
    assertThat(removed.stdout()).as(removed.toString()).contains("abcd1234", "stdin closed");
    await().atMost(Duration.ofSeconds(60)).until(() -> kubectl.getJson("pods").path("items").findValuesAsText("name")
        .stream().noneMatch(n -> n.equals("run-test-rm")));
    kubectl.run("delete", "pod", "success", "failure-1", "failure-4", "--grace-period=1").assertSuccess();
  }

  /**
   * kubectl run -it: a pod whose container has a tty (and stdin, stdinOnce) runs on a terminal of its own; kubectl,
   * itself on a terminal (under script(1) here, 100x30), attaches to it: its input reaches the container, its window
   * size is set on the container's terminal, the container's exit code is kubectl's, and --rm deletes the pod.
   */
  @Test
  void kubectlRunWithATerminalAttachesToTheContainersTerminal() throws Exception {
    StringBuilder line = new StringBuilder("stty cols 100 rows 30; ");
    for (String a : kubectl.commandLine("run", "-it", "--rm", "--restart=Never", "tty-run", "--image=" + image, "--",
        "sh", "-c", "read go; tty; until stty size | grep -qx '30 100'; do sleep 0.1; done; echo size $(stty size);"
            + " (: </dev/tty) && echo controlling $TERM; exit 3")) {
      line.append('\'').append(a.replace("'", "'\\''")).append("' ");
    }
    Process tty = new ProcessBuilder("script", "-q", "-f", "-e", "-c", line.toString(), "/dev/null")
        .redirectErrorStream(true).start();
    tty.getOutputStream().write("go\n".getBytes());
    tty.getOutputStream().flush();
    assertThat(tty.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String session = new String(tty.getInputStream().readAllBytes());
    assertThat(session).contains("/dev/pts/").contains("size 30 100").contains("controlling xterm");
    assertThat(tty.exitValue()).as(session).isEqualTo(3);
    await().atMost(Duration.ofSeconds(60)).until(() -> kubectl.getJson("pods").path("items").findValuesAsText("name")
        .stream().noneMatch(n -> n.equals("tty-run")));
  }

  /**
   * kubectl 1.29 speaks client-go's SPDY/3.1 remote-command protocol (v4.channel.k8s.io) for exec, cp, attach and
   * run -i: the API server relays the upgrade to the kubelet, which serves the streams.
   */
  @Test
  void kubectl129ExecAttachCopyAndRunOverSpdy() throws Exception {
    KubectlBinary v129 = KubectlBinaries.installed().stream().filter(b -> b.label().equals("kubectl.1.29")).findFirst()
        .orElse(null);
    Assumptions.assumeTrue(v129 != null, "no kubectl.1.29 beside the PATH kubectl");
    Kubectl old = new Kubectl(v129, kubeconfig, work);
    old.run("run", "spdy", "--image=" + image, "--restart=Never", "--", "sleep", "1000").assertSuccess();
    old.run("wait", "--for=condition=Ready", "pod/spdy", "--timeout=120s").assertSuccess();

    // exec: output, the exit code, stdin
    assertThat(old.run("exec", "spdy", "--", "sh", "-c", "echo in $(hostname)").assertSuccess().stdout())
        .isEqualTo("in spdy\n");
    Kubectl.Result failed = old.run("exec", "spdy", "--", "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3);
    assertThat(failed.stderr()).contains("oops").contains("command terminated with exit code 3");
    assertThat(old.runWithInput("hello through spdy\n", "exec", "-i", "spdy", "--", "tr", "a-z", "A-Z").assertSuccess()
        .stdout()).isEqualTo("HELLO THROUGH SPDY\n");

    // cp both ways (tar through exec)
    Files.writeString(work.resolve("spdy-upload.txt"), "copied in by 1.29\n");
    old.run("cp", work.resolve("spdy-upload.txt").toString(), "spdy:/tmp/upload.txt").assertSuccess();
    assertThat(old.run("exec", "spdy", "--", "cat", "/tmp/upload.txt").assertSuccess().stdout())
        .isEqualTo("copied in by 1.29\n");
    old.run("cp", "spdy:/tmp/upload.txt", work.resolve("spdy-download.txt").toString()).assertSuccess();
    assertThat(work.resolve("spdy-download.txt")).hasContent("copied in by 1.29");

    // run -i --rm: attach with stdin; kubectl's end of input closes the container's (stdinOnce) stdin
    Kubectl.Result removed = old.runWithInput("abcd1234\n", "run", "spdy-rm", "-i", "--rm", "--image=" + image,
        "--restart=Never", "--", "sh", "-c", "cat && echo done").assertSuccess();
    assertThat(removed.stdout()).as(removed.toString()).contains("abcd1234\ndone");
    await().atMost(Duration.ofSeconds(60)).until(() -> old.getJson("pods").path("items").findValuesAsText("name")
        .stream().noneMatch(n -> n.equals("spdy-rm")));

    // attach to a running pod's stdin and stdout
    old.run("run", "spdy-attach", "--image=" + image, "--restart=Never", "--stdin", "--attach=false", "--", "sh", "-c",
        "while read line; do echo got $line; done; echo bye").assertSuccess();
    old.run("wait", "--for=condition=Ready", "pod/spdy-attach", "--timeout=120s").assertSuccess();
    Kubectl.Result attached = old.runWithInput("hello\n", "attach", "-i", "spdy-attach").assertSuccess();
    assertThat(attached.stdout()).as(attached.toString()).contains("got hello").contains("bye");
    old.run("delete", "pod", "spdy", "spdy-attach", "--grace-period=1").assertSuccess();
  }
}
