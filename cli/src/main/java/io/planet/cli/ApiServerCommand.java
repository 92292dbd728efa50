package io.planet.cli;

import io.planet.apiserver.ApiServer;
import io.planet.apiserver.ApiServerConfig;
import io.planet.apiserver.audit.AuditConfig;
import io.planet.apiserver.auth.AuthenticationConfig;
import io.planet.apiserver.flowcontrol.InFlightLimits;
import io.planet.apiserver.handlers.KubeletClientTls;
import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenOptions;
import io.planet.apiserver.http.ServingTls;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Kubeconfigs;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import io.planet.apiserver.admission.AdmissionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code planet apiserver}: serves the Kubernetes API on etcd until interrupted, over HTTPS with the cluster PKI in
 * {@code <data-dir>/pki} (created when absent, leaves renewed when near expiry) and a kubeconfig per component
 * written to the data directory. {@code --insecure-http} serves plain HTTP without any of that (tests, benchmarks).
 */
@Command(name = "apiserver", mixinStandardHelpOptions = true,
    description = "Serve the Kubernetes API over HTTPS, backed by etcd.")
final class ApiServerCommand implements Callable<Integer> {
  @Option(names = "--etcd-servers", defaultValue = "http://127.0.0.1:2379", description = "etcd client URLs, comma-separated (default: ${DEFAULT-VALUE})")
  String etcdServers;

