package io.planet.cli.cluster;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The cases of {@code planet test}, run in order in a temporary namespace that is deleted at the end: a Deployment of
 * busybox httpd, its Service reached by DNS name from another pod, logs, exec, scale up and down, a rolling update.
 * Each case waits for its outcome up to a deadline; the cases after a failed namespace or Deployment are skipped.
 */
final class SmokeTest {
  static final String APP = "web";
  static final String REVISION_ENV = "PLANET_TEST_REVISION";

  /** One case's outcome: status pass, fail or skip. */
  record Result(String name, String status, double seconds, String reason) {}

  /** A failed expectation; its message is the one-line reason printed after FAIL. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }

  interface Body {
    void run() throws Exception;
  }

  private final KubernetesClient client;
  private final String image;
  private final String clusterDomain;
  private final Duration timeout;
  private final Consumer<Result> report;
  private final String namespace = "planet-test-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
  private final List<Result> results = new ArrayList<>();

  SmokeTest(KubernetesClient client, String image, String clusterDomain, Duration timeout, Consumer<Result> report) {
    this.client = client;
    this.image = image;
    this.clusterDomain = clusterDomain;
    this.timeout = timeout;
    this.report = report;
  }

  String namespace() {
    return namespace;
  }

  /** Runs every case and returns their results (cleanup last, always). */
  List<Result> run() {
    boolean ready = step("namespace", this::namespaceWithServiceAccount)
        && step("deployment", this::deployment);
    if (ready) {
      step("service-dns", this::serviceByDnsName);
      step("logs", this::logs);
      step("exec", this::exec);
      step("scale", this::scale);
      step("rolling-update", this::rollingUpdate);
    } else {
      for (String name : List.of("deployment", "service-dns", "logs", "exec", "scale", "rolling-update")) {
        if (results.stream().noneMatch(r -> r.name().equals(name))) record(new Result(name, "skip", 0, "an earlier case failed"));
      }
    }
    step("cleanup", this::cleanup);
    return results;
  }

  private boolean step(String name, Body body) {
    long t0 = System.nanoTime();
    Result r;
    try {
      body.run();
      r = new Result(name, "pass", seconds(t0), "");
    } catch (Failure e) {
      r = new Result(name, "fail", seconds(t0), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      r = new Result(name, "fail", seconds(t0), "interrupted");
    } catch (Exception e) {
      r = new Result(name, "fail", seconds(t0), oneLine(e));
    }
    record(r);
    return r.status().equals("pass");
  }

  private void record(Result r) {
    results.add(r);
    report.accept(r);
  }

  private void namespaceWithServiceAccount() throws InterruptedException {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .addToLabels("app.kubernetes.io/created-by", "planet-test").endMetadata().build()).create();
    // pods are admitted only once the serviceaccount controller made the namespace's default ServiceAccount
    await("the ServiceAccount " + namespace + "/default to be created",
        () -> client.serviceAccounts().inNamespace(namespace).withName("default").get() != null ? true : null);
  }

  private void deployment() throws InterruptedException {
    client.apps().deployments().inNamespace(namespace).resource(webDeployment()).create();
    awaitRollout(1, "1");
  }

  /** busybox httpd serving "<pod name> <revision>", ready when it answers, stopped fast. */
  private Deployment webDeployment() {
    String script = "echo planet-test web starting; mkdir -p /www; echo \"$(hostname) $" + REVISION_ENV + "\" > /www/index.html; "
        + "exec httpd -f -p 80 -h /www";
    return new DeploymentBuilder()
        .withNewMetadata().withName(APP).endMetadata()
        .withNewSpec().withReplicas(1)
        .withNewSelector().addToMatchLabels("app", APP).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", APP).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(2L)
        .addToContainers(new ContainerBuilder().withName(APP).withImage(image).withCommand("sh", "-c", script)
            .addNewEnv().withName(REVISION_ENV).withValue("1").endEnv()
            .addNewPort().withContainerPort(80).endPort()
            .withNewReadinessProbe().withNewHttpGet().withPath("/").withPort(new IntOrString(80)).endHttpGet()
            .withPeriodSeconds(1).endReadinessProbe()
            .build())
        .endSpec().endTemplate().endSpec().build();
  }

