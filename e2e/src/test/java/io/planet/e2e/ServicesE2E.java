package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.apiserver.testing.TestApiServer;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.node.dns.ClusterDns;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.kubelet.NodeStatusManager;
import io.planet.node.kubelet.PodNetworking;
import io.planet.node.proxy.Proxier;
import io.planet.node.runtime.Commands;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Services, cluster DNS and pod lifecycle on a real node, as upstream's e2e tests check them with kubectl: API server,
 * scheduler, controller-manager, the kubelet (runc pods on a CNI bridge), the service proxy (iptables) and the cluster
 * DNS server. Like kube-dns upstream, the Service {@code kube-system/kube-dns} has the cluster DNS address
 * (10.96.0.10) as its ClusterIP and pods reach the DNS server through the proxy's rules for it. The DNS server runs on
 * the host, not in a pod, so the Service has no selector: its EndpointSlice names the node's address and the port the
 * server listens on, the way a Service fronts any endpoint outside the pod network (root only).
 */
@Timeout(300)
class ServicesE2E {
  static final String NODE = "node-1";
  static final String CLUSTER_DNS = "10.96.0.10";

  static TestApiServer server;
  static KubernetesClient client;
  static SchedulerServer scheduler;
  static ControllerManager controllers;
  static Kubelet kubelet;
  static Proxier proxier;
  static ClusterDns dns;
  static Kubectl kubectl;
  static Path work;
  static String bridge;
  static String podCidr;
  static String image;
  static String nodeIp;
  static boolean kubeChainsBefore;

