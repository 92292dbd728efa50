package io.planet.cli.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.planet.node.bootstrap.BootstrapToken;
import io.planet.node.bootstrap.ClusterInfoDiscovery;
import io.planet.node.bootstrap.NodeCredentials;
import io.planet.node.bootstrap.TlsBootstrap;
import io.planet.node.kubelet.Kubelet;
import io.planet.node.proxy.Proxier;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A node joined to a cluster whose control plane runs elsewhere ({@code planet join}): token discovery of the
 * cluster's CA from kube-public/cluster-info, kubelet TLS bootstrap (client and serving certificates through
 * CertificateSigningRequests), then the node agent with its secured kubelet API and the service proxy (with the
 * host-gw routes to the other nodes' pods), started in turn with a progress line and kept running by the
 * {@link Supervisor}. {@link #close()} stops the pods and every component and resets the node.
 */
public final class JoinedNode implements Service {
  static final Duration CSR_DEADLINE = Duration.ofMinutes(2);
  static final Duration READY_DEADLINE = Duration.ofSeconds(120);

  private final ClusterConfig config;
  private final JoinOptions join;
  private final Phases phases;
  private final Supervisor supervisor;
  private final NodeCredentials credentials;
  private KubernetesClient client;
  private volatile boolean closed;

  public JoinedNode(ClusterConfig config, JoinOptions join, PrintStream out) {
    this.config = config;
    this.join = join;
    this.phases = new Phases("planet join", out);
    this.supervisor = new Supervisor(config.componentsFile(), phases::line);
    this.credentials = NodeCredentials.in(config.dataDir());
  }

  @Override
  public void start() throws Exception {
    Files.createDirectories(config.runDir());
    DataDir.mark(config.dataDir());
    Files.writeString(config.pidFile(), ProcessHandle.current().pid() + "\n");
    config.save();
    join.save(config.runDir());
    NodeReset leftovers = new NodeReset(config, phases::line);
    if (!leftovers.podIds().isEmpty()) {
      phases.run("removed what an earlier run left (" + leftovers.podIds().size() + " pod sandboxes)", () -> {
        leftovers.run(Duration.ZERO);
        return null;
      });
    }
    String caPem = discover();
    TlsBootstrap bootstrap = new TlsBootstrap(join.server(), caPem, credentials, config.nodeName(), CSR_DEADLINE, phases::line);
    phases.run("client certificate", () -> bootstrap.ensureClientCertificate(join.token()));
    phases.run("serving certificate", () -> bootstrap.ensureServingCertificate(List.of(config.advertiseAddress())));
    client = SingleNodeCluster.client(credentials.kubeconfig());
    phases.run("images", () -> SingleNodeCluster.importImages(config));
    phases.run("node agent " + config.nodeName() + " registered with " + join.server(), () -> supervisor.start(kubelet()));
    phases.run("service proxy syncing", () -> supervisor.start(proxy()));
    phases.run("node " + config.nodeName() + " Ready", this::awaitReady);
    supervisor.save();
    supervisor.watch();
    phases.line("ready in " + phases.total() + "; node " + config.nodeName() + " joined " + join.server()
        + " (kubectl get nodes on the master)");
  }

  /**
   * The CA from token discovery; with no token (a restart) the one discovery wrote before, which the certificates
   * on disk were issued by.
   */
  private String discover() throws IOException, InterruptedException {
    if (join.token() == null) {
      if (!Files.exists(credentials.caFile())) {
        throw new IOException("no cluster CA in " + credentials.caFile() + " and no --token to discover it with");
      }
      phases.line("cluster CA from " + credentials.caFile() + " (no --token: certificates from an earlier join)");
      return Files.readString(credentials.caFile());
    }
    ClusterInfoDiscovery d = new ClusterInfoDiscovery(join.server(), BootstrapToken.parse(join.token()),
        join.caCertHashes(), join.unsafeSkipCaVerification());
    long t0 = System.nanoTime();
    ClusterInfoDiscovery.Result r = d.discover();
    phases.line("cluster-info of " + join.server() + " signed with token " + BootstrapToken.parse(join.token()).id()
        + ", CA " + ClusterInfoDiscovery.publicKeyHash(r.ca())
        + (join.caCertHashes().isEmpty() ? " (not pinned: --discovery-token-unsafe-skip-ca-verification)" : " (pinned)")
        + " (" + Phases.seconds(t0) + ")");
    return r.caPem();
  }

  /** Token discovery alone, before anything starts: a wrong token or CA pin fails here. */
  static void check(JoinOptions join) throws IOException, InterruptedException {
    // no token: a restart with the certificates of an earlier join (start fails clearly when there are none)
    if (join.token() == null) return;
    new ClusterInfoDiscovery(join.server(), BootstrapToken.parse(join.token()), join.caCertHashes(),
        join.unsafeSkipCaVerification()).discover();
  }

  private Supervised<Handle<Kubelet>> kubelet() {
    return new Supervised<>("kubelet", () -> NodeAgents.kubelet(config, credentials.kubeconfig(),
        credentials.servingCertFile(), credentials.servingKeyFile(), credentials.caFile()),
        h -> listening(config.advertiseAddress(), h.value().port()));
  }

  /** The proxy and the host-gw routes, with the node's credentials (the master binds system:nodes to node-proxier). */
  private Supervised<Handle<Proxier>> proxy() {
    return new Supervised<>("proxy", () -> NodeAgents.proxy(config, credentials.kubeconfig()), h -> true);
  }

  /**
   * The kubelet API answers: a TLS port accepting connections (every request needs credentials the node's own
   * identity is not authorized for, as upstream's nodes/healthz; the node's Ready condition shows the rest).
   */
  static boolean listening(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Void awaitReady() throws InterruptedException, IOException {
    Instant deadline = Instant.now().plus(READY_DEADLINE);
    while (Instant.now().isBefore(deadline)) {
      Node n = client.nodes().withName(config.nodeName()).get();
      if (n != null && n.getStatus() != null && n.getStatus().getConditions() != null) {
        for (NodeCondition c : n.getStatus().getConditions()) {
          if (c.getType().equals("Ready") && c.getStatus().equals("True")) return null;
        }
      }
      Thread.sleep(200);
    }
    throw new IOException("node " + config.nodeName() + " did not become Ready within " + READY_DEADLINE.toSeconds()
        + " s; see " + config.logFile());
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Shutdown.run(config, supervisor, client);
  }
}
