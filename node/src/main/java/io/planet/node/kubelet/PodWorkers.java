package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.planet.node.dns.ResolvConf;
import io.planet.node.image.Image;
import io.planet.node.runtime.ContainerSpec;
import io.planet.node.runtime.PodSandbox;
import io.planet.node.runtime.Runc;
import io.planet.node.runtime.RuncRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pods bound to this node, as upstream's pod workers: one serialized sync per pod that creates its sandbox,
 * runs init containers in order and then the app containers, restarts exited ones by restartPolicy with exponential
 * back-off (CrashLoopBackOff), posts the pod's status (phase, conditions, container statuses, IPs), and on deletion
 * stops every container within the grace period, removes everything the pod had on the node and then deletes the
 * pod object for good. What it does and what fails is told in upstream's events ({@link KubeletEvents}).
 */
public final class PodWorkers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodWorkers.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where pods live on the node, and the restart back-off (upstream: 10 s doubling to 5 min). */
  /** {@code clusterDns}: the cluster DNS server addresses for ClusterFirst pods (empty: the host's resolvers). */
  public record Options(String nodeName, String hostIp, Path podsDir, Path logsDir, Duration backoffInitial,
      Duration backoffMax, List<String> clusterDns, String clusterDomain, Path hostResolvConf) {
    public Options {
      clusterDns = clusterDns == null ? List.of() : List.copyOf(clusterDns);
    }

    public Options(String nodeName, String hostIp, Path podsDir, Path logsDir, Duration backoffInitial, Duration backoffMax) {
      this(nodeName, hostIp, podsDir, logsDir, backoffInitial, backoffMax, List.of(), "cluster.local", Path.of("/etc/resolv.conf"));
    }
  }

  private final KubernetesClient client;
  private final RuncRuntime runtime;
  private final ImageManager images;
  private final EnvResolver envResolver;
  private final PodNetworking networking;
  private final Options options;
  private final KubeletEvents events;
  private final Map<String, PodState> states = new ConcurrentHashMap<>();
  /**
   * Pods synced at once. A pod's start mostly waits for processes (mount, CNI plugins, runc), so more pods in flight
   * than cores shortens a burst (upstream runs a goroutine per pod).
   */
  static final int WORKERS = 16;
  private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "pod-worker");
    t.setDaemon(true);
    return t;
  });
  private SharedIndexInformer<Pod> informer;
  private final Prober prober;
  private final LifecycleHooks hooks;
  private final Volumes volumes;
  private final PodAdmission admission;
  /** Probes run apart from the pod workers: a slow probe must not hold up syncing pods. */
  private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "prober");
    t.setDaemon(true);
    return t;
  });

  PodWorkers(KubernetesClient client, RuncRuntime runtime, ImageManager images, PodNetworking networking, Options options,
      KubeletEvents events) {
    this.client = client;
    this.events = events;
    this.runtime = runtime;
    this.images = images;
    this.envResolver = new EnvResolver(client);
    this.networking = networking;
    this.options = options;
    this.prober = new Prober(runtime.runc());
    this.hooks = new LifecycleHooks(prober);
    this.volumes = new Volumes(client);
    this.admission = new PodAdmission(() -> client.nodes().withName(options.nodeName()).get());
  }

  /** Upstream's --allowed-unsafe-sysctls: beyond the safe set, what pods may set here (before {@link #start()}). */
  void allowUnsafeSysctls(List<String> patterns) {
    admission.allowUnsafeSysctls(patterns);
  }

  /** A pod's life on this node. */
  private static final class PodState {
    final String uid;
    String namespace;
    String name;
    Pod pod;
    boolean gone;
    PodSandbox sandbox;
    String podIp;
    Instant startTime;
    final Map<String, ContainerRecord> containers = new LinkedHashMap<>();
    boolean finished;
    boolean volumesReady;
    PodStatus posted;

    PodState(String uid) {
      this.uid = uid;
    }
  }

  /** How often configMap, secret, downwardAPI and projected volumes are re-read (upstream: about a minute). */
  static final Duration VOLUME_REFRESH = Duration.ofSeconds(30);

  void start() {
    workers.scheduleWithFixedDelay(this::refreshVolumes, VOLUME_REFRESH.toMillis(), VOLUME_REFRESH.toMillis(),
        TimeUnit.MILLISECONDS);
    // as upstream's HandlePodAdditions: pods bound here are admitted in the order they were created (those already
    // started first: they stay admitted), before the watch delivers them in no particular order
    List<Pod> additions = new ArrayList<>(client.pods().inAnyNamespace().withField("spec.nodeName", options.nodeName())
        .list().getItems());
    additions.sort(PodAdmission.ADDITION_ORDER);
    for (Pod p : additions) update(p, false);
    informer = client.pods().inAnyNamespace().withField("spec.nodeName", options.nodeName()).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        update(pod, false);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        update(pod, false);
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        update(pod, true);
      }
    }, 0);
    // an adopted pod deleted for good between adopt() and the watch: its containers go as on any deletion
    java.util.Set<String> watched = new java.util.HashSet<>();
    for (Pod p : informer.getStore().list()) watched.add(p.getMetadata().getUid());
    for (PodState s : states.values()) {
      synchronized (s) {
        if (watched.contains(s.uid)) continue;
        s.gone = true;
      }
      enqueue(s.uid, Duration.ZERO);
    }
  }

  /**
   * Takes over what an earlier agent process left on this node, before pods are watched (upstream's kubelet does
   * the same from the runtime's sandboxes and containers): a recorded sandbox of a pod still bound here is adopted
   * with its running containers (same container, start time and restart count; probes resume) and its exited ones
   * (their exit status, then the pod's restartPolicy as for any exit). A sandbox whose namespaces are gone (the node
   * rebooted) is removed and its containers count as exited, so the pod runs again. Sandboxes and containers of pods
   * that no longer exist, or have finished, are stopped and removed with their network, volumes and logs.
   */
  void adopt() throws IOException {
    Map<String, Pod> bound = new HashMap<>();
    for (Pod p : client.pods().inAnyNamespace().withField("spec.nodeName", options.nodeName()).list().getItems()) {
      bound.put(p.getMetadata().getUid(), p);
    }
    Map<String, List<RuncRuntime.Container>> byPod = new HashMap<>();
    for (RuncRuntime.Container c : runtime.recoverContainers()) {
      byPod.computeIfAbsent(c.podId(), k -> new ArrayList<>()).add(c);
    }
    for (RuncRuntime.RecordedSandbox rec : runtime.recordedSandboxes()) {
      String uid = rec.sandbox().id();
      Pod pod = bound.get(uid);
      List<RuncRuntime.Container> containers = byPod.remove(uid);
      if (containers == null) containers = List.of();
      if (pod == null || terminal(pod) || pod.getMetadata().getDeletionTimestamp() != null && !rec.ready()) {
        log.info("removing sandbox of pod {}/{} ({}): {}", rec.labels().get(RuntimeLabels.POD_NAMESPACE),
            rec.labels().get(RuntimeLabels.POD_NAME), uid, pod == null ? "the pod is gone" : "the pod has finished");
        removeLeftovers(pod != null ? pod : RuntimeLabels.stub(rec.labels(), uid), rec.sandbox(), containers, pod == null);
        continue;
      }
      PodState s = new PodState(uid);
      s.pod = pod;
      s.namespace = pod.getMetadata().getNamespace();
      s.name = pod.getMetadata().getName();
      String startTime = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
      s.startTime = startTime == null ? null : Instant.parse(startTime);
      adoptContainers(s, containers, rec.ready());
      if (rec.ready()) {
        s.sandbox = rec.sandbox();
        s.podIp = rec.podIp();
        log.info("adopted pod {}/{} ({}) with {} container(s)", s.namespace, s.name, uid, containers.size());
      } else {
        log.info("pod {}/{} ({}): its sandbox is gone (node restarted?), running it again", s.namespace, s.name, uid);
        removeLeftovers(pod, rec.sandbox(), containers, false);
      }
      states.put(uid, s);
      admission.admitted(pod);
    }
    // containers whose sandbox was never recorded (an agent died while creating them)
    for (List<RuncRuntime.Container> left : byPod.values()) {
      for (RuncRuntime.Container c : left) removeContainer(c);
    }
    removeStalePodDirs(bound.keySet());
  }

  private void adoptContainers(PodState s, List<RuncRuntime.Container> containers, boolean sandboxReady) {
    List<RuncRuntime.Container> runs = new ArrayList<>(containers);
    // oldest first: a later run of the same container replaces an earlier one
    runs.sort(java.util.Comparator.comparingInt(c -> RuntimeLabels.restartCount(c.labels())));
    for (RuncRuntime.Container run : runs) {
      String name = run.labels().get(RuntimeLabels.CONTAINER_NAME);
      Container spec = spec(s.pod, name);
      if (spec == null) {
        removeContainer(run);
        continue;
      }
      ContainerRecord r = record(s, spec);
      if (r.current != null) removeContainer(r.current);
      ContainerStatus known = apiStatus(s.pod, name);
      r.current = run;
      r.containerId = run.id();
      r.imageId = run.labels().get(RuntimeLabels.IMAGE_ID);
      r.restartCount = RuntimeLabels.restartCount(run.labels());
      r.startedAt = RuntimeLabels.startedAt(run.labels());
      r.everStarted = true;
      r.waitingReason = null;
      r.waitingMessage = null;
      r.terminated = null;
      r.lastTerminated = known != null && known.getLastState() != null ? known.getLastState().getTerminated() : null;
      if (sandboxReady && run.running()) {
        startProbes(s, spec, r, run, known != null && Boolean.TRUE.equals(known.getStarted()),
            known != null && Boolean.TRUE.equals(known.getReady()));
        watchExit(s, r, run);
        continue;
      }
      if (run.running()) stopQuietly(run.id());
      RuncRuntime.ExitStatus exit = run.exit().getNow(new RuncRuntime.ExitStatus(255, false, Instant.now()));
      r.terminated = terminated(r, run, exit);
    }
  }

  private static Container spec(Pod pod, String name) {
    List<Container> all = new ArrayList<>(list(pod.getSpec().getInitContainers()));
    all.addAll(pod.getSpec().getContainers());
    all.addAll(EphemeralContainers.of(pod));
    return all.stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
  }

  private static ContainerStatus apiStatus(Pod pod, String name) {
    if (pod.getStatus() == null) return null;
    List<ContainerStatus> all = new ArrayList<>(list(pod.getStatus().getInitContainerStatuses()));
    all.addAll(list(pod.getStatus().getContainerStatuses()));
    return all.stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
  }

  /** Stops and removes a pod's containers, network and sandbox; with {@code podGone} its directory and logs too. */
  private void removeLeftovers(Pod pod, PodSandbox sandbox, List<RuncRuntime.Container> containers, boolean podGone) {
    for (RuncRuntime.Container c : containers) removeContainer(c);
    String uid = pod.getMetadata().getUid();
    try {
      networking.tearDown(pod, sandbox);
    } catch (IOException | RuntimeException e) {
      log.warn("tearing down the network of pod {}: {}", uid, e.toString());
    }
    try {
      runtime.removeSandbox(sandbox);
      volumes.tearDown(options.podsDir().resolve(uid));
      if (podGone) {
        deleteTree(options.podsDir().resolve(uid));
        deleteTree(options.logsDir().resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName() + "_" + uid));
      }
    } catch (IOException e) {
      log.warn("removing the sandbox of pod {}: {}", uid, e.toString());
    }
  }

  private void removeContainer(RuncRuntime.Container c) {
    stopQuietly(c.id());
    try {
      runtime.remove(c.id());
    } catch (IOException e) {
      log.warn("removing container {}: {}", c.id(), e.toString());
    }
  }

  private void stopQuietly(String id) {
    try {
      runtime.stop(id, Duration.ZERO);
    } catch (IOException e) {
      log.warn("stopping container {}: {}", id, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pod directories and logs of pods no longer bound here (an earlier agent did not get to remove them). */
  private void removeStalePodDirs(java.util.Set<String> bound) throws IOException {
    for (Path dir : List.of(options.podsDir(), options.logsDir())) {
      if (!Files.isDirectory(dir)) continue;
      try (var list = Files.list(dir)) {
        for (Path p : list.toList()) {
          String n = p.getFileName().toString();
          String uid = dir.equals(options.podsDir()) ? n : n.substring(n.lastIndexOf('_') + 1);
          if (!uid.matches("[0-9a-f-]{36}") || bound.contains(uid) || states.containsKey(uid)) continue;
          volumes.tearDown(p);
          deleteTree(p);
        }
      }
    }
  }

  private void update(Pod pod, boolean deleted) {
    boolean added = !states.containsKey(pod.getMetadata().getUid());
    PodState s = states.computeIfAbsent(pod.getMetadata().getUid(), PodState::new);
    GeneralPredicates.Rejection rejected = null;
    synchronized (s) {
      // a pod that finished before this agent started stays finished (an earlier agent ran it and gave back all)
      if (s.pod == null && s.sandbox == null && s.containers.isEmpty() && terminal(pod)) s.finished = true;
      // a pod new here is admitted before it runs; a rejected one never runs
      if (added && !deleted && !s.finished && pod.getMetadata().getDeletionTimestamp() == null) {
        rejected = admission.admit(pod);
        if (rejected != null) s.finished = true;
      } else if (!added) {
        admission.update(pod);
      }
      s.pod = pod;
      s.namespace = pod.getMetadata().getNamespace();
      s.name = pod.getMetadata().getName();
      if (deleted) s.gone = true;
    }
    if (rejected != null) {
      // as upstream's rejectPod: a Warning event with the predicate's reason and message, then the Failed status
      events.pod(pod, KubeletEvents.WARNING, rejected.reason(), rejected.message());
      PodAdmission.reject(client, pod, rejected);
    }
    enqueue(s.uid, Duration.ZERO);
  }

  private static boolean terminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private void enqueue(String uid, Duration delay) {
    if (workers.isShutdown()) return;
    workers.schedule(() -> sync(uid), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sync(String uid) {
    PodState s = states.get(uid);
    if (s == null) return;
    synchronized (s) {
      try {
        if (s.gone || s.pod.getMetadata().getDeletionTimestamp() != null) {
          terminate(s);
        } else if (!s.finished) {
          run(s);
        }
      } catch (RuntimeException | IOException e) {
        log.warn("syncing pod {}/{} failed: {}", s.namespace, s.name, e.toString());
        enqueue(uid, Duration.ofSeconds(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run(PodState s) throws IOException {
    Pod pod = s.pod;
    if (s.startTime == null) s.startTime = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    if (s.sandbox == null) {
      try {
        RuntimeHandlers.require(client, pod);
      } catch (IOException e) {
        events.pod(pod, KubeletEvents.WARNING, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
        throw e;
      }
      PodSandbox sandbox = runtime.sandbox(s.uid).withHostNamespaces(HostNamespacePods.of(pod))
          .withSharedPid(Boolean.TRUE.equals(pod.getSpec().getShareProcessNamespace()));
      String hostname = HostNamespacePods.hostname(pod);
      // recorded before it exists, so whatever a crash leaves of it is found and removed by the next agent
      runtime.recordSandbox(sandbox, RuntimeLabels.pod(pod), null);
      try {
        sandbox.create(hostname);
        s.sandbox = sandbox;
        // as upstream, a host-network pod's IPs are the node's
        s.podIp = sandbox.hostNetwork() ? options.hostIp() : networking.setUp(pod, sandbox);
      } catch (IOException | RuntimeException e) {
        events.pod(pod, KubeletEvents.WARNING, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
        throw e;
      }
      runtime.recordSandbox(sandbox, RuntimeLabels.pod(pod), s.podIp);
      writeEtcFiles(s, hostname);
    }
    if (!s.volumesReady) {
      try {
        volumes.setUp(pod, podDir(s));
        s.volumesReady = true;
      } catch (Volumes.VolumeError e) {
        // as upstream: the pod waits in ContainerCreating and the kubelet keeps trying
        log.info("pod {}/{}: {}", s.namespace, s.name, e.getMessage());
        events.pod(pod, KubeletEvents.WARNING, "FailedMount", e.getMessage());
        for (Container c : pod.getSpec().getContainers()) {
          ContainerRecord r = record(s, c);
          r.waitingReason = "ContainerCreating";
          r.waitingMessage = null;
        }
        post(s, status(s, false, false));
        enqueue(s.uid, Duration.ofSeconds(2));
        return;
      }
    }
    String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    boolean initDone = true;
    boolean initFailed = false;
    for (Container c : list(pod.getSpec().getInitContainers())) {
      ContainerRecord r = record(s, c);
      if (r.succeeded() && !r.running()) continue;
      initDone = false;
      if (r.running()) break;
      if (r.terminated != null) {
        if (policy.equals("Never")) {
          initFailed = true;
          r.waitingReason = null;
          break;
        }
        restartWithBackoff(s, c, r);
      } else if (r.retryAt == null || !Instant.now().isBefore(r.retryAt)) {
        startContainer(s, c, r);
      } else {
        waitingToRetry(s, c, r);
      }
      break;
    }
    if (initDone) {
      for (Container c : pod.getSpec().getContainers()) {
        ContainerRecord r = record(s, c);
        if (r.running()) continue;
        if (r.terminated == null) {
          if (r.retryAt == null || !Instant.now().isBefore(r.retryAt)) startContainer(s, c, r);
          else waitingToRetry(s, c, r);
          continue;
        }
        boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && r.terminated.getExitCode() != 0);
        if (restart) restartWithBackoff(s, c, r);
        else r.waitingReason = null;
      }
    }
    // ephemeral containers (kubectl debug) start once in the running pod and are never restarted
    for (Container c : EphemeralContainers.of(pod)) {
      ContainerRecord r = record(s, c);
      if (r.everStarted || r.running() || r.terminated != null) continue;
      if (r.retryAt == null || !Instant.now().isBefore(r.retryAt)) startContainer(s, c, r);
      else waitingToRetry(s, c, r);
    }
    PodStatus status = status(s, initDone, initFailed);
    post(s, status);
    if (status.getPhase().equals("Succeeded") || status.getPhase().equals("Failed")) {
      // a finished pod keeps its object (and logs) but gives its resources back, as upstream
      s.finished = true;
      admission.forget(s.uid);
      release(s, Duration.ZERO);
    }
  }

  private void refreshVolumes() {
    for (PodState s : states.values()) {
      synchronized (s) {
        if (!s.volumesReady || s.sandbox == null || s.gone) continue;
        try {
          volumes.refresh(s.pod, podDir(s));
        } catch (IOException | Volumes.VolumeError | RuntimeException e) {
          log.info("refreshing the volumes of pod {}/{}: {}", s.namespace, s.name, e.getMessage());
        }
      }
    }
  }

  private ContainerRecord record(PodState s, Container c) {
    return s.containers.computeIfAbsent(c.getName(), n -> new ContainerRecord(n, c.getImage()));
  }

  /**
   * A sync while a container waits out the back-off after a failed image pull: upstream's image manager answers
   * ImagePullBackOff until the back-off ends, and says so in a BackOff event.
   */
  private void waitingToRetry(PodState s, Container c, ContainerRecord r) {
    if (!"ErrImagePull".equals(r.waitingReason) && !"ImagePullBackOff".equals(r.waitingReason)) return;
    String message = "Back-off pulling image " + KubeletEvents.quote(c.getImage());
    r.waitingReason = "ImagePullBackOff";
    r.waitingMessage = message;
    events.container(s.pod, c.getName(), KubeletEvents.NORMAL, "BackOff", message);
    events.container(s.pod, c.getName(), KubeletEvents.WARNING, "Failed", "Error: ImagePullBackOff");
  }

  /** Upstream's back-off: the first restart is immediate, then 10 s, 20 s, … up to the maximum. */
  private void restartWithBackoff(PodState s, Container c, ContainerRecord r) throws IOException {
    Instant finished = Instant.parse(r.terminated.getFinishedAt());
    if (r.backoff != null && Instant.now().isBefore(finished.plus(r.backoff))) {
      r.waitingReason = "CrashLoopBackOff";
      r.waitingMessage = "back-off " + r.backoff.toSeconds() + "s restarting failed container=" + c.getName() + " pod="
          + s.name + "_" + s.namespace + "(" + s.uid + ")";
      events.container(s.pod, c.getName(), KubeletEvents.WARNING, "BackOff", "Back-off restarting failed container "
          + c.getName() + " in pod " + KubeletEvents.formatPod(s.pod));
      enqueue(s.uid, Duration.between(Instant.now(), finished.plus(r.backoff)).plusMillis(50));
      return;
    }
    r.backoff = r.backoff == null ? options.backoffInitial()
        : r.backoff.multipliedBy(2).compareTo(options.backoffMax()) > 0 ? options.backoffMax() : r.backoff.multipliedBy(2);
    r.lastTerminated = r.terminated;
    r.terminated = null;
    r.restartCount++;
    startContainer(s, c, r);
  }

  private void startContainer(PodState s, Container c, ContainerRecord r) throws IOException {
    Image image;
    try {
      image = images.ensure(s.pod, c);
    } catch (ImageManager.ImageError e) {
      // the image manager told the details; the container's own event names the waiting reason, as upstream
      r.waitingReason = e.reason;
      r.waitingMessage = e.getMessage();
      events.container(s.pod, c.getName(), KubeletEvents.WARNING, "Failed", "Error: " + e.reason);
      retryLater(s, r);
      return;
    }
    Map<String, String> env;
    List<ContainerSpec.Mount> mounts;
    try {
      env = envResolver.resolve(s.pod, c, s.podIp, options.hostIp(), Map.of());
      mounts = mounts(s, c, env);
    } catch (EnvResolver.ConfigError e) {
      r.waitingReason = "CreateContainerConfigError";
      r.waitingMessage = e.getMessage();
      events.container(s.pod, c.getName(), KubeletEvents.WARNING, "Failed", "Error: " + e.getMessage());
      retryLater(s, r);
      return;
    }
    ContainerSpec base = ContainerSpecs.build(s.pod, c, image.runtimeConfig(), env);
    ContainerSpec spec = new ContainerSpec(base.name(), base.args(), base.env(), base.workingDir(), base.uid(), base.gid(),
        base.supplementalGroups(), base.privileged(), base.readOnlyRootFilesystem(), base.capabilitiesAdd(),
        base.capabilitiesDrop(), base.resources(), mounts).withStdin(Boolean.TRUE.equals(c.getStdin()))
        .withTty(Boolean.TRUE.equals(c.getTty())).withSysctls(Sysctls.of(s.pod));
    if (r.containerId != null) runtime.remove(r.containerId);
    String id = HexFormat.of().formatHex(randomBytes());
    Path logFile = podLogDir(s).resolve(c.getName()).resolve(r.restartCount + ".log");
    String imageId = image.names().isEmpty() ? image.id().toString()
        : io.planet.node.image.ImageReference.parse(image.names().get(0)).repository() + "@" + image.manifest();
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try {
      String target = EphemeralContainers.target(s.pod, c.getName());
      if (target != null) spec = spec.withPidNamespace(targetPidNamespace(s, target));
      r.current = runtime.start(s.sandbox, id, image, spec, logFile,
          RuntimeLabels.container(s.pod, c.getName(), r.restartCount, startedAt, imageId));
    } catch (IOException e) {
      r.containerId = null;
      r.waitingReason = "RunContainerError";
      r.waitingMessage = e.getMessage();
      events.container(s.pod, c.getName(), KubeletEvents.WARNING, "Failed", "Error: " + e.getMessage());
      retryLater(s, r);
      return;
    }
    // runc creates and starts in one step: both of upstream's events once it has
    events.container(s.pod, c.getName(), KubeletEvents.NORMAL, "Created", "Created container " + c.getName());
    events.container(s.pod, c.getName(), KubeletEvents.NORMAL, "Started", "Started container " + c.getName());
    r.containerId = id;
    r.imageId = imageId;
    r.everStarted = true;
    r.startedAt = startedAt;
    r.waitingReason = null;
    r.waitingMessage = null;
    r.retryAt = null;
    RuncRuntime.Container started = r.current;
    if (c.getLifecycle() != null && c.getLifecycle().getPostStart() != null) {
      String failed = hooks.run(c.getLifecycle().getPostStart(), s.pod, c, id, s.podIp, Duration.ofSeconds(30));
      if (failed != null) {
        // as upstream: FailedPostStartHook, the container is killed and restarted by its pod's restartPolicy
        log.info("container {} of pod {}/{}: FailedPostStartHook: {}", c.getName(), s.namespace, s.name, failed);
        events.container(s.pod, c.getName(), KubeletEvents.WARNING, "FailedPostStartHook", failed);
        events.container(s.pod, c.getName(), KubeletEvents.NORMAL, "Killing", "FailedPostStartHook");
        try {
          runtime.stop(id, Duration.ZERO);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    startProbes(s, c, r, started);
    watchExit(s, r, started);
  }

  /** The PID namespace of an ephemeral container's target: its running init process's. */
  private String targetPidNamespace(PodState s, String target) throws IOException {
    ContainerRecord t = s.containers.get(target);
    java.util.OptionalLong pid = t == null || !t.running() ? java.util.OptionalLong.empty() : runtime.pid(t.current.id());
    if (pid.isEmpty()) throw new IOException("target container \"" + target + "\" is not running");
    return "/proc/" + pid.getAsLong() + "/ns/pid";
  }

  /** Once the run ends, records how it terminated (OOMKilled when the OOM killer struck) and syncs the pod. */
  private void watchExit(PodState s, ContainerRecord r, RuncRuntime.Container run) {
    // on a thread of its own: the exit may complete (or be waited for) on a stopper while this pod's worker holds
    // the pod's lock and waits for that stopper
    run.exit().thenAcceptAsync(exit -> {
      synchronized (s) {
        if (r.current != run) return;
        r.cancelProbes();
        r.terminated = terminated(r, run, exit);
      }
      enqueue(s.uid, Duration.ZERO);
    }, EXIT_CALLBACKS);
  }

  private static final java.util.concurrent.ExecutorService EXIT_CALLBACKS =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "container-exited");
        t.setDaemon(true);
        return t;
      });

  private static io.fabric8.kubernetes.api.model.ContainerStateTerminated terminated(ContainerRecord r,
      RuncRuntime.Container run, RuncRuntime.ExitStatus exit) {
    String reason = exit.oomKilled() ? "OOMKilled" : exit.code() == 0 ? "Completed" : "Error";
    return new ContainerStateTerminatedBuilder().withExitCode(exit.code()).withReason(reason)
        .withStartedAt(time(r.startedAt)).withFinishedAt(time(exit.finishedAt().truncatedTo(ChronoUnit.SECONDS)))
        .withContainerID("runc://" + run.id()).build();
  }

  /**
   * Starts the container's probes: startup gates the others; readiness sets the ready flag; liveness and startup
   * failures past their threshold kill the container, which restarts by its pod's restartPolicy.
   */
  private void startProbes(PodState s, Container c, ContainerRecord r, RuncRuntime.Container run) {
    startProbes(s, c, r, run, false, false);
  }

  /** {@code started}/{@code ready}: what was known of an adopted run, kept until its probes say otherwise. */
  private void startProbes(PodState s, Container c, ContainerRecord r, RuncRuntime.Container run, boolean started,
      boolean ready) {
    r.startupDone = started || c.getStartupProbe() == null;
    r.probeReady = ready || c.getReadinessProbe() == null;
    schedule(s, c, r, run, c.getStartupProbe(), "Startup");
    schedule(s, c, r, run, c.getLivenessProbe(), "Liveness");
    schedule(s, c, r, run, c.getReadinessProbe(), "Readiness");
  }

  private void schedule(PodState s, Container c, ContainerRecord r, RuncRuntime.Container run, io.fabric8.kubernetes.api.model.Probe p,
      String kind) {
    if (p == null) return;
    int period = p.getPeriodSeconds() == null ? 10 : Math.max(1, p.getPeriodSeconds());
    int delay = p.getInitialDelaySeconds() == null ? 0 : p.getInitialDelaySeconds();
    int failureThreshold = p.getFailureThreshold() == null ? 3 : p.getFailureThreshold();
    int successThreshold = p.getSuccessThreshold() == null ? 1 : p.getSuccessThreshold();
    int[] streak = {0, 0};
    Runnable task = () -> {
      if (!run.running() || (!kind.equals("Startup") && !r.startupDone) || (kind.equals("Startup") && r.startupDone)) return;
      Prober.Result result = prober.probe(p, c, run.id(), s.podIp);
      if (result.success()) {
        streak[1] = 0;
        if (++streak[0] < successThreshold) return;
        if (kind.equals("Startup") && !r.startupDone) {
          r.startupDone = true;
          enqueue(s.uid, Duration.ZERO);
        } else if (kind.equals("Readiness") && !r.probeReady) {
          r.probeReady = true;
          enqueue(s.uid, Duration.ZERO);
        }
        return;
      }
      streak[0] = 0;
      log.info("{} probe failed for container {} of pod {}/{}: {}", kind, c.getName(), s.namespace, s.name, result.message());
      // every failure is told, as upstream's prober does; the repeats aggregate into one event's count
      events.container(s.pod, c.getName(), KubeletEvents.WARNING, "Unhealthy", kind + " probe failed: " + result.message());
      if (++streak[1] < failureThreshold) return;
      if (kind.equals("Readiness")) {
        if (r.probeReady) {
          r.probeReady = false;
          enqueue(s.uid, Duration.ZERO);
        }
        return;
      }
      streak[1] = 0;
      log.info("container {} of pod {}/{} failed its {} probe, will be restarted", c.getName(), s.namespace, s.name,
          kind.toLowerCase());
      events.container(s.pod, c.getName(), KubeletEvents.NORMAL, "Killing", "Container " + c.getName() + " failed "
          + kind.toLowerCase() + " probe, will be restarted");
      Long grace = s.pod.getSpec().getTerminationGracePeriodSeconds();
      try {
        runtime.stop(run.id(), Duration.ofSeconds(grace == null ? 30 : grace));
      } catch (IOException e) {
        log.warn("killing container {} failed: {}", run.id(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    r.probes.add(probes.scheduleWithFixedDelay(task, delay * 1000L, period * 1000L, TimeUnit.MILLISECONDS));
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  private void retryLater(PodState s, ContainerRecord r) {
    r.backoff = r.backoff == null ? options.backoffInitial()
        : r.backoff.multipliedBy(2).compareTo(options.backoffMax()) > 0 ? options.backoffMax() : r.backoff.multipliedBy(2);
    r.retryAt = Instant.now().plus(r.backoff);
    enqueue(s.uid, r.backoff);
  }

  private PodStatus status(PodState s, boolean initDone, boolean initFailed) {
    Pod pod = s.pod;
    List<ContainerStatus> init = new ArrayList<>();
    for (Container c : list(pod.getSpec().getInitContainers())) {
      ContainerRecord r = s.containers.get(c.getName());
      init.add(r == null ? new ContainerRecord(c.getName(), c.getImage()).status(false) : r.status(false));
    }
    List<ContainerStatus> app = new ArrayList<>();
    int running = 0;
    int waiting = 0;
    int stopped = 0;
    int succeeded = 0;
    int failed = 0;
    for (Container c : pod.getSpec().getContainers()) {
      ContainerRecord r = s.containers.get(c.getName());
      if (r == null) r = new ContainerRecord(c.getName(), c.getImage());
      if (!initDone) r.waitingReason = r.waitingReason == null ? "PodInitializing" : r.waitingReason;
      app.add(r.status(true));
      if (r.running()) running++;
      else if (r.terminated != null) {
        stopped++;
        if (r.terminated.getExitCode() == 0) succeeded++;
        else failed++;
      } else if (r.lastTerminated != null) stopped++;
      else waiting++;
    }
    String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    String phase;
    if (initFailed) phase = "Failed";
    else if (!initDone) phase = "Pending";
    else if (waiting > 0) phase = "Pending";
    else if (running > 0) phase = "Running";
    else if (stopped > 0) {
      if (policy.equals("Always")) phase = "Running";
      else if (stopped == succeeded) phase = "Succeeded";
      else if (policy.equals("OnFailure")) phase = "Running";
      else phase = "Failed";
    } else phase = "Pending";
    boolean allReady = app.stream().allMatch(ContainerStatus::getReady);
    String now = time(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition(s, "PodReadyToStartContainers", s.sandbox != null && !s.finished, null, now));
    conditions.add(condition(s, "Initialized", initDone, initDone ? null : "ContainersNotInitialized", now));
    conditions.add(condition(s, "Ready", allReady && phase.equals("Running"),
        allReady ? (phase.equals("Running") ? null : "PodCompleted") : "ContainersNotReady", now));
    conditions.add(condition(s, "ContainersReady", allReady && phase.equals("Running"),
        allReady ? (phase.equals("Running") ? null : "PodCompleted") : "ContainersNotReady", now));
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if (c.getType().equals("PodScheduled") || c.getType().equals("DisruptionTarget")) conditions.add(c);
      }
    }
    PodStatus status = new PodStatus();
    status.setPhase(phase);
    status.setConditions(conditions);
    status.setHostIP(options.hostIp());
    status.setHostIPs(List.of(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(options.hostIp()).build()));
    if (s.podIp != null) {
      status.setPodIP(s.podIp);
      status.setPodIPs(List.of(new PodIPBuilder().withIp(s.podIp).build()));
    }
    status.setStartTime(time(s.startTime));
    status.setInitContainerStatuses(init.isEmpty() ? null : init);
    List<ContainerStatus> ephemeral = new ArrayList<>();
    for (Container c : EphemeralContainers.of(pod)) {
      ContainerRecord r = s.containers.get(c.getName());
      ephemeral.add(r == null ? new ContainerRecord(c.getName(), c.getImage()).status(false) : r.status(false));
    }
    status.setEphemeralContainerStatuses(ephemeral.isEmpty() ? null : ephemeral);
    status.setContainerStatuses(app);
    status.setQosClass(pod.getStatus() == null ? null : pod.getStatus().getQosClass());
    return status;
  }

  private PodCondition condition(PodState s, String type, boolean ok, String reason, String now) {
    String status = ok ? "True" : "False";
    String transition = now;
    PodStatus prev = s.posted != null ? s.posted : s.pod.getStatus();
    if (prev != null && prev.getConditions() != null) {
      for (PodCondition c : prev.getConditions()) {
        if (c.getType().equals(type) && c.getStatus().equals(status)) transition = c.getLastTransitionTime();
      }
    }
    String message = reason == null ? null : reason.equals("ContainersNotReady") || reason.equals("ContainersNotInitialized")
        ? "containers with " + (reason.equals("ContainersNotReady") ? "unready" : "incomplete") + " status: "
          + notReady(s, reason.equals("ContainersNotInitialized")) : null;
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(transition).withLastProbeTime(null).build();
  }

  private String notReady(PodState s, boolean init) {
    List<String> names = new ArrayList<>();
    for (Container c : init ? list(s.pod.getSpec().getInitContainers()) : s.pod.getSpec().getContainers()) {
      ContainerRecord r = s.containers.get(c.getName());
      if (init ? r == null || !r.succeeded() : r == null || !r.running()) names.add(c.getName());
    }
    return names.toString();
  }

  private void post(PodState s, PodStatus status) {
    if (s.posted != null && Objects.equals(s.posted, status)) return;
    try {
      Conflicts.retry(() -> client.pods().inNamespace(s.namespace).withName(s.name).editStatus(p -> {
        if (!s.uid.equals(p.getMetadata().getUid())) return p;
        p.setStatus(status);
        return p;
      }));
      s.posted = status;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
  }

  /** Stops the pod's containers within its grace period, removes all it had here, then deletes the pod object. */
  private void terminate(PodState s) throws IOException, InterruptedException {
    Pod pod = s.pod;
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    if (grace == null) grace = pod.getSpec().getTerminationGracePeriodSeconds();
    release(s, Duration.ofSeconds(grace == null ? 30 : Math.max(0, grace)));
    deleteTree(podDir(s));
    deleteTree(podLogDir(s));
    states.remove(s.uid);
    admission.forget(s.uid);
    if (!s.gone) {
      try {
        client.pods().inNamespace(s.namespace).withName(s.name).withGracePeriod(0).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw e;
      }
    }
  }

  /** Stops and removes containers, network and sandbox (logs and pod directory stay until the pod is deleted). */
  private void release(PodState s, Duration grace) throws IOException {
    List<Thread> stoppers = new ArrayList<>();
    for (ContainerRecord r : s.containers.values()) {
      if (r.containerId == null) continue;
      String id = r.containerId;
      Container spec = s.pod.getSpec().getContainers().stream().filter(x -> x.getName().equals(r.name)).findFirst().orElse(null);
      boolean running = r.running();
      String podIp = s.podIp;
      Pod pod = s.pod;
      if (running) events.container(pod, r.name, KubeletEvents.NORMAL, "Killing", "Stopping container " + r.name);
      Thread t = new Thread(() -> {
        try {
          Duration left = grace;
          if (running && spec != null && spec.getLifecycle() != null && spec.getLifecycle().getPreStop() != null) {
            long start = System.nanoTime();
            String failed = hooks.run(spec.getLifecycle().getPreStop(), pod, spec, id, podIp, grace);
            if (failed != null) {
              log.info("container {}: FailedPreStopHook: {}", spec.getName(), failed);
              events.container(pod, spec.getName(), KubeletEvents.WARNING, "FailedPreStopHook", failed);
            }
            // what the hook used comes off the grace period, with upstream's minimum of 2 s for SIGTERM
            left = grace.minusNanos(System.nanoTime() - start);
            if (left.compareTo(Duration.ofSeconds(2)) < 0) left = Duration.ofSeconds(2);
          }
          runtime.stop(id, left);
        } catch (IOException | InterruptedException e) {
          log.warn("stopping container {} failed: {}", id, e.toString());
        }
      }, "stop-" + id.substring(0, 12));
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (ContainerRecord r : s.containers.values()) {
      r.cancelProbes();
      if (r.containerId != null) runtime.remove(r.containerId);
      r.current = null;
    }
    if (s.sandbox != null) {
      networking.tearDown(s.pod, s.sandbox);
      runtime.removeSandbox(s.sandbox);
      s.sandbox = null;
    }
    volumes.tearDown(podDir(s));
    s.volumesReady = false;
  }

  /** Where a container's log is and whether it is still being written; empty when there is no such container run. */
  public record LogTarget(Path file, java.util.function.BooleanSupplier running) {}

  /** Upstream's errors for logs: no such pod/container, or no previous run. */
  public static final class LogsUnavailable extends Exception {
    public LogsUnavailable(String message) {
      super(message);
    }
  }

  /** Every running container with its cgroup, for the resource metrics endpoint. */
  public List<ResourceMetrics.ContainerRef> runningContainers() {
    List<ResourceMetrics.ContainerRef> out = new ArrayList<>();
    for (PodState s : states.values()) {
      synchronized (s) {
        for (ContainerRecord r : s.containers.values()) {
          if (r.running()) {
            out.add(new ResourceMetrics.ContainerRef(s.namespace, s.name, r.name, RuncRuntime.cgroupsPath(s.uid, r.current.id())));
          }
        }
      }
    }
    return out;
  }

  /** Pods with a sandbox and their running containers, for the stats summary. */
  List<SummaryProvider.PodTarget> statsTargets() {
    List<SummaryProvider.PodTarget> out = new ArrayList<>();
    for (PodState s : states.values()) {
      synchronized (s) {
        if (s.sandbox == null || s.gone) continue;
        List<SummaryProvider.ContainerTarget> containers = new ArrayList<>();
        for (ContainerRecord r : s.containers.values()) {
          if (r.running()) containers.add(new SummaryProvider.ContainerTarget(r.name, r.current.id(), r.startedAt));
        }
        out.add(new SummaryProvider.PodTarget(s.namespace, s.name, s.uid, s.startTime, podDir(s), podLogDir(s),
            list(s.pod.getSpec().getVolumes()), containers));
      }
    }
    return out;
  }

  /** The pods this node runs, as last seen (the kubelet API's /pods). */
  public List<Pod> pods() {
    List<Pod> out = new ArrayList<>();
    for (PodState s : states.values()) {
      synchronized (s) {
        if (s.pod != null && !s.gone) out.add(s.pod);
      }
    }
    return out;
  }

  /**
   * A running container's log and stdin, for attach; {@code stdinOnce}: the container's stdin closes when the first
   * attach closes its input (the spec's stdinOnce without a TTY, as upstream's runtimes).
   */
  public record AttachTarget(Path log, java.io.OutputStream stdin, boolean stdinOpen, boolean stdinOnce,
      RuncRuntime.Container container) {}

  public AttachTarget attach(String namespace, String pod, String container) throws LogsUnavailable {
    for (PodState s : states.values()) {
      synchronized (s) {
        if (!namespace.equals(s.namespace) || !pod.equals(s.name)) continue;
        ContainerRecord r = s.containers.get(container);
        if (r == null || !r.running()) {
          throw new LogsUnavailable("container " + container + " is not valid for pod " + pod + " or is not running");
        }
        Container spec = spec(s.pod, container);
        boolean open = spec != null && Boolean.TRUE.equals(spec.getStdin());
        boolean once = open && Boolean.TRUE.equals(spec.getStdinOnce()) && !Boolean.TRUE.equals(spec.getTty());
        try {
          return new AttachTarget(r.current.logPath(), r.current.stdin(), open, once, r.current);
        } catch (IOException e) {
          throw new LogsUnavailable("container " + container + " of pod " + pod + ": stdin unavailable: " + e.getMessage());
        }
      }
    }
    throw new LogsUnavailable("pod \"" + pod + "\" not found on this node");
  }

  /** The runc id of a container's running instance, for exec; LogsUnavailable (with upstream's words) when none. */
  public String runningContainer(String namespace, String pod, String container) throws LogsUnavailable {
    for (PodState s : states.values()) {
      synchronized (s) {
        if (!namespace.equals(s.namespace) || !pod.equals(s.name)) continue;
        ContainerRecord r = s.containers.get(container);
        if (r == null || !r.running()) {
          throw new LogsUnavailable("container " + container + " is not valid for pod " + pod + " or is not running");
        }
        return r.current.id();
      }
    }
    throw new LogsUnavailable("pod \"" + pod + "\" not found on this node");
  }

  /**
   * The sandbox whose network namespace port-forward connects in; LogsUnavailable ("pod does not exist", the
   * kubelet's words) when this node runs no such pod, or it has a different UID than {@code uid} (when given).
   */
  public PodSandbox portForwardSandbox(String namespace, String pod, String uid) throws LogsUnavailable {
    for (PodState s : states.values()) {
      synchronized (s) {
        if (!namespace.equals(s.namespace) || !pod.equals(s.name) || s.gone) continue;
        if (uid != null && !uid.isEmpty() && !uid.equals(s.uid)) throw new LogsUnavailable("pod not found");
        if (s.sandbox == null) {
          throw new LogsUnavailable("network namespace for sandbox \"" + s.uid + "\" is closed");
        }
        return s.sandbox;
      }
    }
    throw new LogsUnavailable("pod does not exist");
  }

  public Runc runc() {
    return runtime.runc();
  }

  public RuncRuntime runtime() {
    return runtime;
  }

  public LogTarget logs(String namespace, String pod, String container, boolean previous) throws LogsUnavailable {
    for (PodState s : states.values()) {
      synchronized (s) {
        if (!namespace.equals(s.namespace) || !pod.equals(s.name)) continue;
        ContainerRecord r = s.containers.get(container);
        if (r == null || !r.everStarted) {
          throw new LogsUnavailable("container \"" + container + "\" in pod \"" + pod + "\" is waiting to start: "
              + (r == null || r.waitingReason == null ? "ContainerCreating" : r.waitingReason));
        }
        if (previous && r.restartCount == 0) {
          throw new LogsUnavailable("previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found");
        }
        int run = previous ? r.restartCount - 1 : r.restartCount;
        RuncRuntime.Container current = r.current;
        boolean live = !previous && current != null;
        return new LogTarget(podLogDir(s).resolve(container).resolve(run + ".log"), () -> live && current.running());
      }
    }
    throw new LogsUnavailable("pod \"" + pod + "\" not found on this node");
  }

  private Path podDir(PodState s) {
    return options.podsDir().resolve(s.uid);
  }

  private Path podLogDir(PodState s) {
    return options.logsDir().resolve(s.namespace + "_" + s.name + "_" + s.uid);
  }

  /** /etc/hosts, /etc/hostname and /etc/resolv.conf, written once per pod and bind-mounted into each container. */
  private void writeEtcFiles(PodState s, String hostname) throws IOException {
    Path dir = Files.createDirectories(podDir(s));
    String subdomain = s.pod.getSpec().getSubdomain();
    // as upstream: a pod with a subdomain knows its own name under the headless service
    String fqdn = subdomain != null && !subdomain.isEmpty() && options.clusterDomain() != null
        ? hostname + "." + subdomain + "." + s.namespace + ".svc." + options.clusterDomain() : null;
    String hosts = s.sandbox != null && s.sandbox.hostNetwork()
        ? EtcHosts.hostNetwork(EtcHosts.NODE_HOSTS, s.pod.getSpec().getHostAliases())
        : EtcHosts.managed(s.podIp, hostname, fqdn, s.pod.getSpec().getHostAliases());
    Files.writeString(dir.resolve("etc-hosts"), hosts);
    Files.writeString(dir.resolve("etc-hostname"), hostname + "\n");
    ResolvConf host = ResolvConf.read(options.hostResolvConf());
    Files.writeString(dir.resolve("resolv.conf"),
        PodDns.resolvConf(s.pod, options.clusterDns(), options.clusterDomain(), host).render());
  }

  private List<ContainerSpec.Mount> mounts(PodState s, Container c, Map<String, String> env) throws EnvResolver.ConfigError {
    List<ContainerSpec.Mount> out = new ArrayList<>(volumes.mounts(s.pod, c, podDir(s), env));
    out.add(ContainerSpec.Mount.bind(podDir(s).resolve("etc-hosts").toString(), "/etc/hosts", false));
    out.add(ContainerSpec.Mount.bind(podDir(s).resolve("etc-hostname").toString(), "/etc/hostname", false));
    out.add(ContainerSpec.Mount.bind(podDir(s).resolve("resolv.conf").toString(), "/etc/resolv.conf", false));
    return out;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  static String time(Instant i) {
    return i == null ? null : DateTimeFormatter.ISO_INSTANT.format(i);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
    }
  }

  @Override
  public void close() {
    if (informer != null) informer.close();
    probes.shutdownNow();
    // let a sync in flight finish (an interrupted teardown would leave mounts behind); drop delayed retries
    if (workers instanceof java.util.concurrent.ScheduledThreadPoolExecutor pool) {
      pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) workers.shutdownNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
  }
}