  private void serviceByDnsName() throws InterruptedException {
    client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(APP).endMetadata()
        .withNewSpec().addToSelector("app", APP).addNewPort().withPort(80).withTargetPort(new IntOrString(80)).endPort()
        .endSpec().build()).create();
    client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("client").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L).withRestartPolicy("Never")
        .addToContainers(new ContainerBuilder().withName("client").withImage(image).withCommand("sleep", "3600").build())
        .endSpec().build()).create();
    await("pod client to be Ready", () -> ready(client.pods().inNamespace(namespace).withName("client").get()) ? true : null);
    List<String> backends = webPods().stream().map(p -> p.getMetadata().getName()).toList();
    String url = "http://" + APP + "." + namespace + ".svc." + clusterDomain + "/";
    // busybox timeout rather than wget -T: Debian 12's static busybox wget crashes (SIGSEGV) with -T
    String[] last = {""};
    try {
      await("wget " + url + " from pod client to answer with a backend's name", () -> {
        String body = execOutput("client", "timeout", "5", "wget", "-qO-", url).trim();
        last[0] = body;
        return backends.stream().anyMatch(b -> body.startsWith(b + " ")) ? true : null;
      });
    } catch (Failure e) {
      throw new Failure(e.getMessage() + " (last answer: \"" + last[0] + "\")");
    }
  }

  private void logs() throws InterruptedException {
    String pod = webPods().get(0).getMetadata().getName();
    await("the log of pod " + pod + " to show its start line",
        () -> Objects.toString(client.pods().inNamespace(namespace).withName(pod).getLog(), "")
            .contains("planet-test web starting") ? true : null);
  }

  private void exec() {
    String pod = webPods().get(0).getMetadata().getName();
    String out = execOutput(pod, "sh", "-c", "echo $((6 * 7)) $" + REVISION_ENV).trim();
    if (!out.equals("42 1")) throw new Failure("exec in pod " + pod + " printed \"" + out + "\", expected \"42 1\"");
  }

  private void scale() throws InterruptedException {
    setReplicas(3);
    awaitRollout(3, "1");
    setReplicas(1);
    awaitRollout(1, "1");
    await("the Deployment's extra pods to be deleted", () -> pods().size() == 1 ? true : null);
  }

  private void rollingUpdate() throws InterruptedException {
    // a strategic merge patch without resourceVersion, as kubectl set env: the controller's status writes don't conflict
    client.apps().deployments().inNamespace(namespace).withName(APP).patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"" + APP + "\",\"env\":[{\"name\":\""
            + REVISION_ENV + "\",\"value\":\"2\"}]}]}}}}");
    awaitRollout(1, "2");
    String url = "http://" + APP + "." + namespace + ".svc." + clusterDomain + "/";
    await("the Service to answer from revision 2",
        () -> execOutput("client", "timeout", "5", "wget", "-qO-", url).trim().endsWith(" 2") ? true : null);
  }

  private void cleanup() throws InterruptedException {
    client.namespaces().withName(namespace).delete();
    await("namespace " + namespace + " to be deleted", () -> client.namespaces().withName(namespace).get() == null ? true : null);
  }

  private void setReplicas(int n) {
    client.apps().deployments().inNamespace(namespace).withName(APP).patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"replicas\":" + n + "}}");
  }

  /**
   * As kubectl rollout status: the controller saw the latest spec, every replica is updated and available, no old
   * replica is left; and every running pod carries the expected revision.
   */
  private void awaitRollout(int replicas, String revision) throws InterruptedException {
    String[] state = {"no status"};
    try {
      await("Deployment " + APP + " to roll out " + replicas + " ready replica(s) of revision " + revision, () -> {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(APP).get();
        DeploymentStatus s = d.getStatus();
        if (s == null) return null;
        state[0] = "generation " + d.getMetadata().getGeneration() + ", observed " + s.getObservedGeneration()
            + ", replicas " + s.getReplicas() + ", updated " + s.getUpdatedReplicas() + ", available " + s.getAvailableReplicas();
        boolean done = Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
            && n(s.getUpdatedReplicas()) == replicas && n(s.getReplicas()) == replicas && n(s.getAvailableReplicas()) == replicas;
        if (!done) return null;
        List<Pod> pods = pods();
        boolean current = pods.size() == replicas && pods.stream().allMatch(p -> ready(p) && revision.equals(revisionOf(p)));
        return current ? true : null;
      });
    } catch (Failure e) {
      throw new Failure(e.getMessage() + " (" + state[0] + "; pods: " + describe(pods()) + ")");
    }
  }

  /** The Deployment's pods that are not being deleted. */
  private List<Pod> pods() {
    return client.pods().inNamespace(namespace).withLabel("app", APP).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  private List<Pod> webPods() {
    List<Pod> pods = pods().stream().filter(SmokeTest::ready).toList();
    if (pods.isEmpty()) throw new Failure("no Ready pod of Deployment " + APP);
    return pods;
  }

  /** stdout of a command run in the pod's first container; a Failure when it exits non-zero. */
  private String execOutput(String pod, String... command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Integer code;
    try (ExecWatch w = client.pods().inNamespace(namespace).withName(pod).writingOutput(out).writingError(err).exec(command)) {
      code = w.exitCode().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new Failure("exec " + String.join(" ", command) + " in pod " + pod + ": " + oneLine(e));
    }
    if (code == null || code != 0) {
      throw new Failure("exec " + String.join(" ", command) + " in pod " + pod + " exited with " + code + ": "
          + err.toString(StandardCharsets.UTF_8).trim());
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Polls until supplier returns non-null; a Failure naming what was awaited (and the last error) at the deadline. */
  private <T> T await(String what, Supplier<T> supplier) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    String lastError = "";
    while (true) {
      try {
        T value = supplier.get();
        if (value != null) return value;
      } catch (RuntimeException e) {
        lastError = oneLine(e);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new Failure("timed out after " + timeout.toSeconds() + " s waiting for " + what
            + (lastError.isEmpty() ? "" : "; last error: " + lastError));
      }
      Thread.sleep(500);
    }
  }

  private static boolean ready(Pod p) {
    if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) return false;
    for (PodCondition c : p.getStatus().getConditions()) if (c.getType().equals("Ready")) return "True".equals(c.getStatus());
    return false;
  }

  private static String revisionOf(Pod p) {
    return p.getSpec().getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals(REVISION_ENV))
        .map(EnvVar::getValue).findFirst().orElse("");
  }

  private static String describe(List<Pod> pods) {
    List<String> out = new ArrayList<>();
    for (Pod p : pods) {
      String phase = p.getStatus() == null ? "?" : p.getStatus().getPhase();
      out.add(p.getMetadata().getName() + " " + phase + (ready(p) ? " Ready" : "") + " rev " + revisionOf(p));
    }
    return out.isEmpty() ? "none" : String.join(", ", out);
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }

  private static double seconds(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
  }

  static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) root = root.getCause();
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.replace('\n', ' ').trim();
  }
}
