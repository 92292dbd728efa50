package io.planet.apiserver;

import io.planet.apiserver.admission.AdmissionConfig;
import io.planet.apiserver.audit.AuditConfig;
import io.planet.apiserver.auth.AuthenticationConfig;
import io.planet.apiserver.flowcontrol.InFlightLimits;
import io.planet.apiserver.auth.UserInfo;
import io.planet.apiserver.handlers.KubeletClientTls;
import io.planet.apiserver.http.ApiRequest;
import io.planet.apiserver.http.ServingTls;
import java.time.Duration;
import java.util.function.Function;

/**
 * How an API server runs.
 *
 * @param etcdServers comma-separated etcd client URLs
 * @param compactionInterval etcd compaction period (upstream: 5 minutes); zero disables it
 * @param watchCacheSize events kept per resource for watches from an older resourceVersion
 * @param bookmarkInterval how often watches that allow bookmarks get one (upstream: about a minute)
 * @param enableGarbageCollector whether deletes add the orphan/foregroundDeletion finalizers a garbage collector honours
 * @param apiServiceAvailabilityPeriod how often every APIService's Available condition is re-checked (upstream: 30 s;
 *     changes trigger checks at once)
 * @param authorizationMode upstream's --authorization-mode: comma-separated AlwaysAllow, AlwaysDeny, Node, RBAC
 *     (default AlwaysAllow until authentication is wired)
 * @param testAuthenticator TEST SEAM ONLY: decides who each request is, overriding authentication; null (the default)
 *     leaves the user authentication established
 * @param tls the serving certificate for HTTPS; null serves plain HTTP (development and the test harness only)
 * @param authentication how requests are authenticated
 * @param admission upstream's --enable-admission-plugins / --disable-admission-plugins and the PodSecurity
 *     configuration (default: upstream's default-on plugins)
 * @param audit the audit log (upstream's --audit-* flags); off by default
 * @param inFlight upstream's --max-requests-inflight and --max-mutating-requests-inflight (400 and 200)
 * @param kubeletClient how the API server connects to kubelets (client certificate, kubelet CA)
 * @param schedulerHealthUrl the scheduler's health endpoint that v1 ComponentStatus probes (default upstream's
 *     https://127.0.0.1:10259/healthz, certificate unchecked)
 * @param controllerManagerHealthUrl the controller-manager's health endpoint ComponentStatus probes (default
 *     upstream's https://127.0.0.1:10257/healthz)
 */