  @BeforeAll
  static void start() throws Exception {
    List<KubectlBinary> installed = KubectlBinaries.installed();
    Assumptions.assumeFalse(installed.isEmpty(), "no kubectl on PATH");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the node agent needs root");
    kubeChainsBefore = Commands.run("iptables-save").contains(":KUBE-");
    work = Files.createTempDirectory("planet-services-e2e-");
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
    // no node IPAM: a pod CIDR of our own keeps this bridge's routes apart from other tests' 10.244.x bridges
    controllers = new ControllerManager(Fabric8.client(server), KnownControllers.select(List.of("*", "-nodeipam")),
        LeaderElection.defaults("e2e").withEnabled(false), "127.0.0.1", 0).start();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    podCidr = "10." + random.nextInt(200, 250) + "." + random.nextInt(1, 255) + ".0/24";
    Kubelet.Paths paths = new Kubelet.Paths(work.resolve("data"), work.resolve("run"), work.resolve("logs"), Path.of("/run/netns"));
    bridge = "ps" + Long.toHexString(System.nanoTime() & 0xffffffL);
    kubelet = new Kubelet(Fabric8.client(server), NodeStatusManager.Options.defaults(NODE, paths.dataDir()), paths,
        Set.of(), Duration.ofSeconds(1), Duration.ofSeconds(10),
        PodNetworking.cni(client, NODE, podCidr, work.resolve("cni"), bridge), 0, List.of(CLUSTER_DNS), "cluster.local");
    image = new ArchiveImporter(kubelet.images()).importArchive(archive, null).get(0).names().get(0);
    kubelet.start();
    kubectl = new Kubectl(installed.get(0), server.writeKubeconfig(work), work);

    proxier = new Proxier(Fabric8.client(server), new Proxier.Options(NODE, podCidr, Duration.ofMillis(200),
        Duration.ofSeconds(30)));
    proxier.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> internalIp() != null);
    nodeIp = internalIp();
    ClusterDns.Options d = ClusterDns.Options.defaults(new InetSocketAddress(nodeIp, 0), "cluster.local");
    dns = new ClusterDns(Fabric8.client(server), d);
    dns.start();
    kubectl.run("apply", "-f", kubectl.manifest("kube-dns.yaml", """
        apiVersion: v1
        kind: Service
        metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
        spec:
          clusterIP: %1$s
          ports:
          - {name: dns, port: 53, protocol: UDP, targetPort: %3$d}
          - {name: dns-tcp, port: 53, protocol: TCP, targetPort: %3$d}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: kube-dns-node
          namespace: kube-system
          labels: {kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: services-e2e}
        addressType: IPv4
        endpoints:
        - {addresses: ["%2$s"], conditions: {ready: true}, nodeName: %4$s}
        ports:
        - {name: dns, port: %3$d, protocol: UDP}
        - {name: dns-tcp, port: %3$d, protocol: TCP}
        """.formatted(CLUSTER_DNS, nodeIp, dns.port(), NODE)).toString()).assertSuccess();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kubectl != null) {
      kubectl.run("delete", "deployments,pods", "--all", "--wait=true", "--timeout=60s", "--grace-period=1");
      // our Services' chains go with the Services (the kubernetes Service's chain is shared with any other proxy)
      kubectl.run("delete", "services", "--all", "--all-namespaces", "--wait=true");
      if (proxier != null) {
        try {
          await().atMost(Duration.ofSeconds(20)).until(() -> !Commands.run("iptables-save", "-t", "nat").contains("default/echo"));
        } catch (ConditionTimeoutException e) {
          // another test's proxy may be programming a Service of the same name: nothing more to wait for
        }
      }
    }
    if (proxier != null) {
      proxier.close();
      if (!kubeChainsBefore) Proxier.cleanup();
    }
    if (dns != null) dns.close();
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
  void servicesAnswerByClusterIpAndDnsNames() throws Exception {
    long t0 = System.nanoTime();
    kubectl.run("create", "deployment", "web", "--image=" + image, "--replicas=2", "--",
        "sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www").assertSuccess();
    kubectl.run("expose", "deployment", "web", "--port=80").assertSuccess();
    kubectl.run("run", "client", "--image=" + image, "--restart=Never", "--command", "--", "sleep", "3600").assertSuccess();
    kubectl.run("rollout", "status", "deployment/web", "--timeout=120s").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/client", "--timeout=60s").assertSuccess();
    Set<String> backends = podNames("app=web");
    assertThat(backends).hasSize(2);
    String clusterIP = kubectl.getJson("service", "web").at("/spec/clusterIP").asText();

    // by ClusterIP, then by each name the search path completes (through kube-dns's own ClusterIP)
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("http://" + clusterIP + "/")).isIn(backends));
    for (String name : List.of("web", "web.default", "web.default.svc", "web.default.svc.cluster.local")) {
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("http://" + name + "/")).as(name).isIn(backends));
    }
    Set<String> reached = new HashSet<>(lines(exec("client", "for i in $(seq 20); do wget -qO- http://web/; done")));
    assertThat(reached).as("20 requests spread over both backends").isEqualTo(backends);

    // services/proxy and pods/proxy through the API server (kubectl get --raw, as kubectl proxy users reach them)
    assertThat(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/web:80/proxy/").assertSuccess().stdout().strip())
        .isIn(backends);
    assertThat(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/http:web:80/proxy/index.html")
        .assertSuccess().stdout().strip()).isIn(backends);
    String backend = backends.iterator().next();
    assertThat(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/" + backend + "/proxy/").assertSuccess().stdout().strip())
        .isEqualTo(backend);
    assertThat(kubectl.run("get", "--raw", "/api/v1/namespaces/default/pods/" + backend + ":80/proxy/index.html")
        .assertSuccess().stdout().strip()).isEqualTo(backend);
    assertThat(kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/web:81/proxy/").stderr())
        .contains("no service port 81 found for service \"web\"");

    // a headless Service resolves to the pods themselves
    kubectl.run("expose", "deployment", "web", "--name=web-headless", "--cluster-ip=None", "--port=80").assertSuccess();
    List<String> podIPs = new ArrayList<>();
    for (JsonNode p : kubectl.getJson("pods", "-l", "app=web").path("items")) podIPs.add(p.at("/status/podIP").asText());
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(addresses(exec("client", "nslookup web-headless.default.svc.cluster.local")))
            .containsExactlyInAnyOrderElementsOf(podIPs));

    // an ExternalName Service naming another Service: the DNS answer carries the CNAME and the target's address
    kubectl.run("create", "service", "externalname", "web-alias", "--external-name=web.default.svc.cluster.local")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("http://web-alias/")).isIn(backends));

    // a pod with a hostname and a subdomain naming a headless Service has its own name under it
    kubectl.run("apply", "-f", kubectl.manifest("named.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: named, labels: {app: named}}
        spec:
          hostname: db-0
          subdomain: dbs
          terminationGracePeriodSeconds: 1
          containers:
          - {name: main, image: %s, command: [sleep, "3600"]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: dbs}
        spec:
          clusterIP: None
          selector: {app: named}
          ports: [{port: 5432}]
        """.formatted(image)).toString()).assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/named", "--timeout=60s").assertSuccess();
    String namedIp = kubectl.getJson("pod", "named").at("/status/podIP").asText();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(addresses(exec("client", "nslookup db-0.dbs.default.svc.cluster.local"))).containsExactly(namedIp));

    // DNS over TCP and UDP through kube-dns's ClusterIP from the host (nat OUTPUT)
    assertThat(Commands.run("dig", "+short", "+tcp", "+time=3", "+tries=2", "@" + CLUSTER_DNS, "web.default.svc.cluster.local")
        .trim()).isEqualTo(clusterIP);
    assertThat(Commands.run("dig", "+short", "+time=3", "+tries=2", "@" + CLUSTER_DNS, "web.default.svc.cluster.local")
        .trim()).isEqualTo(clusterIP);
    System.out.printf("ServicesE2E: ClusterIP, DNS names and headless answered after %d ms%n", ms(t0));
  }

  @Test
  void sessionAffinityNodePortAndScalingToZero() throws Exception {
    long t0 = System.nanoTime();
    kubectl.run("create", "deployment", "echo", "--image=" + image, "--replicas=2", "--",
        "sh", "-c", "mkdir -p /www; hostname > /www/index.html; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait")
        .assertSuccess();
    kubectl.run("expose", "deployment", "echo", "--port=80", "--target-port=8080").assertSuccess();
    kubectl.run("expose", "deployment", "echo", "--name=echo-np", "--type=NodePort", "--port=80", "--target-port=8080")
        .assertSuccess();
    kubectl.run("run", "caller", "--image=" + image, "--restart=Never", "--command", "--", "sleep", "3600").assertSuccess();
    kubectl.run("rollout", "status", "deployment/echo", "--timeout=120s").assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/caller", "--timeout=60s").assertSuccess();
    Set<String> backends = podNames("app=echo");
    String clusterIP = kubectl.getJson("service", "echo").at("/spec/clusterIP").asText();
    String url = "http://" + clusterIP + "/";
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(exec("caller", "wget -qO- " + url).trim()).isIn(backends));

    // ClientIP affinity: once the proxy programs it, one client keeps its backend
    kubectl.run("patch", "service", "echo", "-p", "{\"spec\":{\"sessionAffinity\":\"ClientIP\"}}").assertSuccess();
    await().atMost(Duration.ofSeconds(10)).until(() -> Commands.run("iptables-save", "-t", "nat").lines()
        .anyMatch(l -> l.contains("default/echo -> ") && l.contains("--rcheck")));
    List<String> sticky = lines(exec("caller", "for i in $(seq 12); do wget -qO- " + url + "; done"));
    assertThat(sticky).hasSize(12);
    assertThat(Set.copyOf(sticky)).as("affinity keeps one backend").hasSize(1);

    // NodePort: from the host, on the node's address
    int nodePort = kubectl.getJson("service", "echo-np").at("/spec/ports/0/nodePort").asInt();
    assertThat(nodePort).isBetween(30000, 32767);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(http.send(
        HttpRequest.newBuilder(URI.create("http://" + nodeIp + ":" + nodePort + "/")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim()).isIn(backends));

    // no endpoints: the ClusterIP rejects at once (REJECT, not a timeout); endpoints back: it answers again
    kubectl.run("scale", "deployment/echo", "--replicas=0").assertSuccess();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      long start = System.nanoTime();
      Kubectl.Result r = kubectl.run("exec", "caller", "--", "sh", "-c", "timeout 10 wget -qO- " + url);
      assertThat(r.exitCode()).isNotZero();
      assertThat(r.stderr()).contains("Connection refused");
      assertThat(ms(start)).as("refused promptly").isLessThan(5000);
    });
    kubectl.run("scale", "deployment/echo", "--replicas=1").assertSuccess();
    kubectl.run("rollout", "status", "deployment/echo", "--timeout=120s").assertSuccess();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(exec("caller", "wget -qO- " + url).trim())
        .isIn(podNames("app=echo")).isNotIn(backends));
    System.out.printf("ServicesE2E: affinity, NodePort, scale to 0 and back in %d ms%n", ms(t0));
  }

  @Test
  void configMapVolumesFollowUpdates() throws Exception {
    String cm = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {greeting: %s}
        """;
    kubectl.run("apply", "-f", kubectl.manifest("settings-1.yaml", cm.formatted("one")).toString()).assertSuccess();
    kubectl.run("apply", "-f", kubectl.manifest("reader.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: reader}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: [sleep, "3600"]
            volumeMounts: [{name: settings, mountPath: /etc/settings}]
          volumes:
          - name: settings
            configMap: {name: settings}
        """.formatted(image)).toString()).assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/reader", "--timeout=60s").assertSuccess();
    assertThat(exec("reader", "cat /etc/settings/greeting")).isEqualTo("one");
    kubectl.run("apply", "-f", kubectl.manifest("settings-2.yaml", cm.formatted("two")).toString()).assertSuccess();
    long t0 = System.nanoTime();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(exec("reader", "cat /etc/settings/greeting")).isEqualTo("two"));
    System.out.printf("ServicesE2E: the configMap volume showed the update after %d ms%n", ms(t0));
  }

  @Test
  void gracefulAndForcedDeletion() throws Exception {
    String pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          terminationGracePeriodSeconds: %s
          containers:
          - name: main
            image: %s
            command: [sh, -c, '%s']
        """;
    String ignoresTerm = "trap \"\" TERM; while true; do sleep 1; done";
    String exitsOnTerm = "trap \"exit 0\" TERM; while true; do sleep 1; done";
    for (String[] p : List.of(new String[] {"stubborn", "5", ignoresTerm}, new String[] {"polite", "5", exitsOnTerm},
        new String[] {"forced", "5", ignoresTerm}, new String[] {"hurried", "60", ignoresTerm})) {
      kubectl.run("apply", "-f", kubectl.manifest(p[0] + ".yaml", pod.formatted(p[0], p[1], image, p[2])).toString())
          .assertSuccess();
    }
    // a preStop hook runs before TERM is sent, within the grace period
    kubectl.run("apply", "-f", kubectl.manifest("hooked.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: hooked}
        spec:
          terminationGracePeriodSeconds: 10
          containers:
          - name: main
            image: %s
            command: [sh, -c, '%s']
            lifecycle: {preStop: {exec: {command: [sleep, "2"]}}}
        """.formatted(image, exitsOnTerm)).toString()).assertSuccess();
    kubectl.run("wait", "--for=condition=Ready", "pod/stubborn", "pod/polite", "pod/forced", "pod/hurried", "pod/hooked",
        "--timeout=60s").assertSuccess();
    String forcedUid = kubectl.getJson("pod", "forced").at("/metadata/uid").asText();

    long t0 = System.nanoTime();
    kubectl.run("delete", "pod", "polite").assertSuccess();
    long polite = ms(t0);
    t0 = System.nanoTime();
    kubectl.run("delete", "pod", "stubborn").assertSuccess();
    long stubborn = ms(t0);
    t0 = System.nanoTime();
    Kubectl.Result forced = kubectl.run("delete", "pod", "forced", "--grace-period=0", "--force").assertSuccess();
    long force = ms(t0);
    t0 = System.nanoTime();
    kubectl.run("delete", "pod", "hurried", "--grace-period=2").assertSuccess();
    long hurried = ms(t0);
    t0 = System.nanoTime();
    kubectl.run("delete", "pod", "hooked").assertSuccess();
    long hooked = ms(t0);
    System.out.printf("ServicesE2E: delete of a pod with a 2 s preStop hook returned after %d ms%n", hooked);
    assertThat(hooked).as("the hook's 2 s, then TERM ends it").isBetween(1800L, 6000L);
    System.out.printf("ServicesE2E: delete returned after %d ms (exits on TERM), %d ms (ignores TERM, grace 5 s), "
        + "%d ms (--force --grace-period=0), %d ms (--grace-period=2 over the spec's 60 s)%n", polite, stubborn, force, hurried);
    assertThat(hurried).as("--grace-period shortens the spec's").isBetween(1500L, 7000L);
    assertThat(polite).as("a pod exiting on TERM goes quickly").isLessThan(4000);
    assertThat(stubborn).as("killed when the 5 s grace period ends").isBetween(4500L, 10_000L);
    assertThat(force).isLessThan(3000);
    assertThat(forced.stderr()).contains("Immediate deletion does not wait for confirmation");
    assertThat(kubectl.run("get", "pod", "forced").assertFailure().stderr()).contains("NotFound");
    // the kubelet still stops it (upstream gives it the spec's grace period): its network namespace goes
    await().atMost(Duration.ofSeconds(15)).until(() -> !Files.exists(Path.of("/run/netns/planet-" + forcedUid)));
  }

  @Test
  void probesRestartAndGateEndpoints() throws Exception {
    // httpGet liveness on /live, tcpSocket readiness on a second listener; the Service's endpoints follow readiness
    kubectl.run("apply", "-f", kubectl.manifest("probed.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: probed, labels: {app: probed}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: [sh, -c, 'mkdir -p /www && echo ok > /www/live && httpd -p 8080 -h /www && httpd -p 8081 -h /www && exec sleep 3600']
            ports: [{name: http, containerPort: 8080}]
            livenessProbe: {httpGet: {path: /live, port: http}, periodSeconds: 1, failureThreshold: 2}
            readinessProbe: {tcpSocket: {port: 8081}, periodSeconds: 1, failureThreshold: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: probed}
        spec:
          selector: {app: probed}
          ports: [{port: 80, targetPort: http}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: tcp-live}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %1$s
            command: [sh, -c, 'httpd -p 8082 -h /etc && exec sleep 3600']
            livenessProbe: {tcpSocket: {port: 8082}, periodSeconds: 1, failureThreshold: 2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: slow-start}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %1$s
            command: [sh, -c, 'sleep 6; touch /tmp/started; exec sleep 3600']
            startupProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 1, failureThreshold: 30}
            readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: never-starts}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %1$s
            command: [sleep, "3600"]
            startupProbe: {exec: {command: [cat, /tmp/never]}, periodSeconds: 1, failureThreshold: 2}
        """.formatted(image)).toString()).assertSuccess();
    await().atMost(Duration.ofSeconds(60)).until(() -> kubectl.getJson("pod", "slow-start")
        .at("/status/containerStatuses/0/state/running").isObject());
    JsonNode starting = kubectl.getJson("pod", "slow-start").at("/status/containerStatuses/0");
    assertThat(starting.path("started").asBoolean()).as("started before the startup probe passed").isFalse();
    assertThat(starting.path("ready").asBoolean()).as("ready before the startup probe passed").isFalse();
    kubectl.run("wait", "--for=condition=Ready", "pod/probed", "pod/tcp-live", "--timeout=60s").assertSuccess();
    String ip = kubectl.getJson("pod", "probed").at("/status/podIP").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> endpointReady("probed", ip), r -> r != null && r);

    // the pod reaches itself through its Service (hairpin; plain "probed" is its own name in /etc/hosts)
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(exec("probed", "timeout 5 wget -qO- http://probed.default/live"))
        .isEqualTo("ok\n"));

    // readiness (tcpSocket) fails: the pod is NotReady, leaves the Service's ready endpoints and gets no traffic
    long t0 = System.nanoTime();
    exec("probed", "kill $(ps | grep '[h]ttpd -p 8081' | awk '{print $1}')");
    await().atMost(Duration.ofSeconds(20)).until(() -> endpointReady("probed", ip), r -> r != null && !r);
    assertThat(condition("probed", "Ready")).isEqualTo("False");
    System.out.printf("ServicesE2E: endpoint not ready %d ms after the readiness port closed%n", ms(t0));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kubectl.run("exec", "probed", "--", "sh", "-c",
        "timeout 5 wget -qO- http://probed.default/live").stderr()).contains("Connection refused"));
    exec("probed", "httpd -p 8081 -h /www");
    await().atMost(Duration.ofSeconds(20)).until(() -> endpointReady("probed", ip), r -> r != null && r);
    assertThat(condition("probed", "Ready")).isEqualTo("True");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(exec("probed", "timeout 5 wget -qO- http://probed.default/live"))
        .isEqualTo("ok\n"));

    // liveness (httpGet) fails: the container restarts, its command making /live again
    exec("probed", "rm /www/live");
    await().atMost(Duration.ofSeconds(40)).until(() -> restarts("probed") >= 1);
    kubectl.run("wait", "--for=condition=Ready", "pod/probed", "--timeout=60s").assertSuccess();

    // liveness (tcpSocket) fails: restart
    exec("tcp-live", "kill $(ps | grep '[h]ttpd -p 8082' | awk '{print $1}')");
    await().atMost(Duration.ofSeconds(40)).until(() -> restarts("tcp-live") >= 1);

    // startup: not started nor ready until the startup probe passes; one that never passes is restarted
    kubectl.run("wait", "--for=condition=Ready", "pod/slow-start", "--timeout=60s").assertSuccess();
    assertThat(kubectl.getJson("pod", "slow-start").at("/status/containerStatuses/0/started").asBoolean()).isTrue();
    await().atMost(Duration.ofSeconds(40)).until(() -> restarts("never-starts") >= 1);
    assertThat(kubectl.getJson("pod", "never-starts").at("/status/containerStatuses/0/ready").asBoolean()).isFalse();
  }

  @Test
  void podsRunToCompletionWithTheirExitCodes() {
    kubectl.run("run", "fails", "--image=" + image, "--restart=Never", "--command", "--", "sh", "-c", "exit 3")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(60)).until(() -> kubectl.getJson("pod", "fails").at("/status/phase").asText(),
        "Failed"::equals);
    JsonNode terminated = kubectl.getJson("pod", "fails").at("/status/containerStatuses/0/state/terminated");
    assertThat(terminated.path("exitCode").asInt()).isEqualTo(3);
    assertThat(terminated.path("reason").asText()).isEqualTo("Error");
    assertThat(kubectl.run("get", "pod", "fails", "--no-headers").assertSuccess().stdout()).contains(" Error ");

    kubectl.run("run", "succeeds", "--image=" + image, "--restart=Never", "--command", "--", "true").assertSuccess();
    await().atMost(Duration.ofSeconds(60)).until(() -> kubectl.getJson("pod", "succeeds").at("/status/phase").asText(),
        "Succeeded"::equals);
    assertThat(kubectl.run("get", "pod", "succeeds", "--no-headers").assertSuccess().stdout()).contains(" Completed ");
  }

  /**
   * The body wget in the client pod gets for {@code url} (the pod's name, for our backends). timeout(1) bounds it:
   * Debian's busybox 1.35 wget crashes when given its own -T.
   */
  private static String get(String url) {
    return exec("client", "timeout 5 wget -qO- " + url).trim();
  }

  private static Set<String> podNames(String selector) {
    Set<String> names = new HashSet<>();
    for (JsonNode p : kubectl.getJson("pods", "-l", selector).path("items")) names.add(p.at("/metadata/name").asText());
    return names;
  }

  private static String exec(String pod, String script) {
    return kubectl.run("exec", pod, "--", "sh", "-c", script).assertSuccess().stdout();
  }

  private static List<String> lines(String s) {
    return s.lines().filter(l -> !l.isBlank()).toList();
  }

  /** The addresses of an nslookup answer (after the server's own lines). */
  private static List<String> addresses(String nslookup) {
    List<String> out = new ArrayList<>();
    boolean answer = false;
    for (String l : nslookup.lines().toList()) {
      if (l.startsWith("Name:")) answer = true;
      if (answer && l.startsWith("Address:")) out.add(l.substring("Address:".length()).trim());
    }
    return out.stream().distinct().toList();
  }

  /** The ready condition of {@code ip} in the Service's EndpointSlices; null when it is not listed. */
  private static Boolean endpointReady(String service, String ip) {
    for (JsonNode slice : kubectl.getJson("endpointslices", "-l", "kubernetes.io/service-name=" + service).path("items")) {
      for (JsonNode ep : slice.path("endpoints")) {
        if (ep.path("addresses").get(0).asText().equals(ip)) return ep.at("/conditions/ready").asBoolean(true);
      }
    }
    return null;
  }

  private static String condition(String pod, String type) {
    for (JsonNode c : kubectl.getJson("pod", pod).at("/status/conditions")) {
      if (c.path("type").asText().equals(type)) return c.path("status").asText();
    }
    return null;
  }

  private static int restarts(String pod) {
    return kubectl.getJson("pod", pod).at("/status/containerStatuses/0/restartCount").asInt();
  }

  private static String internalIp() {
    var node = client.nodes().withName(NODE).get();
    if (node == null || node.getStatus() == null || node.getStatus().getAddresses() == null) return null;
    return node.getStatus().getAddresses().stream().filter(a -> a.getType().equals("InternalIP")).map(a -> a.getAddress())
        .findFirst().orElse(null);
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
