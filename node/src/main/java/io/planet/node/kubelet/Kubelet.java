package io.planet.node.kubelet;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.client.events.EventRecorder;
import io.planet.node.image.ImageStore;
import io.planet.node.image.RegistryClient;
import io.netty.handler.ssl.SslContext;
import io.planet.node.runtime.RuncRuntime;
import io.planet.node.server.KubeletServer;
import io.planet.node.server.KubeletServerConfig;
import io.planet.node.server.KubeletTls;
import io.planet.node.server.ServingCertificate;
import io.planet.node.server.auth.KubeletAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The node agent: registers and heartbeats the Node ({@link NodeStatusManager}) and runs the pods bound to it
 * ({@link PodWorkers}) as runc containers from the node's image store.
 */
public final class Kubelet implements AutoCloseable {
  /** Where things live: data (images, containers, pods), runtime state, pod logs; and the restart back-off. */
  public record Paths(Path dataDir, Path runDir, Path logsDir, Path netnsDir) {
    public static Paths defaults() {
      return new Paths(Path.of("/var/lib/planet"), Path.of("/run/planet"), Path.of("/var/log/pods"), Path.of("/run/netns"));
    }
  }

  private final NodeStatusManager node;
  private final RuncRuntime runtime;
  private final KubernetesClient client;
  private final NodeStatusManager.Options nodeOptions;
  private final Paths paths;
  private final Duration backoffInitial;
  private final Duration backoffMax;
  private final PodNetworking networking;
  private final ImageStore images;
  private final Set<String> insecureRegistries;
  private PodWorkers workers;
  private LocalPathStorage localPath;
  private KubeletServer server;
  private final int port;
  private final List<String> clusterDns;
  private final String clusterDomain;
  private KubeletServerConfig serverConfig = KubeletServerConfig.open();
  /** The kubelet's own recorder: component kubelet, source.host and reportingInstance the node's name, as upstream. */
  private final EventRecorder recorder;
  private final KubeletEvents events;

  /** {@code port}: the kubelet API's (10250 upstream; 0 picks a free one, for tests). Pods use the host's resolvers. */
  public Kubelet(KubernetesClient client, NodeStatusManager.Options nodeOptions, Paths paths, Set<String> insecureRegistries,
      Duration backoffInitial, Duration backoffMax, PodNetworking networking, int port) throws IOException {
    this(client, nodeOptions, paths, insecureRegistries, backoffInitial, backoffMax, networking, port, List.of(), "cluster.local");
  }

  /**
   * As above, with upstream's --cluster-dns / --cluster-domain: ClusterFirst pods resolve through {@code clusterDns}
   * with the search path of {@code clusterDomain}.
   */
  public Kubelet(KubernetesClient client, NodeStatusManager.Options nodeOptions, Paths paths, Set<String> insecureRegistries,
      Duration backoffInitial, Duration backoffMax, PodNetworking networking, int port, List<String> clusterDns,
      String clusterDomain) throws IOException {
    this.clusterDns = List.copyOf(clusterDns);
    this.clusterDomain = clusterDomain;
    this.port = port;
    this.client = client;
    this.nodeOptions = nodeOptions;
    this.paths = paths;
    this.backoffInitial = backoffInitial;
    this.backoffMax = backoffMax;
    this.networking = networking;
    this.insecureRegistries = insecureRegistries;
    this.recorder = new EventRecorder(client, "kubelet", nodeOptions.nodeName(), nodeOptions.nodeName(), 1);
    this.events = new KubeletEvents(recorder, nodeOptions.nodeName());
    this.node = new NodeStatusManager(client, nodeOptions, events);
    this.images = new ImageStore(paths.dataDir().resolve("images"));
    this.runtime = new RuncRuntime(images, paths.dataDir(), paths.runDir(), paths.netnsDir());
  }

  /** Upstream's --allowed-unsafe-sysctls (names or prefixes ending in *); before {@link #start()}. */
  public Kubelet withAllowedUnsafeSysctls(List<String> patterns) {
    Sysctls.allowing(patterns); // a pattern that is not namespaced fails here, as upstream's flag check
    this.allowedUnsafeSysctls = List.copyOf(patterns);
    return this;
  }

  private List<String> allowedUnsafeSysctls = List.of();

  /** How the kubelet API serves and authorizes (default {@link KubeletServerConfig#open()}); before {@link #start()}. */
  public Kubelet withServerConfig(KubeletServerConfig config) {
    this.serverConfig = config;
    return this;
  }

  public ImageStore images() {
    return images;
  }

  /**
   * Registers the node, adopts the pods an earlier agent process left running here (removing what no longer
   * belongs to a pod of this node), then starts running its pods.
   */
  public void start() throws IOException {
    // certificate and CA files first: a bad one fails the start before anything runs
    KubeletAuth auth = KubeletAuth.from(serverConfig, nodeOptions.nodeName(), client);
    SslContext ssl = serverConfig.tlsCertFile() == null ? null
        : KubeletTls.fromFiles(serverConfig.tlsCertFile(), serverConfig.tlsPrivateKeyFile(), auth.clientAuthorities());
    events.node(KubeletEvents.NORMAL, "Starting", "Starting kubelet.");
    node.start();
    localPath = new LocalPathStorage(client, nodeOptions.nodeName(), paths.dataDir().resolve("storage"));
    localPath.start();
    ImageManager imageManager = new ImageManager(images, new RegistryClient(images, insecureRegistries), events);
    workers = new PodWorkers(client, runtime, imageManager, networking, new PodWorkers.Options(nodeOptions.nodeName(),
        node.host().internalIp(), paths.dataDir().resolve("pods"), paths.logsDir(), backoffInitial, backoffMax, clusterDns,
        clusterDomain, Path.of("/etc/resolv.conf")), events);
    workers.allowUnsafeSysctls(allowedUnsafeSysctls);
    workers.adopt();
    runtime.removeOrphans();
    workers.start();
    String ip = node.host().internalIp();
    SummaryProvider summary = new SummaryProvider(nodeOptions.nodeName(), paths.dataDir(), paths.logsDir(), images.root(),
        runtime, workers::statsTargets);
    if (ssl == null) {
      // upstream's kubelet also makes itself a self-signed certificate when given none
      Path pki = paths.dataDir().resolve("pki");
      ssl = KubeletTls.fromKeyStore(ServingCertificate.loadOrCreate(pki, nodeOptions.nodeName(), List.of(ip)),
          ServingCertificate.password(pki), auth.clientAuthorities());
    }
    server = new KubeletServer(workers, summary).start(new InetSocketAddress(ip, port), ssl, auth);
    node.setKubeletPort(server.port());
  }

  /** The kubelet API's port. */
  public int port() {
    return server.port();
  }

  /**
   * Stops the agent, not its pods: as upstream's kubelet, containers keep running (their shims outlive the agent)
   * and the next agent on the same directories adopts them. Delete the pods first for a clean node.
   */
  @Override
  public void close() {
    if (server != null) server.close();
    if (workers != null) workers.close();
    if (localPath != null) localPath.close();
    runtime.close();
    node.close();
    recorder.close();
  }
}
