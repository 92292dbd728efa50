package io.planet.apiserver;

import java.time.Duration;

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
 * @param authorizationMode upstream's --authorization-mode: comma-separated AlwaysAllow, AlwaysDeny, RBAC (default
 *     AlwaysAllow until authentication is wired)
 * @param admission upstream's --enable-admission-plugins / --disable-admission-plugins and the PodSecurity
 *     configuration (default: upstream's default-on plugins)
 * @param testAuthenticator TEST SEAM ONLY: decides who each request is, overriding authentication; null (the default)
 *     leaves the user authentication established
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
    java.util.function.Function<io.planet.apiserver.http.ApiRequest, io.planet.apiserver.auth.UserInfo> testAuthenticator,
    io.planet.apiserver.admission.AdmissionConfig admission) {

  public ApiServerConfig {
    if (admission == null) admission = io.planet.apiserver.admission.AdmissionConfig.DEFAULT;
  }

  public ApiServerConfig(String etcdServers, String bindAddress, int port, String advertiseAddress,
      String serviceClusterIpRange, int nodePortMin, int nodePortMax, Duration compactionInterval, int watchCacheSize,
      Duration bookmarkInterval, Duration eventTtl, boolean enableGarbageCollector, int workerThreads) {
    this(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        Duration.ofSeconds(30), "AlwaysAllow", null, io.planet.apiserver.admission.AdmissionConfig.DEFAULT);
  }

  public static ApiServerConfig defaults(String etcdServers) {
    return new ApiServerConfig(etcdServers, "127.0.0.1", 6443, "", "10.96.0.0/12", 30000, 32767,
        Duration.ofMinutes(5), 10_000, Duration.ofMinutes(1), Duration.ofHours(1), false, 64);
  }

  public ApiServerConfig withPort(int p) {
    return new ApiServerConfig(etcdServers, bindAddress, p, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withCompaction(Duration d, int cacheSize) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        d, cacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withBookmarkInterval(Duration d) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, d, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withBindAddress(String a) {
    return new ApiServerConfig(etcdServers, a, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withServiceRange(String cidr) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, cidr, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withApiServiceAvailabilityPeriod(Duration d) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, d,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withGarbageCollector(boolean enabled) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enabled, workerThreads, apiServiceAvailabilityPeriod,
        authorizationMode, testAuthenticator, admission);
  }

  public ApiServerConfig withAuthorizationMode(String mode) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        apiServiceAvailabilityPeriod, mode, testAuthenticator, admission);
  }

  /** TEST SEAM ONLY: every request is the user this function returns (see {@code testAuthenticator}). */
  public ApiServerConfig withTestAuthenticator(
      java.util.function.Function<io.planet.apiserver.http.ApiRequest, io.planet.apiserver.auth.UserInfo> f) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        apiServiceAvailabilityPeriod, authorizationMode, f, admission);
  }

  /** The admission plugins and their configuration (see {@code admission}). */
  public ApiServerConfig withAdmission(io.planet.apiserver.admission.AdmissionConfig a) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        apiServiceAvailabilityPeriod, authorizationMode, testAuthenticator, a);
  }
}
