package io.planet.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.ssl.SslContext;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.Meta;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import io.planet.api.strategy.CustomResourceStrategy;
import io.planet.api.openapi.OpenApiV2Protobuf;
import io.planet.apiserver.admission.AdmissionChain;
import io.planet.apiserver.aggregator.AggregatedDiscovery;
import io.planet.apiserver.aggregator.ApiProxy;
import io.planet.apiserver.aggregator.ApiServices;
import io.planet.apiserver.aggregator.AutoRegistration;
import io.planet.apiserver.aggregator.AvailableConditionController;
import io.planet.apiserver.aggregator.BackendClients;
import io.planet.apiserver.aggregator.ServiceResolver;
import io.planet.apiserver.audit.Auditor;
import io.planet.apiserver.auth.Authorizer;
import io.planet.apiserver.auth.node.NodeAuthorizer;
import io.planet.apiserver.auth.node.NodeGraph;
import io.planet.apiserver.auth.node.NodeGraphSync;
import io.planet.apiserver.auth.rbac.AccessReviews;
import io.planet.apiserver.auth.rbac.AuthorizationModes;
import io.planet.apiserver.auth.rbac.BootstrapPolicy;
import io.planet.apiserver.auth.rbac.PolicyIndex;
import io.planet.apiserver.auth.rbac.PolicySync;
import io.planet.apiserver.auth.rbac.RbacAuthorizer;
import io.planet.apiserver.auth.rbac.RequestAuthorization;
import io.planet.apiserver.auth.AuthenticationFilter;
import io.planet.apiserver.auth.AuthenticationReviews;
import io.planet.apiserver.auth.RequestAuthentication;
import io.planet.apiserver.flowcontrol.InFlightLimiter;
import io.planet.apiserver.auth.serviceaccount.IssuerDiscovery;
import io.planet.apiserver.auth.serviceaccount.ServiceAccountTokenOptions;
import io.planet.apiserver.auth.serviceaccount.TokenIssuer;
import io.planet.apiserver.auth.serviceaccount.TokenRequests;
import io.planet.apiserver.pki.PemFiles;
import io.planet.apiserver.handlers.ApiHandler;
import io.planet.apiserver.handlers.ComponentProbe;
import io.planet.apiserver.handlers.ComponentStatuses;
import io.planet.apiserver.handlers.Discovery;
import io.planet.apiserver.handlers.EtcdComponentProbe;
import io.planet.apiserver.handlers.Features;
import io.planet.apiserver.handlers.HttpComponentProbe;
import io.planet.apiserver.handlers.ResourceHandler;
import io.planet.apiserver.handlers.WatchHandler;
import io.planet.apiserver.http.Handler;
import io.planet.apiserver.http.HttpServer;
import io.planet.apiserver.registry.ServiceAllocations;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import io.planet.apiserver.storage.EtcdStorage;
import io.planet.apiserver.storage.Storage;
import io.planet.apiserver.storage.StorageException;
import io.planet.apiserver.storage.WatchCache;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server: Kubernetes REST on etcd. Owns the storage, one watch cache per stored resource, a store per served
 * resource, the HTTP server, compaction and the cluster bootstrap objects.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ApiServer.class);
  /** Per ComponentStatus probe: upstream waits 20 s, too long for kubectl get cs on a dead component. */
  private static final Duration COMPONENT_PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final ApiServerConfig config;
  private final ResourceRegistry registry = ResourceRegistry.builtins();
  private final Map<String, WatchCache> caches = new ConcurrentHashMap<>();
  private final Map<ResourceType, Store> stores = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "apiserver-timers");
    t.setDaemon(true);
    return t;
  });
  private EtcdStorage storage;
  private HttpServer http;
  private Auditor auditor;
  private ServiceAllocations services;
  private InetSocketAddress address;
  private ApiServices apiServices;
  private ServiceResolver serviceResolver;
  private BackendClients backendClients;
  private AvailableConditionController availability;
  private volatile boolean etcdHealthy = true;
  private volatile boolean closed;
  private final PolicyIndex rbacPolicy = new PolicyIndex();
  private PolicySync policySync;
  private final NodeGraph nodeGraph = new NodeGraph();
  private NodeGraphSync nodeGraphSync;
  private ComponentStatuses componentStatuses;

  public ApiServer(ApiServerConfig config) {
    this.config = config;
    AccessReviews.register(registry);
    ComponentStatuses.register(registry);
  }

  public ResourceRegistry registry() {
    return registry;
  }

  public InetSocketAddress address() {
    return address;
  }

  public String url() {
    return (config.tls() == null ? "http://" : "https://") + address.getHostString() + ":" + address.getPort();
  }

  /** Starts everything; throws {@link StartupException} with a one-line reason when it cannot. */
  private final java.util.concurrent.atomic.AtomicReference<Authorizer> admissionAuthorizer =
      new java.util.concurrent.atomic.AtomicReference<>();

  public ApiServer start() {
    List<String> modes;
    try {
      modes = AuthorizationModes.parse(config.authorizationMode());
    } catch (IllegalArgumentException e) {
      throw new StartupException("--authorization-mode: " + e.getMessage());
    }
    AdmissionChain admission;
    try {
      // the authorizer is built further down; the certificate plugins reach it through this reference
      admission = AdmissionChain.of(config.admission(), this::store, a -> admissionAuthorizer.get().authorize(a));
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
    checkPortFree();
    RequestAuthentication authentication;
    SslContext ssl;
    ServiceAccountTokenOptions saOptions = config.authentication().serviceAccounts();
    TokenIssuer tokenIssuer = null;
    IssuerDiscovery issuerDiscovery = null;
    try {
      authentication = RequestAuthentication.from(config.authentication(), Clock.systemUTC(), this::cachedObject);
      if (saOptions != null) {
        tokenIssuer = TokenIssuer.fromFile(saOptions.issuer(), saOptions.signingKeyFile());
        List<PublicKey> keys = new ArrayList<>();
        for (java.nio.file.Path f : saOptions.keyFiles()) keys.add(PemFiles.readPublicKey(f));
        issuerDiscovery = new IssuerDiscovery(saOptions.issuer(), keys);
      }
      ssl = config.tls() == null ? null : config.tls().sslContext();
    } catch (IOException e) {
      throw new StartupException(e.getMessage());
    }
    checkEtcdListening();
    storage = new EtcdStorage(config.etcdServers());
    try {
      storage.checkReachable(Duration.ofSeconds(10));
    } catch (StorageException e) {
      storage.close();
      throw new StartupException("cannot reach etcd at " + config.etcdServers() + ": " + e.getMessage().replaceFirst("^etcd is unreachable: ", ""));
    }
    services = new ServiceAllocations(storage, config.serviceClusterIpRange(), config.nodePortMin(), config.nodePortMax());
    for (String prefix : registry.storagePrefixes()) cacheFor(prefix);
    syncCustomResources();
    ServerFeatures features = new ServerFeatures(storage, registry);
    features.warmUp();
    WatchHandler watches = new WatchHandler(timers, features, config.bookmarkInterval().toMillis());
    ResourceHandler resources;
    try {
      resources = new ResourceHandler(registry, this::store, watches, features, admission, config.kubeletClient());
    } catch (java.io.UncheckedIOException e) {
      close();
      throw new StartupException(e.getCause().getMessage());
    }
    if (tokenIssuer != null) {
      resources.withTokenRequests(new TokenRequests(tokenIssuer, saOptions, r -> store("", "v1", r), Clock.systemUTC()));
    }
    String advertise = config.advertiseAddress().isEmpty() ? config.bindAddress() : config.advertiseAddress();
    Discovery discovery = new Discovery(registry, advertise + ":" + config.port());
    ApiProxy proxy = startAggregator(discovery);
    boolean rbac = modes.contains(AuthorizationModes.RBAC);
    if (rbac) policySync = new PolicySync(rbacPolicy, this::cacheFor, timers).start();
    NodeAuthorizer nodeAuthorizer = null;
    if (modes.contains(AuthorizationModes.NODE)) {
      nodeGraphSync = new NodeGraphSync(nodeGraph, this::cacheFor, registry.storagePrefixes(), timers).start();
      nodeAuthorizer = NodeAuthorizer.withDefaults(nodeGraph);
    }
    Authorizer authorizer = AuthorizationModes.build(config.authorizationMode(), new RbacAuthorizer(rbacPolicy),
        nodeAuthorizer);
    admissionAuthorizer.set(authorizer);
    if (rbac) {
      resources.withEscalationCheck(new io.planet.apiserver.auth.rbac.EscalationCheck(rbacPolicy, authorizer,
          (resource, namespace, name) -> store("rbac.authorization.k8s.io", "v1", resource).get(namespace, name)));
    }
    RequestAuthorization authorization = new RequestAuthorization(authorizer,
        modes.equals(List.of(AuthorizationModes.ALWAYS_ALLOW)), config.testAuthenticator());
    AccessReviews accessReviews = new AccessReviews(authorizer, rbac ? rbacPolicy : null,
        modes.contains(AuthorizationModes.ALWAYS_ALLOW), req -> features.decodeAny(req, new ArrayList<>()));
    ApiHandler api = new ApiHandler(discovery, resources, features::openApi,
        () -> OpenApiV2Protobuf.documentBytes(registry), () -> etcdHealthy, proxy).withAuthorization(authorization, accessReviews)
        .withComponentStatuses(componentStatuses = componentStatuses(features));
    AuthenticationReviews reviews = new AuthenticationReviews(authentication);
    IssuerDiscovery discoveryDocs = issuerDiscovery;
    Handler routes = req -> {
      if (discoveryDocs != null && IssuerDiscovery.serves(req.path())) {
        authorization.check(req);
        discoveryDocs.handle(req);
      } else if (!reviews.handle(req)) {
        api.handle(req);
      }
    };
    // upstream's order: audit, authentication, (impersonation, authorization in the handler); max in-flight limits
    // run before a worker is taken, where they cannot block
    try {
      auditor = Auditor.start(config.audit());
    } catch (IOException e) {
      close();
      throw new StartupException(e.getMessage());
    }
    Handler chain = Auditor.received(auditor,
        new AuthenticationFilter(authentication, Auditor.authenticated(auditor, routes)));
    http = new HttpServer(chain, config.workerThreads())
        .withGate(new InFlightLimiter(config.inFlight(), config.workerThreads()))
        .withLongRunning(req -> io.planet.apiserver.flowcontrol.LongRunning.is(io.planet.apiserver.auth.rbac.RequestInfo.of(req)));
    try {
      address = http.start(config.bindAddress(), config.port(), ssl);
    } catch (Exception e) {
      close();
      String why = e instanceof java.net.BindException || String.valueOf(e.getMessage()).contains("Address already in use")
          ? "port " + config.port() + " on " + config.bindAddress() + " is already in use"
          : e.getMessage();
      throw new StartupException("cannot serve on " + config.bindAddress() + ":" + config.port() + ": " + why);
    }
    bootstrap(advertise);
    bootstrapPolicy(rbac);
    if (!config.compactionInterval().isZero()) {
      Compactor compactor = new Compactor(storage);
      long ms = config.compactionInterval().toMillis();
      timers.scheduleWithFixedDelay(compactor::tick, ms, ms, TimeUnit.MILLISECONDS);
    }
    timers.scheduleWithFixedDelay(this::checkEtcd, 5, 5, TimeUnit.SECONDS);
    availability = new AvailableConditionController(apiServices, serviceResolver, backendClients,
        store("apiregistration.k8s.io", "v1", "apiservices"), config.apiServiceAvailabilityPeriod(),
        List.of(cacheFor("services"), cacheFor("endpoints"), cacheFor("discovery.k8s.io/endpointslices"))).start();
    logger.info("API server listening on {}", url());
    return this;
  }

  /** The aggregation layer: APIServices in memory, the proxy to their backends and their groups in discovery. */
  private ApiProxy startAggregator(Discovery discovery) {
    apiServices = new ApiServices(cacheFor("apiregistration.k8s.io/apiservices"), r -> {
      if (!closed && !timers.isShutdown()) timers.execute(r);
    });
    apiServices.start();
    serviceResolver = new ServiceResolver(cacheFor("services"), cacheFor("endpoints"),
        cacheFor("discovery.k8s.io/endpointslices"));
    backendClients = new BackendClients();
    discovery.withRemoteGroups(new AggregatedDiscovery(apiServices, serviceResolver, backendClients));
    // a group/version served here stays ours even if an APIService names a backend for it
    return new ApiProxy(apiServices, serviceResolver, backendClients, (g, v) -> !registry.resources(g, v).isEmpty());
  }

  /** Fails fast, before touching etcd, when another process holds the port. */
  private void checkPortFree() {
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(config.bindAddress(), config.port()));
    } catch (java.io.IOException e) {
      throw new StartupException("cannot serve on " + config.bindAddress() + ":" + config.port() + ": port " + config.port()
          + " on " + config.bindAddress() + " is already in use (or the address is not local)");
    }
  }

  /** A refused TCP connection to every endpoint is reported at once instead of after the client's timeout. */
  private void checkEtcdListening() {
    String last = "";
    for (String endpoint : config.etcdServers().split(",")) {
      try {
        java.net.URI u = java.net.URI.create(endpoint.trim());
        try (java.net.Socket sock = new java.net.Socket()) {
          sock.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 2379 : u.getPort()), 2000);
          return;
        }
      } catch (IllegalArgumentException e) {
        throw new StartupException("invalid --etcd-servers entry \"" + endpoint + "\": use URLs like http://127.0.0.1:2379");
      } catch (java.io.IOException e) {
        last = e.getMessage() == null ? e.toString() : e.getMessage();
      }
    }
    throw new StartupException("cannot reach etcd at " + config.etcdServers() + ": " + last
        + " (is etcd running? start it, or point --etcd-servers at it)");
  }

  /** Upstream's components: scheduler and controller-manager by their health endpoints, etcd-0 for the one backend. */
  private ComponentStatuses componentStatuses(ServerFeatures features) {
    Map<String, ComponentProbe> probes = new LinkedHashMap<>();
    probes.put("scheduler", new HttpComponentProbe(config.schedulerHealthUrl(), COMPONENT_PROBE_TIMEOUT));
    probes.put("controller-manager", new HttpComponentProbe(config.controllerManagerHealthUrl(), COMPONENT_PROBE_TIMEOUT));
    probes.put("etcd-0", new EtcdComponentProbe(storage::checkReachable, COMPONENT_PROBE_TIMEOUT));
    return new ComponentStatuses(registry, probes, features);
  }

  private void checkEtcd() {
    try {
      storage.currentRevision();
      etcdHealthy = true;
    } catch (RuntimeException e) {
      etcdHealthy = false;
    }
  }

  /** A one-line reason the server could not start. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message) {
      super(message);
    }
  }

  private WatchCache cacheFor(String prefix) {
    return caches.computeIfAbsent(prefix, p -> {
      WatchCache c = new WatchCache(storage, "/registry/" + p + "/", config.watchCacheSize());
      c.start();
      return c;
    });
  }

  /**
   * A core/v1 object for the token authenticators: from the watch cache, and from etcd only when the cache does not
   * (yet) hold it, as upstream's token getters fall back to a live lookup.
   */
  private ObjectNode cachedObject(String resource, String namespace, String name) {
    Store s = store("", "v1", resource);
    ObjectNode cached = s.cache().get(s.key(namespace, name));
    if (cached != null) return cached;
    try {
      return s.get(namespace, name);
    } catch (ApiException e) {
      if (e.code() == 404) return null;
      throw e;
    }
  }

  Store store(ResourceType type) {
    return stores.computeIfAbsent(type, t -> new Store(t, registry.storageType(t), storage, cacheFor(t.storagePrefix()), hooks));
  }

  /** The store of a served resource, for in-process callers (tests, bootstrap). */
  public Store store(String group, String version, String plural) {
    return store(registry.get(group, version, plural).orElseThrow());
  }

  // ---- hooks: side effects across resources

  private final Store.Hooks hooks = new Store.Hooks() {
    @Override
    public Runnable beforeCreate(ResourceType type, ObjectNode obj, boolean dryRun) {
      if (isCore(type, "services")) return services.allocate(obj, dryRun);
      if (isCrd(type)) acceptNames(obj);
      return () -> {};
    }

    @Override
    public Runnable beforeUpdate(ResourceType type, ObjectNode obj, ObjectNode old, boolean dryRun) {
      if (isCore(type, "services")) services.update(obj, old, dryRun);
      if (isCrd(type)) acceptNames(obj);
      return () -> {};
    }

    @Override
    public void afterDelete(ResourceType type, ObjectNode obj) {
      if (isCore(type, "services")) services.release(obj);
      if (isCrd(type)) deleteCustomResources(obj);
    }

    @Override
    public long ttlSeconds(ResourceType type) {
      return type.plural().equals("events") && (type.group().isEmpty() || type.group().equals("events.k8s.io"))
          ? config.eventTtl().toSeconds() : 0;
    }

    @Override
    public void recordManagedFields(ResourceType type, ObjectNode old, ObjectNode obj, WriteOptions opts, String subresource) {
      ServerFeatures.recordManagedFields(type, old, obj, opts, subresource);
    }

    @Override
    public boolean garbageCollectionEnabled() {
      return config.enableGarbageCollector();
    }
  };

  private static boolean isCore(ResourceType t, String plural) {
    return t.group().isEmpty() && t.plural().equals(plural);
  }

  private static boolean isCrd(ResourceType t) {
    return t.group().equals("apiextensions.k8s.io") && t.plural().equals("customresourcedefinitions");
  }

  // ---- custom resources

  /** A CRD's names are accepted and it is established at once (no naming conflicts are checked yet). */
  private static void acceptNames(ObjectNode crd) {
    ObjectNode status = Json.with(crd, "status");
    status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
    ArrayNode conds = status.putArray("conditions");
    for (String[] c : new String[][] {{"NamesAccepted", "NoConflicts", "no conflicts found"},
        {"Established", "InitialNamesAccepted", "the initial names have been accepted"}}) {
      ObjectNode o = conds.addObject();
      o.put("type", c[0]);
      o.put("status", "True");
      o.put("lastTransitionTime", Meta.now());
      o.put("reason", c[1]);
      o.put("message", c[2]);
    }
    ArrayNode stored = status.putArray("storedVersions");
    for (JsonNode v : crd.path("spec").path("versions")) if (v.path("storage").asBoolean()) stored.add(v.path("name").asText());
  }

  /** Registers the served versions of every stored CRD and follows changes through the CRD watch cache. */
  private void syncCustomResources() {
    WatchCache crds = cacheFor("apiextensions.k8s.io/customresourcedefinitions");
    for (ObjectNode crd : crds.list(crds.prefix(), o -> true).items()) register(crd);
    crds.watch(crds.prefix(), crds.revision(), o -> true, new WatchCache.Sink() {
      @Override
      public void event(String type, WatchCache.CachedEvent e, ObjectNode object) {
        if (type.equals("DELETED")) unregister(object);
        else register(object);
      }

      @Override
      public void bookmark(long revision) {}

      @Override
      public void close(ApiException error) {
        // the cache relisted: re-register from its new state (unless the server is stopping)
        if (!closed && !timers.isShutdown()) timers.execute(ApiServer.this::syncCustomResources);
      }
    });
  }

  private void register(ObjectNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    JsonNode names = spec.path("names");
    String plural = names.path("plural").asText();
    if (group.isEmpty() || plural.isEmpty()) return;
    String storageVersion = "";
    List<String> served = new ArrayList<>();
    for (JsonNode v : spec.path("versions")) {
      if (v.path("storage").asBoolean()) storageVersion = v.path("name").asText();
      if (v.path("served").asBoolean(true)) served.add(v.path("name").asText());
    }
    if (storageVersion.isEmpty()) return;
    registry.remove(group, plural);
    stores.keySet().removeIf(t -> t.group().equals(group) && t.plural().equals(plural));
    String prefix = group + "/" + plural;
    cacheFor(prefix);
    for (String v : served) {
      JsonNode version = null;
      for (JsonNode vv : spec.path("versions")) if (vv.path("name").asText().equals(v)) version = vv;
      Set<String> subs = new LinkedHashSet<>();
      if (version != null && version.path("subresources").has("status")) subs.add("status");
      if (version != null && version.path("subresources").has("scale")) subs.add("scale");
      List<String> shortNames = new ArrayList<>();
      names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
      List<String> categories = new ArrayList<>();
      names.path("categories").forEach(n -> categories.add(n.asText()));
      registry.add(new ResourceType(group, v, names.path("kind").asText(), plural,
          names.path("singular").asText(names.path("kind").asText().toLowerCase()),
          "Namespaced".equals(spec.path("scope").asText()), shortNames, categories, subs, prefix, storageVersion,
          CustomResourceStrategy.INSTANCE, crd));
    }
    registry.setVersionOrder(group, sortVersions(served));
  }

  /** Kubernetes version priority: GA > beta > alpha, higher numbers first, then others alphabetically. */
  static List<String> sortVersions(List<String> versions) {
    List<String> out = new ArrayList<>(versions);
    out.sort((a, b) -> {
      int[] ka = versionKey(a);
      int[] kb = versionKey(b);
      for (int i = 0; i < 3; i++) if (ka[i] != kb[i]) return Integer.compare(kb[i], ka[i]);
      return a.compareTo(b);
    });
    return out;
  }

  private static int[] versionKey(String v) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?").matcher(v);
    if (!m.matches()) return new int[] {-1, 0, 0};
    int major = Integer.parseInt(m.group(1));
    int stage = m.group(2) == null ? 3 : m.group(2).equals("beta") ? 2 : 1;
    int minor = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return new int[] {stage, major, minor};
  }

  private void unregister(ObjectNode crd) {
    String group = crd.path("spec").path("group").asText();
    String plural = crd.path("spec").path("names").path("plural").asText();
    registry.remove(group, plural);
    stores.keySet().removeIf(t -> t.group().equals(group) && t.plural().equals(plural));
  }

  private void deleteCustomResources(ObjectNode crd) {
    String prefix = "/registry/" + crd.path("spec").path("group").asText() + "/" + crd.path("spec").path("names").path("plural").asText() + "/";
    try {
      for (Storage.Item i : storage.list(prefix, null, 0, 0).items()) {
        try {
          storage.delete(i.key(), 0);
        } catch (StorageException e) {
          if (e.code() != StorageException.Code.NOT_FOUND) throw e;
        }
      }
    } catch (RuntimeException e) {
      logger.warn("removing custom resources of {} failed: {}", Meta.name(crd), e.toString());
    }
  }

  // ---- bootstrap

  /** The system namespaces and the default/kubernetes Service, as upstream's bootstrap controller makes them. */
  private void bootstrap(String advertise) {
    Store namespaces = store("", "v1", "namespaces");
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      ObjectNode o = Json.object();
      o.put("apiVersion", "v1");
      o.put("kind", "Namespace");
      Meta.meta(o).put("name", ns);
      createIfAbsent(namespaces, "", o);
    }
    ObjectNode svc = Json.object();
    svc.put("apiVersion", "v1");
    svc.put("kind", "Service");
    ObjectNode m = Meta.meta(svc);
    m.put("name", "kubernetes");
    m.put("namespace", "default");
    ObjectNode labels = m.putObject("labels");
    labels.put("component", "apiserver");
    labels.put("provider", "kubernetes");
    ObjectNode spec = svc.putObject("spec");
    spec.put("type", "ClusterIP");
    spec.put("clusterIP", services.firstIp());
    spec.put("sessionAffinity", "None");
    ObjectNode port = spec.putArray("ports").addObject();
    port.put("name", "https");
    port.put("port", 443);
    port.put("protocol", "TCP");
    port.put("targetPort", config.port());
    createIfAbsent(store("", "v1", "services"), "default", svc);
    String ip = advertise.equals("0.0.0.0") || advertise.isEmpty() ? "127.0.0.1" : advertise;
    ObjectNode ep = Json.object();
    ep.put("apiVersion", "v1");
    ep.put("kind", "Endpoints");
    ObjectNode em = Meta.meta(ep);
    em.put("name", "kubernetes");
    em.put("namespace", "default");
    em.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
    ObjectNode subset = ep.putArray("subsets").addObject();
    subset.putArray("addresses").addObject().put("ip", ip);
    ObjectNode ePort = subset.putArray("ports").addObject();
    ePort.put("name", "https");
    ePort.put("port", config.port());
    ePort.put("protocol", "TCP");
    createIfAbsent(store("", "v1", "endpoints"), "default", ep);
    // upstream's built-in priority classes for system components
    Store priorityClasses = store("scheduling.k8s.io", "v1", "priorityclasses");
    for (Object[] pc : new Object[][] {
        {"system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."},
        {"system-cluster-critical", 2000000000,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."}}) {
      ObjectNode o = Json.object();
      o.put("apiVersion", "scheduling.k8s.io/v1");
      o.put("kind", "PriorityClass");
      Meta.meta(o).put("name", (String) pc[0]);
      o.put("value", (Integer) pc[1]);
      o.put("description", (String) pc[2]);
      createIfAbsent(priorityClasses, "", o);
    }
    // off the startup path: nothing waits for the local APIServices
    Store apiServiceStore = store("apiregistration.k8s.io", "v1", "apiservices");
    timers.execute(() -> {
      try {
        AutoRegistration.register(registry, apiServiceStore);
      } catch (RuntimeException e) {
        if (!closed) logger.warn("registering the local APIServices failed: {}", e.toString());
      }
    });
  }

  /**
   * Upstream's default roles and bindings. With RBAC on they exist before the server is reported started; otherwise
   * they are created off the startup path, as nothing depends on them.
   */
  private void bootstrapPolicy(boolean rbac) {
    Store roles = store("rbac.authorization.k8s.io", "v1", "clusterroles");
    Store bindings = store("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
    Store nsRoles = store("rbac.authorization.k8s.io", "v1", "roles");
    Store nsBindings = store("rbac.authorization.k8s.io", "v1", "rolebindings");
    Runnable ensure = () -> BootstrapPolicy.load().ensure(roles, bindings, nsRoles, nsBindings);
    if (rbac) {
      ensure.run();
      return;
    }
    timers.execute(() -> {
      try {
        ensure.run();
      } catch (RuntimeException e) {
        if (!closed && !timers.isShutdown()) logger.warn("creating the bootstrap RBAC policy failed: {}", e.toString());
      }
    });
  }

  /** The RBAC objects as the authorizer sees them (kept current only with RBAC in the authorization mode). */
  public PolicyIndex rbacPolicy() {
    return rbacPolicy;
  }

  private static void createIfAbsent(Store store, String namespace, ObjectNode obj) {
    try {
      store.get(namespace, Meta.name(obj));
      return;
    } catch (ApiException e) {
      if (e.code() != 404) throw e;
    }
    try {
      store.create(namespace, obj, WriteOptions.DEFAULT.withManager("kube-apiserver"));
    } catch (ApiException e) {
      if (!e.reason().equals("AlreadyExists")) throw e;
    }
  }

  @Override
  public void close() {
    timers.shutdownNow();
    closed = true;
    if (availability != null) availability.close();
    if (policySync != null) policySync.close();
    if (nodeGraphSync != null) nodeGraphSync.close();
    if (componentStatuses != null) componentStatuses.close();
    if (apiServices != null) apiServices.stop();
    if (http != null) http.close();
    if (auditor != null) auditor.close();
    for (WatchCache c : caches.values()) c.stop();
    if (storage != null) storage.close();
  }

}
