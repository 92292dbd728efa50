package io.planet.cli.cluster;

import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenOptions;
import io.planet.apiserver.handlers.KubeletClientTls;
import io.planet.controllers.RootCaCertPublisher;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.planet.apiserver.ApiServer;
import io.planet.apiserver.ApiServerConfig;
import io.planet.apiserver.admission.AdmissionConfig;
import io.planet.apiserver.auth.AuthenticationConfig;
import io.planet.apiserver.http.ServingTls;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Kubeconfigs;
import io.planet.controllers.KnownControllers;
import io.planet.controllers.certificates.CsrApprovingController;
import io.planet.controllers.certificates.CsrSigningController;
import io.planet.controllers.NodeIpamController;
import io.planet.controllers.runtime.ControllerManager;
import io.planet.controllers.runtime.LeaderElection;
import io.planet.node.dns.ClusterDns;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.ImageStore;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.proxy.Proxier;
import io.planet.scheduler.SchedulerOptions;
import io.planet.scheduler.SchedulerServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A whole cluster on this machine in this JVM: etcd (a supervised child process), the PKI, the API server, scheduler,
 * controller-manager, node agent, service proxy and cluster DNS, each started in turn with a progress line and then
 * kept running by the {@link Supervisor}. {@link #close()} stops the pods and every component and resets the node.
 */
public final class SingleNodeCluster implements Service {
  /**
   * One serialization (Jackson mapper and its introspection caches of the model classes) for every client in the
   * process: each client made its own, and each learned the same classes again, in time at start and in heap.
   */
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
  static final String NODE_LABEL = "node-role.kubernetes.io/node";

  private final ClusterConfig config;
  private final Phases phases;
  private final Supervisor supervisor;
  private KubernetesClient admin;
  private String nodeIp;
  private volatile boolean closed;

  public SingleNodeCluster(ClusterConfig config, PrintStream out) {
    this.config = config;
    this.phases = new Phases("planet start", out);
    this.supervisor = new Supervisor(config.componentsFile(), phases::line);
  }

  /** Starts every component in order and returns once the node is Ready. */
  public void start() throws Exception {
    Files.createDirectories(config.runDir());
    DataDir.mark(config.dataDir());
    Files.writeString(config.pidFile(), ProcessHandle.current().pid() + "\n");
    config.save();
    nodeIp = config.advertiseAddress();
    NodeReset leftovers = new NodeReset(config, phases::line);
    if (!leftovers.podIds().isEmpty()) {
      phases.run("removed what an earlier run left (" + leftovers.podIds().size() + " pod sandboxes)", () -> {
        leftovers.run(Duration.ZERO);
        return null;
      });
    }
    // etcd, the PKI and the bundled image need nothing from each other; everything after the API server needs only it
    ExecutorService starters = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "planet-start");
      t.setDaemon(true);
      return t;
    });
    try {
      Supervised<EtcdProcess> etcd = supervisor.register(new Supervised<>("etcd", () -> EtcdProcess.start(config),
          e -> e.alive() && EtcdProcess.health(config)).exitedWhen(EtcdProcess::exit));
      CompletableFuture<Object> etcdReady = phases.async("etcd ready on " + config.etcdEndpoint() + ", data in "
          + config.etcdDataDir(), starters, () -> supervisor.start(etcd));
      CompletableFuture<ClusterPki> pkiReady = phases.async("PKI in " + config.pkiDir(), starters, this::pki);
      CompletableFuture<String> images = config.node()
          ? phases.async("images", starters, () -> importImages(config)) : CompletableFuture.completedFuture("");
      Phases.await(List.of(etcdReady, pkiReady));
      ClusterPki pki = pkiReady.join();
      phases.run("API server serving on " + config.apiServerUrl(), () -> supervisor.start(apiServer(pki)));
      admin = client(config.adminKubeconfig());
      phases.run("admin kubeconfig " + kubeconfigs(), () -> null);
      phases.run("default StorageClass " + DefaultStorageClass.ensure(admin), () -> null);
      String joinUrl = "https://" + nodeIp + ":" + config.ports().apiServer();
      phases.run("cluster-info published for planet join " + joinUrl, () ->
          supervisor.start(JoinSupport.supervised(admin, joinUrl, pki.caFile(), config.nodeName())));
      // the bootstrap policy binds the controller-manager's one identity to cluster-admin and lets the components
      // patch their Leases (fabric8's leader election): nothing to add here
      List<CompletableFuture<?>> components = new ArrayList<>();
      Supervised<?> scheduler = supervisor.register(scheduler());
      Supervised<?> controllerManager = supervisor.register(controllerManager());
      components.add(phases.async("scheduler running", starters, () -> supervisor.start(scheduler)));
      components.add(phases.async("controller-manager running", starters, () -> supervisor.start(controllerManager)));
      if (config.node()) {
        Supervised<?> kubelet = supervisor.register(kubelet());
        Supervised<?> proxy = supervisor.register(proxy());
        Supervised<?> dns = supervisor.register(dns());
        components.add(images.thenCompose(i -> phases.async("node agent " + config.nodeName() + " registered", starters,
            () -> supervisor.start(kubelet))));
        components.add(phases.async("service proxy syncing", starters, () -> supervisor.start(proxy)));
        components.add(phases.async("cluster DNS " + config.clusterDns() + " serving " + config.clusterDomain(), starters,
            () -> supervisor.start(dns)));
        components.add(images);
      }
      Phases.await(components);
      if (config.node()) phases.run("node " + config.nodeName() + " Ready", this::awaitReady);
    } finally {
      starters.shutdown();
    }
    supervisor.save();
    supervisor.watch();
    phases.line("ready in " + phases.total() + "; kubectl --kubeconfig " + config.adminKubeconfig() + " get nodes");
  }

  private ClusterPki pki() {
    ClusterPki pki = ClusterPki.at(config.pkiDir());
    List<String> addresses = List.of(nodeIp);
    pki.ensure(new ClusterCertificates(List.of(new ClusterCertificates.Node(config.nodeName(), addresses)),
        config.serviceCidr(), config.clusterDomain()).specs());
    try {
      Files.createDirectories(config.kubeconfigDir());
      Files.createDirectories(config.configDir());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Kubeconfigs.writeAll(config.kubeconfigDir(), config.apiServerUrl(), pki, List.of(config.nodeName()));
    Kubeconfigs.write(config.adminKubeconfig(), config.apiServerUrl(), pki, ClusterCertificates.ADMIN);
    return pki;
  }

  /** Where the admin kubeconfig went: always /etc/planet, and ~/.kube/config when there was none. */
  private String kubeconfigs() throws IOException {
    String out = "written to " + config.adminKubeconfig();
    Path user = config.userKubeconfig();
    if (user == null) return out;
    if (Files.exists(user)) return out + "; " + user + " exists and was left as it is";
    Files.createDirectories(user.getParent());
    Files.copy(config.adminKubeconfig(), user, StandardCopyOption.COPY_ATTRIBUTES);
    return out + " and " + user;
  }

  private Supervised<ApiServer> apiServer(ClusterPki pki) throws Exception {
    ApiServerConfig c = new ApiServerConfig(config.etcdEndpoint(), "0.0.0.0", config.ports().apiServer(), nodeIp,
        config.serviceCidr(), 30000, 32767, Duration.ofMinutes(5), 10000, Duration.ofMinutes(1), Duration.ofHours(1),
        true, 32)
        .withAdmission(AdmissionConfig.DEFAULT.enabling("NodeRestriction"))
        .withAuthorizationMode("Node,RBAC")
        .withTls(new ServingTls(pki.certFile(ClusterCertificates.API_SERVER), pki.keyFile(ClusterCertificates.API_SERVER)))
        .withAuthentication(new AuthenticationConfig(pki.caFile(), null, true)
            .withServiceAccounts(ServiceAccountTokenOptions.of(pki.serviceAccountKeyFile(), pki.serviceAccountPublicKeyFile()))
            .withBootstrapTokens(true))
        .withKubeletClient(new KubeletClientTls(pki.certFile(ClusterCertificates.API_SERVER_KUBELET_CLIENT),
            pki.keyFile(ClusterCertificates.API_SERVER_KUBELET_CLIENT), pki.caFile()))
        // kubectl get componentstatuses probes our scheduler and controller-manager where they really serve
        .withComponentHealthUrls("http://127.0.0.1:" + config.ports().scheduler() + "/healthz",
            "http://127.0.0.1:" + config.ports().controllerManager() + "/healthz");
    String readyz = config.apiServerUrl() + "/readyz";
    return new Supervised<>("apiserver", () -> new ApiServer(c).start(), s -> Health.ok(readyz));
  }

  private Supervised<Handle<SchedulerServer>> scheduler() {
    SchedulerOptions o = SchedulerOptions.defaults().withServing("127.0.0.1", config.ports().scheduler());
    String healthz = "http://127.0.0.1:" + config.ports().scheduler() + "/healthz";
    return new Supervised<>("scheduler", () -> {
      SchedulerServer s = SchedulerServer.start(client(config.kubeconfigDir().resolve("scheduler.kubeconfig")), o);
      return Handle.of(s, s);
    }, h -> Health.ok(healthz));
  }

  private Supervised<Handle<ControllerManager>> controllerManager() {
    String healthz = "http://127.0.0.1:" + config.ports().controllerManager() + "/healthz";
    return new Supervised<>("controller-manager", () -> {
      KubernetesClient c = client(config.kubeconfigDir().resolve("controller-manager.kubeconfig"));
      var selected = KnownControllers.select(List.of("*"));
      String rootCa = Files.readString(ClusterPki.at(config.pkiDir()).caFile());
      selected.computeIfPresent("root-ca-certificate-publisher-controller", (n, d) -> k -> new RootCaCertPublisher(k, rootCa));
      selected.computeIfPresent("node-ipam-controller",
          (n, d) -> k -> new NodeIpamController(k, config.clusterCidr(), NodeIpamController.DEFAULT_NODE_CIDR_MASK_SIZE));
      // kubelet TLS bootstrap: joined kubelets get client and (Planet's addition) serving certificates from the CA
      ClusterPki pki = ClusterPki.at(config.pkiDir());
      selected.computeIfPresent("certificatesigningrequest-signing-controller",
          (n, d) -> k -> new CsrSigningController(k, pki.caFile(), pki.keyFile(ClusterPki.CA)));
      selected.computeIfPresent("certificatesigningrequest-approving-controller", (n, d) -> k -> new CsrApprovingController(k, true));
      ControllerManager m = new ControllerManager(c, selected,
          LeaderElection.defaults(config.nodeName() + "_" + UUID.randomUUID()), "127.0.0.1",
          config.ports().controllerManager()).start();
      return Handle.of(m, m, c);
    }, h -> !h.value().lostLeadership().isDone() && Health.ok(healthz));
  }

  /** The bundled busybox image, built by scripts/build-busybox-image, imported once into the node's store. */
  static String importImages(ClusterConfig config) throws Exception {
    ImageStore store = new ImageStore(config.dataDir().resolve("images"));
    if (store.list().stream().anyMatch(i -> i.names().stream().anyMatch(n -> n.startsWith("planet.local/busybox:")))) {
      return "planet.local/busybox present";
    }
    Path home = PlanetHome.find();
    if (home == null) return "no bundled images (planet image import FILE adds some)";
    Path archive = home.resolve("target/images/busybox.oci.tar");
    Path script = home.resolve("scripts/build-busybox-image");
    if (!Files.exists(archive) && Files.isExecutable(script) && Files.isExecutable(Path.of("/bin/busybox"))) {
      Process p = new ProcessBuilder(script.toString(), archive.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor();
    }
    if (!Files.exists(archive)) return "no busybox archive (scripts/build-busybox-image, then planet image import)";
    var imported = new ArchiveImporter(store).importArchive(archive, null);
    return "imported " + String.join(", ", imported.get(0).names());
  }

  private Supervised<Handle<Kubelet>> kubelet() {
    ClusterPki pki = ClusterPki.at(config.pkiDir());
    String serving = ClusterCertificates.kubeletServing(config.nodeName());
    return new Supervised<>("kubelet", () -> NodeAgents.kubelet(config,
        config.kubeconfigDir().resolve("kubelet-" + config.nodeName() + ".kubeconfig"), pki.certFile(serving),
        pki.keyFile(serving), pki.caFile()),
        h -> Health.okAsKubeletClient("https://" + nodeIp + ":" + h.value().port() + "/healthz", pki));
  }

  private Supervised<Handle<Proxier>> proxy() {
    return new Supervised<>("proxy", () -> NodeAgents.proxy(config, config.kubeconfigDir().resolve("proxy.kubeconfig")),
        h -> true);
  }

  /**
   * The DNS server listens on the node's address (a free port); like kube-dns upstream, the Service kube-system/kube-dns
   * has the cluster DNS address and the proxy sends it there through a selector-less Service's EndpointSlice.
   */
  private Supervised<Handle<ClusterDns>> dns() {
    String probeName = "kubernetes.default.svc." + config.clusterDomain();
    return new Supervised<>("dns", () -> {
      KubernetesClient c = client(config.kubeconfigDir().resolve("proxy.kubeconfig"));
      ClusterDns d = new ClusterDns(c, ClusterDns.Options.defaults(new InetSocketAddress(nodeIp, 0), config.clusterDomain()));
      d.start();
      publishDns(d.port());
      return Handle.of(d, d, c);
    }, h -> DnsProbe.answers(new InetSocketAddress(nodeIp, h.value().port()), probeName, 2000) > 0);
  }

  private void publishDns(int port) {
    admin.services().inNamespace("kube-system").resource(new ServiceBuilder().withNewMetadata().withName("kube-dns")
        .withNamespace("kube-system").addToLabels("k8s-app", "kube-dns").addToLabels("kubernetes.io/name", "CoreDNS")
        // kubeadm's label: kubectl cluster-info lists the kube-system Services that carry it
        .addToLabels("kubernetes.io/cluster-service", "true")
        .endMetadata().withNewSpec().withClusterIP(config.clusterDns())
        .addNewPort().withName("dns").withPort(53).withProtocol("UDP").withTargetPort(new IntOrString(port)).endPort()
        .addNewPort().withName("dns-tcp").withPort(53).withProtocol("TCP").withTargetPort(new IntOrString(port)).endPort()
        .endSpec().build()).forceConflicts().serverSideApply();
    admin.discovery().v1().endpointSlices().inNamespace("kube-system").resource(new EndpointSliceBuilder().withNewMetadata()
        .withName("kube-dns-" + config.nodeName()).withNamespace("kube-system")
        .addToLabels("kubernetes.io/service-name", "kube-dns")
        .addToLabels("endpointslice.kubernetes.io/managed-by", "planet-start").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses(nodeIp).withNewConditions().withReady(true).endConditions()
        .withNodeName(config.nodeName()).endEndpoint()
        .addNewPort().withName("dns").withPort(port).withProtocol("UDP").endPort()
        .addNewPort().withName("dns-tcp").withPort(port).withProtocol("TCP").endPort()
        .build()).forceConflicts().serverSideApply();
  }

  /** Ready, and labelled with its roles (a kubelet may not label itself node-role.kubernetes.io/*: NodeRestriction). */
  private Void awaitReady() throws InterruptedException, IOException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    boolean labelled = false;
    while (Instant.now().isBefore(deadline)) {
      Node n = admin.nodes().withName(config.nodeName()).get();
      if (n != null && !labelled) {
        List<String> roles = new ArrayList<>();
        if (config.master()) roles.add(CONTROL_PLANE_LABEL);
        if (config.node()) roles.add(NODE_LABEL);
        labelRoles(admin, config.nodeName(), roles);
        labelled = true;
      }
      if (n != null && n.getStatus() != null && n.getStatus().getConditions() != null) {
        for (NodeCondition c : n.getStatus().getConditions()) {
          if (c.getType().equals("Ready") && c.getStatus().equals("True")) return null;
        }
      }
      Thread.sleep(100);
    }
    throw new IOException("node " + config.nodeName() + " did not become Ready within 120 s; see " + config.logFile());
  }

  /**
   * Adds role labels with a merge patch that carries no resourceVersion (as `kubectl label`): the kubelet's and the
   * node controller's writes to the same Node must not make it fail with a conflict.
   */
  static void labelRoles(KubernetesClient admin, String node, List<String> roles) {
    ObjectNode labels = Json.MAPPER.createObjectNode();
    roles.forEach(r -> labels.put(r, ""));
    ObjectNode patch = Json.MAPPER.createObjectNode();
    patch.putObject("metadata").set("labels", labels);
    admin.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
  }

  static KubernetesClient client(Path kubeconfig) throws IOException {
    Config c = Config.fromKubeconfig(Files.readString(kubeconfig));
    c.setRequestTimeout(10_000);
    c.setConnectionTimeout(5_000);
    return new KubernetesClientBuilder().withConfig(c).withKubernetesSerialization(SERIALIZATION).build();
  }

  /** Stops pods (TERM, KILL after each one's grace period) and components, then leaves nothing of the node behind. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Shutdown.run(config, supervisor, admin);
  }
}
