package io.planet.apiserver;

import io.planet.apiserver.auth.AuthenticationConfig;
import io.planet.apiserver.http.ServingTls;
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
 * @param tls the serving certificate for HTTPS; null serves plain HTTP (development and the test harness only)
 * @param authentication how requests are authenticated
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
    ServingTls tls,
    AuthenticationConfig authentication) {

  public ApiServerConfig {
    if (authentication == null) authentication = AuthenticationConfig.anonymousOnly();
  }

  public ApiServerConfig(String etcdServers, String bindAddress, int port, String advertiseAddress,
      String serviceClusterIpRange, int nodePortMin, int nodePortMax, Duration compactionInterval, int watchCacheSize,
      Duration bookmarkInterval, Duration eventTtl, boolean enableGarbageCollector, int workerThreads,
      Duration apiServiceAvailabilityPeriod) {
    this(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        apiServiceAvailabilityPeriod, null, null);
  }

  public ApiServerConfig(String etcdServers, String bindAddress, int port, String advertiseAddress,
      String serviceClusterIpRange, int nodePortMin, int nodePortMax, Duration compactionInterval, int watchCacheSize,
      Duration bookmarkInterval, Duration eventTtl, boolean enableGarbageCollector, int workerThreads) {
    this(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads,
        Duration.ofSeconds(30));
  }

  public static ApiServerConfig defaults(String etcdServers) {
    return new ApiServerConfig(etcdServers, "127.0.0.1", 6443, "", "10.96.0.0/12", 30000, 32767,
        Duration.ofMinutes(5), 10_000, Duration.ofMinutes(1), Duration.ofHours(1), false, 64);
  }

  public ApiServerConfig withPort(int p) {
    return new ApiServerConfig(etcdServers, bindAddress, p, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, tls, authentication);
  }

  public ApiServerConfig withCompaction(Duration d, int cacheSize) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        d, cacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, tls, authentication);
  }

  public ApiServerConfig withBookmarkInterval(Duration d) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, d, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, tls, authentication);
  }

  public ApiServerConfig withBindAddress(String a) {
    return new ApiServerConfig(etcdServers, a, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, tls, authentication);
  }

  public ApiServerConfig withServiceRange(String cidr) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, cidr, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, tls, authentication);
  }

  public ApiServerConfig withApiServiceAvailabilityPeriod(Duration d) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, d, tls, authentication);
  }

  public ApiServerConfig withGarbageCollector(boolean enabled) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enabled, workerThreads, apiServiceAvailabilityPeriod, tls, authentication);
  }

  /** Serves HTTPS with this certificate and key. */
  public ApiServerConfig withTls(ServingTls t) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, t, authentication);
  }

  public ApiServerConfig withAuthentication(AuthenticationConfig a) {
    return new ApiServerConfig(etcdServers, bindAddress, port, advertiseAddress, serviceClusterIpRange, nodePortMin, nodePortMax,
        compactionInterval, watchCacheSize, bookmarkInterval, eventTtl, enableGarbageCollector, workerThreads, apiServiceAvailabilityPeriod, tls, a);
  }
}