public record ApiServerConfig(
    String etcdServers,
    String bindAddress,
    int port,
    String advertiseAddress,
    String serviceClusterIpRange,
    int nodePortMin,
    int nodePortMax,
    Duration compactionInterval,
    int watchCacheSize,
    Duration bookmarkInterval,
    Duration eventTtl,
    boolean enableGarbageCollector,
    int workerThreads,
    Duration apiServiceAvailabilityPeriod,
    String authorizationMode,
    Function<ApiRequest, UserInfo> testAuthenticator,
    ServingTls tls,
    AuthenticationConfig authentication,
    AdmissionConfig admission,
    AuditConfig audit,
    InFlightLimits inFlight,

    KubeletClientTls kubeletClient,
    String schedulerHealthUrl,
    String controllerManagerHealthUrl) {

  /** Where upstream's kube-apiserver looks for the scheduler and controller-manager (their secure ports). */
  public static final String UPSTREAM_SCHEDULER_HEALTH = "https://127.0.0.1:10259/healthz";
  public static final String UPSTREAM_CONTROLLER_MANAGER_HEALTH = "https://127.0.0.1:10257/healthz";

  public ApiServerConfig {
    if (admission == null) admission = AdmissionConfig.DEFAULT;
    if (authorizationMode == null) authorizationMode = "AlwaysAllow";
    if (authentication == null) authentication = AuthenticationConfig.anonymousOnly();
    if (audit == null) audit = AuditConfig.disabled();
    if (inFlight == null) inFlight = InFlightLimits.defaults();
    if (kubeletClient == null) kubeletClient = KubeletClientTls.NONE;
    if (schedulerHealthUrl == null) schedulerHealthUrl = UPSTREAM_SCHEDULER_HEALTH;
    if (controllerManagerHealthUrl == null) controllerManagerHealthUrl = UPSTREAM_CONTROLLER_MANAGER_HEALTH;
  }

  public ApiServerConfig(String etcdServers, String bindAddress, int port, String advertiseAddress,
      String serviceClusterIpRange, int nodePortMin, int nodePortMax, Duration compactionInterval, int watchCacheSize,
      Duration bookmarkInterval, Duration eventTtl, boolean enableGarbageCollector, int workerThreads) {
    this(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        Duration.ofSeconds(30), "AlwaysAllow", null, null, null, null, null, null, null, null, null);
  }

  public static ApiServerConfig defaults(String etcdServers) {
    return new ApiServerConfig(etcdServers, "127.0.0.1", 6443, "", "10.96.0.0/12", 30000, 32767,
        Duration.ofMinutes(5), 10_000, Duration.ofMinutes(1), Duration.ofHours(1), false, 32);
  }

  /** A mutable copy: each wither changes one field of it and builds a new config. */
  private final class Copy {
    String bindAddress = ApiServerConfig.this.bindAddress;
    int port = ApiServerConfig.this.port;
    String serviceClusterIpRange = ApiServerConfig.this.serviceClusterIpRange;
    Duration compactionInterval = ApiServerConfig.this.compactionInterval;
    int watchCacheSize = ApiServerConfig.this.watchCacheSize;
    Duration bookmarkInterval = ApiServerConfig.this.bookmarkInterval;
    boolean enableGarbageCollector = ApiServerConfig.this.enableGarbageCollector;
    int workerThreads = ApiServerConfig.this.workerThreads;
    Duration apiServiceAvailabilityPeriod = ApiServerConfig.this.apiServiceAvailabilityPeriod;
    String authorizationMode = ApiServerConfig.this.authorizationMode;
    Function<ApiRequest, UserInfo> testAuthenticator = ApiServerConfig.this.testAuthenticator;
    ServingTls tls = ApiServerConfig.this.tls;
    AuthenticationConfig authentication = ApiServerConfig.this.authentication;
    AdmissionConfig admission = ApiServerConfig.this.admission;
    AuditConfig audit = ApiServerConfig.this.audit;
    InFlightLimits inFlight = ApiServerConfig.this.inFlight;
    KubeletClientTls kubeletClient = ApiServerConfig.this.kubeletClient;
    String schedulerHealthUrl = ApiServerConfig.this.schedulerHealthUrl;
    String controllerManagerHealthUrl = ApiServerConfig.this.controllerManagerHealthUrl;

    ApiServerConfig build() {
      return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin,
          nodePortMax, compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector,
          workerThreads, apiServiceAvailabilityPeriod, authorizationMode, testAuthenticator, tls, authentication, admission, audit,
          inFlight, kubeletClient, schedulerHealthUrl, controllerManagerHealthUrl);
    }
  }

  public ApiServerConfig withPort(int p) {
    Copy c = new Copy();
    c.port = p;
    return c.build();
  }

  public ApiServerConfig withCompaction(Duration d, int cacheSize) {
    Copy c = new Copy();
    c.compactionInterval = d;
    c.watchCacheSize = cacheSize;
    return c.build();
  }

  /** Threads for short requests (long-running ones get their own). */
  public ApiServerConfig withWorkerThreads(int n) {
    Copy c = new Copy();
    c.workerThreads = n;
    return c.build();
  }

  public ApiServerConfig withBookmarkInterval(Duration d) {
    Copy c = new Copy();
    c.bookmarkInterval = d;
    return c.build();
  }

  public ApiServerConfig withBindAddress(String a) {
    Copy c = new Copy();
    c.bindAddress = a;
    return c.build();
  }

  public ApiServerConfig withServiceRange(String cidr) {
    Copy c = new Copy();
    c.serviceClusterIpRange = cidr;
    return c.build();
  }

  public ApiServerConfig withApiServiceAvailabilityPeriod(Duration d) {
    Copy c = new Copy();
    c.apiServiceAvailabilityPeriod = d;
    return c.build();
  }

  public ApiServerConfig withGarbageCollector(boolean enabled) {
    Copy c = new Copy();
    c.enableGarbageCollector = enabled;
    return c.build();
  }

  public ApiServerConfig withAuthorizationMode(String mode) {
    Copy c = new Copy();
    c.authorizationMode = mode;
    return c.build();
  }

  /** TEST SEAM ONLY: every request is the user this function returns (see {@code testAuthenticator}). */
  public ApiServerConfig withTestAuthenticator(Function<ApiRequest, UserInfo> f) {
    Copy c = new Copy();
    c.testAuthenticator = f;
    return c.build();
  }

  /** Serves HTTPS with this certificate and key. */
  public ApiServerConfig withTls(ServingTls t) {
    Copy c = new Copy();
    c.tls = t;
    return c.build();
  }

  public ApiServerConfig withAuthentication(AuthenticationConfig a) {
    Copy c = new Copy();
    c.authentication = a;
    return c.build();
  }

  /** The admission plugins and their configuration (see {@code admission}). */
  public ApiServerConfig withAdmission(AdmissionConfig a) {
    Copy c = new Copy();
    c.admission = a;
    return c.build();
  }

  public ApiServerConfig withAudit(AuditConfig a) {
    Copy c = new Copy();
    c.audit = a;
    return c.build();
  }

  public ApiServerConfig withInFlight(InFlightLimits l) {
    Copy c = new Copy();
    c.inFlight = l;
    return c.build();
  }

  /** Upstream's --kubelet-client-certificate/--kubelet-client-key/--kubelet-certificate-authority. */
  public ApiServerConfig withKubeletClient(KubeletClientTls k) {
    Copy c = new Copy();
    c.kubeletClient = k;
    return c.build();
  }

  /** The scheduler's and controller-manager's health endpoints for v1 ComponentStatus (null: upstream's). */
  public ApiServerConfig withComponentHealthUrls(String scheduler, String controllerManager) {
    Copy c = new Copy();
    c.schedulerHealthUrl = scheduler;
    c.controllerManagerHealthUrl = controllerManager;
    return c.build();
  }
}