  @Option(names = "--bind-address", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE})")
  String bindAddress;

  @Option(names = {"--port", "--secure-port"}, defaultValue = "6443", description = "Port to listen on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--advertise-address", defaultValue = "", description = "Address published in the kubernetes Endpoints (default: the bind address)")
  String advertiseAddress;

  @Option(names = "--service-cluster-ip-range", defaultValue = "10.96.0.0/12", description = "CIDR cluster IPs are allocated from (default: ${DEFAULT-VALUE})")
  String serviceRange;

  @Option(names = "--service-node-port-range", defaultValue = "30000-32767", description = "Node port range (default: ${DEFAULT-VALUE})")
  String nodePortRange;

  @Option(names = "--etcd-compaction-interval", defaultValue = "5m", description = "How often etcd is compacted; 0 disables (default: ${DEFAULT-VALUE})")
  String compactionInterval;

  @Option(names = "--watch-cache-size", defaultValue = "10000", description = "Events kept per resource for watches (default: ${DEFAULT-VALUE})")
  int watchCacheSize;

  @Option(names = "--enable-garbage-collector", defaultValue = "false", description = "Add orphan/foregroundDeletion finalizers on delete (needs a running garbage collector)")
  boolean enableGc;

  @Option(names = "--data-dir", defaultValue = "/var/lib/planet",
      description = "Holds pki/ (created when absent) and the kubeconfigs written at start (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--insecure-http", description = "Serve plain HTTP without TLS or authentication (development and tests only)")
  boolean insecureHttp;

  @Option(names = "--node-name", split = ",", description = "Node names the serving certificate covers and kubelet certificates "
      + "and kubeconfigs are made for (default: this host's name)")
  List<String> nodeNames;

  @Option(names = "--token-auth-file", description = "Static bearer tokens, CSV token,user,uid[,\"group1,group2\"]")
  Path tokenAuthFile;

  @Option(names = "--anonymous-auth", defaultValue = "true", arity = "1",
      description = "Serve requests without credentials as system:anonymous (default: ${DEFAULT-VALUE})")
  boolean anonymousAuth;

  @Option(names = "--enable-admission-plugins", split = ",", description = "Admission plugins to enable in addition to the "
      + "default-on ones (NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, Priority, DefaultTolerationSeconds, "
      + "DefaultStorageClass, StorageObjectInUseProtection, RuntimeClass, CertificateApproval, CertificateSigning, CertificateSubjectRestriction, "
      + "DefaultIngressClass, MutatingAdmissionWebhook, ValidatingAdmissionWebhook, ResourceQuota); comma-separated")
  List<String> enableAdmission = new ArrayList<>();

  @Option(names = "--disable-admission-plugins", split = ",", description = "Admission plugins to disable even if on by default; "
      + "comma-separated")
  List<String> disableAdmission = new ArrayList<>();

  @Option(names = "--authorization-mode", description = "Authorizers in order, comma-separated: AlwaysAllow, AlwaysDeny, "
      + "Node, RBAC (default: Node,RBAC; AlwaysAllow with --insecure-http, which authenticates nobody)")
  String authorizationMode;

  @Option(names = "--audit-log-path", description = "Write audit events as JSON lines to this file (\"-\" for standard output); no audit log when unset")
  String auditLogPath;

  @Option(names = "--audit-log-maxsize", defaultValue = "100", description = "Size in megabytes at which the audit log is rotated (default: ${DEFAULT-VALUE})")
  long auditLogMaxSize;

  @Option(names = "--audit-log-maxbackup", defaultValue = "0", description = "Rotated audit logs kept; 0 keeps all (default: ${DEFAULT-VALUE})")
  int auditLogMaxBackup;

  @Option(names = "--audit-log-maxage", defaultValue = "0", description = "Days rotated audit logs are kept; 0 keeps them (default: ${DEFAULT-VALUE})")
  int auditLogMaxAge;

  @Option(names = "--audit-policy-file", description = "audit.k8s.io/v1 Policy deciding what is audited at which level (default: every request at Metadata)")
  Path auditPolicyFile;

  @Option(names = "--max-requests-inflight", defaultValue = "400", description = "Read-only requests served at once, long-running ones aside; 0 means no limit (default: ${DEFAULT-VALUE})")
  int maxRequestsInflight;

  @Option(names = "--max-mutating-requests-inflight", defaultValue = "200", description = "Mutating requests served at once; 0 means no limit (default: ${DEFAULT-VALUE})")
  int maxMutatingRequestsInflight;

  @Option(names = "--kubelet-client-certificate", description = "Client certificate presented to kubelets (default with the "
      + "PKI: pki/apiserver-kubelet-client.crt)")
  Path kubeletClientCert;

  @Option(names = "--kubelet-client-key", description = "Key of --kubelet-client-certificate")
  Path kubeletClientKey;

  @Option(names = "--kubelet-certificate-authority", description = "CA kubelets' serving certificates are verified against "
      + "(default with the PKI: pki/ca.crt; without one they are not verified)")
  Path kubeletCa;

  @Option(names = "--service-account-issuer", defaultValue = ServiceAccountTokenOptions.DEFAULT_ISSUER,
      description = "iss of the service-account tokens this server issues and accepts (default: ${DEFAULT-VALUE})")
  String serviceAccountIssuer;

  @Option(names = "--api-audiences", split = ",",
      description = "Audiences a token must be meant for to reach this server (default: the service-account issuer)")
  List<String> apiAudiences;

  @Option(names = "--service-account-max-token-expiration", defaultValue = "",
      description = "Longest lifetime a TokenRequest may get (default: no limit)")
  String maxTokenExpiration;

  @Option(names = "--enable-bootstrap-token-auth", defaultValue = "true", arity = "0..1", fallbackValue = "true",
      description = "Authenticate bootstrap tokens (Secrets bootstrap-token-<id> in kube-system) for joining nodes (default: ${DEFAULT-VALUE})")
  boolean bootstrapTokens;

  @Override
  public Integer call() {
    String[] range = nodePortRange.split("-");
    if (range.length != 2) {
      System.err.println("planet apiserver: --service-node-port-range must look like 30000-32767");
      return 2;
    }
    Duration compaction;
    try {
      compaction = Durations.parse(compactionInterval);
    } catch (IllegalArgumentException e) {
      System.err.println("planet apiserver: --etcd-compaction-interval: " + e.getMessage());
      return 2;
    }
    ApiServerConfig config = new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceRange,
        Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()), compaction, watchCacheSize,
        Duration.ofMinutes(1), Duration.ofHours(1), enableGc, 32)
        .withAdmission(new AdmissionConfig(enableAdmission, disableAdmission, null))
        .withAuthorizationMode(authorizationMode != null ? authorizationMode : insecureHttp ? "AlwaysAllow" : "Node,RBAC")
        .withInFlight(new InFlightLimits(maxRequestsInflight, maxMutatingRequestsInflight));
    if (auditLogPath != null && !auditLogPath.isEmpty()) {
      config = config.withAudit(AuditConfig.logTo(auditLogPath).withPolicyFile(auditPolicyFile)
          .withRotation(auditLogMaxSize * 1024 * 1024, auditLogMaxBackup, auditLogMaxAge));
    }
    ClusterPki pki = null;
    List<String> nodes = nodeNames == null || nodeNames.isEmpty() ? List.of(hostName()) : nodeNames;
    if (insecureHttp) {
      try {
        config = config.withAuthentication(new AuthenticationConfig(null, tokenAuthFile, anonymousAuth))
            .withKubeletClient(new KubeletClientTls(kubeletClientCert, kubeletClientKey, kubeletCa));
      } catch (IllegalArgumentException e) {
        System.err.println("planet apiserver: " + e.getMessage());
        return 2;
      }
    } else {
      try {
        pki = ClusterPki.at(dataDir.resolve("pki"));
        List<ClusterCertificates.Node> certNodes = new ArrayList<>();
        for (String n : nodes) certNodes.add(new ClusterCertificates.Node(n, addresses()));
        // what was (re)issued is logged by the PKI; stderr stays for the one-line errors and the serving line
        pki.ensure(new ClusterCertificates(certNodes, serviceRange, "cluster.local").specs());
      } catch (UncheckedIOException | IllegalArgumentException e) {
        System.err.println("planet apiserver: " + e.getMessage());
        return 1;
      }
      Duration maxExpiration;
      try {
        maxExpiration = maxTokenExpiration.isEmpty() ? null : Durations.parse(maxTokenExpiration);
      } catch (IllegalArgumentException e) {
        System.err.println("planet apiserver: --service-account-max-token-expiration: " + e.getMessage());
        return 2;
      }
      ServiceAccountTokenOptions sa = new ServiceAccountTokenOptions(serviceAccountIssuer, pki.serviceAccountKeyFile(),
          List.of(pki.serviceAccountPublicKeyFile()), apiAudiences, maxExpiration, true);
      config = config.withTls(new ServingTls(pki.certFile(ClusterCertificates.API_SERVER), pki.keyFile(ClusterCertificates.API_SERVER)))
          .withAuthentication(new AuthenticationConfig(pki.caFile(), tokenAuthFile, anonymousAuth)
              .withServiceAccounts(sa).withBootstrapTokens(bootstrapTokens));
      try {
        config = config.withKubeletClient(kubeletClient(pki));
      } catch (IllegalArgumentException e) {
        System.err.println("planet apiserver: " + e.getMessage());
        return 2;
      }
    }
    ApiServer server;
    try {
      server = new ApiServer(config).start();
    } catch (ApiServer.StartupException | IllegalArgumentException e) {
      System.err.println("planet apiserver: " + e.getMessage());
      return 1;
    }
    if (pki != null) {
      String host = bindAddress.equals("0.0.0.0") || bindAddress.equals("::") ? "127.0.0.1" : bindAddress;
      try {
        Kubeconfigs.writeAll(dataDir, "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.address().getPort(), pki, nodes);
      } catch (UncheckedIOException e) {
        System.err.println("planet apiserver: " + e.getMessage());
        server.close();
        return 1;
      }
      System.err.println("planet apiserver: wrote " + dataDir.resolve("admin.kubeconfig") + " and the component kubeconfigs");
    }
    System.err.println("planet apiserver: serving on " + server.url() + " (etcd " + etcdServers + ")");
    Foreground.awaitShutdown(() -> server.close());
    return 0;
  }

  /**
   * The kubelet flags win; otherwise the PKI's apiserver-kubelet-client (system:masters) and its CA, so kubelets
   * serving cluster-signed certificates are verified and can authorize the API server.
   */
  private KubeletClientTls kubeletClient(ClusterPki pki) {
    boolean own = kubeletClientCert != null || kubeletClientKey != null;
    Path cert = own ? kubeletClientCert : pki.certFile(ClusterCertificates.API_SERVER_KUBELET_CLIENT);
    Path key = own ? kubeletClientKey : pki.keyFile(ClusterCertificates.API_SERVER_KUBELET_CLIENT);
    Path ca = kubeletCa != null ? kubeletCa : pki.caFile();
    return new KubeletClientTls(cert, key, ca);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** The addresses this server is reached on besides loopback: the advertise and bind addresses when specific. */
  private List<String> addresses() {
    List<String> out = new ArrayList<>();
    for (String a : List.of(advertiseAddress, bindAddress)) {
      if (!a.isEmpty() && !a.equals("0.0.0.0") && !a.equals("::") && !out.contains(a)) out.add(a);
    }
    return out;
  }
}
