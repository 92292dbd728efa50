package io.planet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.FakeExtensionApiServer;
import io.planet.apiserver.testing.TestApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a kubectl user sees against Planet's API server: exit codes, printed text and the resulting objects (read
 * back with {@code kubectl get -o json}). Cheap scenarios run on every installed kubectl (the PATH one and each
 * {@code kubectl.1.NN} beside it); the whole suite runs on the required versions 1.29, 1.32 and 1.33, which skip
 * with a notice when not installed ({@code -Dplanet.kubectl.full=all} runs it on every installed kubectl). Every
 * scenario works in its own namespace.
 */
class KubectlE2E {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path work;
  private static TestApiServer server;
  private static ApiClient api;
  private static Path kubeconfig;
  private static final Map<String, Kubectl> kubectls = new ConcurrentHashMap<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestApiServer();
    api = server.client();
    kubeconfig = server.writeKubeconfig(work);
  }

  @AfterAll
  static void stopServer() {
    if (server == null) return;
    try {
      server.close();
    } finally {
      server.etcd().close(); // never leak the etcd process, even if stopping the API server fails
    }
  }

  static List<KubectlBinary> allKubectls() {
    return KubectlBinaries.all();
  }

  /** The required versions; with {@code -Dplanet.kubectl.full=all}, every installed kubectl as well. */
  static List<KubectlBinary> requiredKubectls() {
    if (!"all".equals(System.getProperty("planet.kubectl.full"))) return KubectlBinaries.required();
    List<KubectlBinary> out = new ArrayList<>(KubectlBinaries.installed());
    KubectlBinaries.required().stream().filter(r -> out.stream().noneMatch(b -> b.label().equals(r.label())))
        .forEach(out::add);
    return out;
  }

  private static Kubectl kubectl(KubectlBinary b) {
    assumeTrue(b.present(), () -> "NOTICE: skipped: " + b.missingReason());
    return kubectls.computeIfAbsent(b.label(), l -> new Kubectl(b, kubeconfig, work));
  }

  /** A fresh namespace for one scenario on one kubectl, created directly through the API. */
  private static String namespace(Kubectl k, String scenario) {
    String ns = (k.binary().token() + "-" + scenario).toLowerCase();
    api.create("/api/v1/namespaces", """
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}""".formatted(ns));
    return ns;
  }

  private static void configMap(String ns, String name, String dataJson) {
    api.create("/api/v1/namespaces/" + ns + "/configmaps", """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","labels":{"app":"e2e"}},"data":%s}"""
        .formatted(name, dataJson));
  }

  private static void deployment(String ns, String name, int replicas) {
    api.create("/apis/apps/v1/namespaces/" + ns + "/deployments", """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%1$s","labels":{"app":"%1$s"}},
         "spec":{"replicas":%2$d,"selector":{"matchLabels":{"app":"%1$s"}},
          "template":{"metadata":{"labels":{"app":"%1$s"}},
           "spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}}"""
        .formatted(name, replicas));
  }

  private static final String CONFIG_MAP_YAML = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: %s
        namespace: %s
      data:
        greeting: %s
      """;

  private static final String APP_YAML = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: app-config
        namespace: %1$s
      data:
        mode: production
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: %1$s
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - name: web
              image: nginx:1.25
              ports:
              - containerPort: 80
      """;

  // ---------------------------------------------------------------- every installed kubectl

  @ParameterizedTest(name = "{0}")
  @MethodSource("allKubectls")
  void versionShowsServer(KubectlBinary b) {
    Kubectl k = kubectl(b);
    Kubectl.Result r = k.run("version", "-o", "json").assertSuccess();
    assertThat(r.json().path("serverVersion").path("major").asText()).isEqualTo("1");
    assertThat(r.json().path("serverVersion").path("gitVersion").asText()).startsWith("v1.");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allKubectls")
  void apiResources(KubectlBinary b) {
    Kubectl.Result r = kubectl(b).run("api-resources").assertSuccess();
    assertThat(r.stdout().lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND");
    assertThat(r.stdout()).containsPattern(line("configmaps\\s+cm\\s+v1\\s+true\\s+ConfigMap"))
        .containsPattern(line("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment"))
        .containsPattern(line("namespaces\\s+ns\\s+v1\\s+false\\s+Namespace"))
        .containsPattern(line("customresourcedefinitions\\s+crd,crds\\s+apiextensions.k8s.io/v1\\s+false\\s+"
            + "CustomResourceDefinition"));
    Kubectl.Result namespaced = kubectl(b).run("api-resources", "--namespaced=false", "-o", "name").assertSuccess();
    assertThat(namespaced.stdout().lines()).contains("namespaces", "nodes").doesNotContain("pods", "configmaps");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allKubectls")
  void apiVersions(KubectlBinary b) {
    Kubectl.Result r = kubectl(b).run("api-versions").assertSuccess();
    assertThat(r.stdout().lines()).contains("v1", "apps/v1", "batch/v1", "apiextensions.k8s.io/v1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allKubectls")
  void applyTwiceShowsConfigured(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "apply");
    Path v1 = k.manifest("apply-v1.yaml", CONFIG_MAP_YAML.formatted("settings", ns, "hello"));
    Path v2 = k.manifest("apply-v2.yaml", CONFIG_MAP_YAML.formatted("settings", ns, "goodbye"));

    assertThat(k.run("apply", "-f", v1.toString()).assertSuccess().stdout()).contains("configmap/settings created");
    assertThat(k.run("apply", "-f", v1.toString()).assertSuccess().stdout()).contains("configmap/settings unchanged");
    assertThat(k.run("apply", "-f", v2.toString()).assertSuccess().stdout())
        .contains("configmap/settings configured");

    JsonNode cm = k.getJson("configmap", "settings", "-n", ns);
    assertThat(cm.path("data").path("greeting").asText()).isEqualTo("goodbye");
    assertThat(cm.path("metadata").path("annotations").path("kubectl.kubernetes.io/last-applied-configuration")
        .asText()).contains("goodbye");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allKubectls")
  void getJson(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "getjson");
    configMap(ns, "one", "{\"k\":\"v\"}");
    configMap(ns, "two", "{\"k\":\"w\"}");

    JsonNode one = k.getJson("configmap", "one", "-n", ns);
    assertThat(one.path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(one.path("metadata").path("namespace").asText()).isEqualTo(ns);
    assertThat(one.path("metadata").path("uid").asText()).isNotEmpty();
    assertThat(one.path("data").path("k").asText()).isEqualTo("v");

    JsonNode list = k.getJson("configmaps", "-n", ns, "-l", "app=e2e");
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items").findValuesAsText("name")).contains("one", "two");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allKubectls")
  void unknownResourceType(KubectlBinary b) {
    Kubectl.Result r = kubectl(b).run("get", "nosuchresource").assertFailure();
    assertThat(r.stderr()).contains("the server doesn't have a resource type \"nosuchresource\"");
  }

  // ---------------------------------------------------------------- required versions: the whole suite

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void createFromFile(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "create");
    Path f = k.manifest("app.yaml", APP_YAML.formatted(ns));

    Kubectl.Result r = k.run("create", "-f", f.toString()).assertSuccess();
    assertThat(r.stdout()).contains("configmap/app-config created", "deployment.apps/web created");

    assertThat(k.getJson("configmap", "app-config", "-n", ns).path("data").path("mode").asText())
        .isEqualTo("production");
    JsonNode d = k.getJson("deployment", "web", "-n", ns);
    assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(d.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText())
        .isEqualTo("nginx:1.25");
    assertThat(d.path("metadata").path("generation").asInt()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void createExistingFailsWithAlreadyExists(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "exists");
    Path f = k.manifest("exists.yaml", CONFIG_MAP_YAML.formatted("dup", ns, "hi"));
    k.run("create", "-f", f.toString()).assertSuccess();

    Kubectl.Result r = k.run("create", "-f", f.toString()).assertFailure();
    assertThat(r.stderr()).contains("Error from server (AlreadyExists)", "configmaps \"dup\" already exists");

    Kubectl.Result generator = k.run("create", "configmap", "dup", "-n", ns, "--from-literal=a=b").assertFailure();
    assertThat(generator.stderr()).contains("configmaps \"dup\" already exists");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void invalidObjectIsRejected(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "invalid");
    Path f = k.manifest("invalid.yaml", CONFIG_MAP_YAML.formatted("Not_A_Valid_Name", ns, "hi"));

    Kubectl.Result r = k.run("create", "-f", f.toString()).assertFailure();
    assertThat(r.stderr()).contains("The ConfigMap \"Not_A_Valid_Name\" is invalid", "metadata.name");

    Kubectl.Result generator = k.run("create", "configmap", "Also_Bad", "-n", ns, "--from-literal=a=b")
        .assertFailure();
    assertThat(generator.stderr()).contains("is invalid");
    assertThat(k.run("get", "configmaps", "-n", ns, "-o", "name").assertSuccess().stdout())
        .doesNotContain("Not_A_Valid_Name", "Also_Bad");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void applyServerSide(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "ssa");
    Path v1 = k.manifest("ssa-v1.yaml", CONFIG_MAP_YAML.formatted("ssa", ns, "one"));
    Path v2 = k.manifest("ssa-v2.yaml", CONFIG_MAP_YAML.formatted("ssa", ns, "two"));

    assertThat(k.run("apply", "--server-side", "-f", v1.toString()).assertSuccess().stdout())
        .contains("configmap/ssa serverside-applied");
    assertThat(k.run("apply", "--server-side", "-f", v2.toString()).assertSuccess().stdout())
        .contains("configmap/ssa serverside-applied");

    JsonNode cm = k.getJson("configmap", "ssa", "-n", ns, "--show-managed-fields");
    assertThat(cm.path("data").path("greeting").asText()).isEqualTo("two");
    JsonNode managed = cm.path("metadata").path("managedFields");
    assertThat(managed.isArray()).as("managedFields in %s", cm).isTrue();
    assertThat(managed.findValuesAsText("manager")).contains("kubectl");
    assertThat(managed.findValuesAsText("operation")).contains("Apply");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void getWide(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "wide");
    deployment(ns, "web", 2);

    Kubectl.Result r = k.run("get", "deployments", "-n", ns, "-o", "wide").assertSuccess();
    List<String> lines = r.stdout().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).containsSubsequence("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS",
        "IMAGES", "SELECTOR");
    assertThat(lines.get(1)).containsPattern("^web\\s+").contains("nginx:1.25", "app=web");

    Kubectl.Result narrow = k.run("get", "deployments", "-n", ns).assertSuccess();
    assertThat(narrow.stdout()).contains("READY").doesNotContain("SELECTOR", "nginx:1.25");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void getYaml(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "yaml");
    configMap(ns, "doc", "{\"color\":\"blue\"}");

    Kubectl.Result r = k.run("get", "configmap", "doc", "-n", ns, "-o", "yaml").assertSuccess();
    assertThat(r.stdout()).startsWith("apiVersion: v1").contains("kind: ConfigMap", "  name: doc",
        "  namespace: " + ns, "  color: blue", "  resourceVersion: \"", "  uid: ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void getJsonPath(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "jsonpath");
    configMap(ns, "a", "{\"size\":\"small\"}");
    configMap(ns, "b", "{\"size\":\"large\"}");

    assertThat(k.run("get", "configmap", "a", "-n", ns, "-o", "jsonpath={.data.size}").assertSuccess().stdout())
        .isEqualTo("small");
    assertThat(k.run("get", "configmaps", "-n", ns, "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.data.size}{\"\\n\"}{end}").assertSuccess().stdout())
        .isEqualTo("a=small\nb=large\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void getWatch(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "watch");
    configMap(ns, "before", "{\"a\":\"1\"}");

    try (Kubectl.Background watch = k.start("get", "configmaps", "-n", ns, "-w")) {
      await("initial list printed").atMost(WAIT).untilAsserted(() ->
          assertThat(watch.stdoutLines()).as("%s", watch).anyMatch(l -> l.matches("before\\s+1\\s+.*")));
      assertThat(watch.stdoutLines().get(0)).containsSubsequence("NAME", "DATA", "AGE");

      k.run("create", "configmap", "during", "-n", ns, "--from-literal=a=1").assertSuccess();
      await("added object printed").atMost(WAIT).untilAsserted(() ->
          assertThat(watch.stdoutLines()).as("%s", watch).anyMatch(l -> l.matches("during\\s+1\\s+.*")));

      ApiClient.Response put = api.put("/api/v1/namespaces/" + ns + "/configmaps/during", """
          {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"during"},"data":{"a":"1","b":"2"}}""");
      assertThat(put.code()).as(put.text()).isEqualTo(200);
      await("modified object printed").atMost(WAIT).untilAsserted(() ->
          assertThat(watch.stdoutLines()).as("%s", watch).anyMatch(l -> l.matches("during\\s+2\\s+.*")));

      k.run("delete", "configmap", "during", "-n", ns).assertSuccess();
      await("deleted object printed").atMost(WAIT).untilAsserted(() ->
          assertThat(watch.stdoutLines().stream().filter(l -> l.matches("during\\s+2\\s+.*")).count())
              .as("%s", watch).isEqualTo(2));
      assertThat(watch.isAlive()).as("%s", watch).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void describe(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "describe");
    configMap(ns, "settings", "{\"level\":\"debug\"}");
    deployment(ns, "web", 2);

    Kubectl.Result cm = k.run("describe", "configmap", "settings", "-n", ns).assertSuccess();
    assertThat(cm.stdout()).containsPattern(line("Name:\\s+settings")).containsPattern(line("Namespace:\\s+" + ns))
        .containsPattern(line("Labels:\\s+app=e2e")).contains("Data\n====", "level:", "debug");

    Kubectl.Result d = k.run("describe", "deployment", "web", "-n", ns).assertSuccess();
    assertThat(d.stdout()).containsPattern(line("Name:\\s+web")).containsPattern(line("Selector:\\s+app=web"))
        .containsPattern(line("Replicas:\\s+2 desired.*")).containsPattern(line("\\s+Image:\\s+nginx:1.25"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void label(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "label");
    configMap(ns, "tagged", "{}");
    configMap(ns, "other", "{}");

    assertThat(k.run("label", "configmap", "tagged", "-n", ns, "tier=backend").assertSuccess().stdout())
        .contains("configmap/tagged labeled");
    assertThat(k.getJson("configmap", "tagged", "-n", ns).path("metadata").path("labels").path("tier").asText())
        .isEqualTo("backend");
    assertThat(k.run("get", "configmaps", "-n", ns, "-l", "tier=backend", "-o", "name").assertSuccess().stdout())
        .isEqualTo("configmap/tagged\n");

    Kubectl.Result again = k.run("label", "configmap", "tagged", "-n", ns, "tier=frontend").assertFailure();
    assertThat(again.stderr()).contains("already has a value (backend)", "--overwrite");
    k.run("label", "configmap", "tagged", "-n", ns, "tier=frontend", "--overwrite").assertSuccess();
    assertThat(k.run("label", "configmap", "tagged", "-n", ns, "tier-").assertSuccess().stdout())
        .contains("configmap/tagged unlabeled");
    assertThat(k.getJson("configmap", "tagged", "-n", ns).path("metadata").path("labels").has("tier")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void annotate(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "annotate");
    configMap(ns, "noted", "{}");

    assertThat(k.run("annotate", "configmap", "noted", "-n", ns, "owner=team-a", "example.com/ticket=42")
        .assertSuccess().stdout()).contains("configmap/noted annotate"); // kubectl 1.27 prints "annotate"
    JsonNode ann = k.getJson("configmap", "noted", "-n", ns).path("metadata").path("annotations");
    assertThat(ann.path("owner").asText()).isEqualTo("team-a");
    assertThat(ann.path("example.com/ticket").asText()).isEqualTo("42");

    k.run("annotate", "configmap", "noted", "-n", ns, "owner-").assertSuccess();
    assertThat(k.getJson("configmap", "noted", "-n", ns).path("metadata").path("annotations").has("owner"))
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void patchStrategic(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "smp");
    deployment(ns, "web", 1);

    // containers merge by name: the image changes, the ports of the same container survive
    Kubectl.Result r = k.run("patch", "deployment", "web", "-n", ns, "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}}}");
    assertThat(r.assertSuccess().stdout()).contains("deployment.apps/web patched");

    JsonNode containers = k.getJson("deployment", "web", "-n", ns).path("spec").path("template").path("spec")
        .path("containers");
    assertThat(containers).hasSize(1);
    assertThat(containers.get(0).path("image").asText()).isEqualTo("nginx:1.27");
    assertThat(containers.get(0).path("ports").get(0).path("containerPort").asInt()).isEqualTo(80);

    // a sidecar added by strategic merge is appended, not replacing the list
    k.run("patch", "deployment", "web", "-n", ns, "--type=strategic", "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"log\",\"image\":\"busybox\"}]}}}}")
        .assertSuccess();
    assertThat(k.getJson("deployment", "web", "-n", ns).path("spec").path("template").path("spec")
        .path("containers").findValuesAsText("name")).containsExactlyInAnyOrder("web", "log");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void patchMerge(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "merge");
    configMap(ns, "cfg", "{\"a\":\"1\",\"b\":\"2\"}");

    assertThat(k.run("patch", "configmap", "cfg", "-n", ns, "--type=merge", "-p",
        "{\"data\":{\"a\":\"10\",\"b\":null,\"c\":\"3\"}}").assertSuccess().stdout())
        .contains("configmap/cfg patched");
    JsonNode data = k.getJson("configmap", "cfg", "-n", ns).path("data");
    assertThat(data.path("a").asText()).isEqualTo("10");
    assertThat(data.has("b")).isFalse();
    assertThat(data.path("c").asText()).isEqualTo("3");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void patchJson(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "jsonpatch");
    configMap(ns, "cfg", "{\"a\":\"1\",\"b\":\"2\"}");

    assertThat(k.run("patch", "configmap", "cfg", "-n", ns, "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"9\"},{\"op\":\"remove\",\"path\":\"/data/b\"},"
            + "{\"op\":\"add\",\"path\":\"/metadata/labels/patched\",\"value\":\"yes\"}]")
        .assertSuccess().stdout()).contains("configmap/cfg patched");
    JsonNode cm = k.getJson("configmap", "cfg", "-n", ns);
    assertThat(cm.path("data").path("a").asText()).isEqualTo("9");
    assertThat(cm.path("data").has("b")).isFalse();
    assertThat(cm.path("metadata").path("labels").path("patched").asText()).isEqualTo("yes");

    Kubectl.Result failedTest = k.run("patch", "configmap", "cfg", "-n", ns, "--type=json", "-p",
        "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"not-9\"}]").assertFailure();
    assertThat(failedTest.stderr()).contains("is invalid");
    assertThat(k.getJson("configmap", "cfg", "-n", ns).path("data").path("a").asText()).isEqualTo("9");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void scale(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "scale");
    deployment(ns, "web", 1);

    assertThat(k.run("scale", "deployment", "web", "-n", ns, "--replicas=3").assertSuccess().stdout())
        .contains("deployment.apps/web scaled");
    assertThat(k.getJson("deployment", "web", "-n", ns).path("spec").path("replicas").asInt()).isEqualTo(3);

    Kubectl.Result stale = k.run("scale", "deployment", "web", "-n", ns, "--current-replicas=1", "--replicas=5")
        .assertFailure();
    assertThat(stale.stderr()).contains("Expected replicas to be 1, was 3");
    assertThat(k.getJson("deployment", "web", "-n", ns).path("spec").path("replicas").asInt()).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void explain(KubectlBinary b) {
    Kubectl.Result r = kubectl(b).run("explain", "pods.spec.containers").assertSuccess();
    assertThat(r.stdout()).containsPattern(line("KIND:\\s+Pod")).containsPattern(line("VERSION:\\s+v1"))
        .contains("containers", "DESCRIPTION:", "FIELDS:", "image", "<string>");
  }

  private static final String NETWORK_STORAGE_YAML = """
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: web, namespace: %1$s}
      spec:
        ingressClassName: nginx
        rules:
        - host: example.com
          http:
            paths:
            - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: deny-all, namespace: %1$s}
      spec:
        podSelector: {matchLabels: {app: web}}
      ---
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: %2$s-fast}
      provisioner: example.com/fast
      reclaimPolicy: Retain
      volumeBindingMode: WaitForFirstConsumer
      ---
      apiVersion: node.k8s.io/v1
      kind: RuntimeClass
      metadata: {name: %2$s-gvisor}
      handler: runsc
      """;

  /** A Helm-style manifest of networking, storage and node kinds: apply, get columns, explain. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void networkingStorageAndRuntimeClasses(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "netstore");
    String prefix = k.binary().token().toLowerCase();
    Path f = k.manifest("netstore.yaml", NETWORK_STORAGE_YAML.formatted(ns, prefix));
    assertThat(k.run("apply", "-f", f.toString()).assertSuccess().stdout()).contains(
        "ingress.networking.k8s.io/web created", "networkpolicy.networking.k8s.io/deny-all created",
        "storageclass.storage.k8s.io/" + prefix + "-fast created", "runtimeclass.node.k8s.io/" + prefix + "-gvisor created");
    // defaults (reclaim policy, policyTypes, CSI-style fields) do not make a second apply see changes
    assertThat(k.run("apply", "-f", f.toString()).assertSuccess().stdout()).contains(
        "ingress.networking.k8s.io/web unchanged", "networkpolicy.networking.k8s.io/deny-all unchanged",
        "storageclass.storage.k8s.io/" + prefix + "-fast unchanged", "runtimeclass.node.k8s.io/" + prefix + "-gvisor unchanged");

    Kubectl.Result get = k.run("get", "ing,netpol,sc,runtimeclass", "-n", ns).assertSuccess();
    assertThat(get.stdout())
        .containsPattern(line("NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE"))
        .containsPattern(line("ingress.networking.k8s.io/web\\s+nginx\\s+example.com\\s+80\\s+\\S+"))
        .containsPattern(line("NAME\\s+POD-SELECTOR\\s+AGE"))
        .containsPattern(line("networkpolicy.networking.k8s.io/deny-all\\s+app=web\\s+\\S+"))
        .containsPattern(line("NAME\\s+PROVISIONER\\s+RECLAIMPOLICY\\s+VOLUMEBINDINGMODE\\s+ALLOWVOLUMEEXPANSION\\s+AGE"))
        .containsPattern(line("storageclass.storage.k8s.io/" + prefix
            + "-fast\\s+example.com/fast\\s+Retain\\s+WaitForFirstConsumer\\s+false\\s+\\S+"))
        .containsPattern(line("NAME\\s+HANDLER\\s+AGE"))
        .containsPattern(line("runtimeclass.node.k8s.io/" + prefix + "-gvisor\\s+runsc\\s+\\S+"));

    Kubectl.Result explain = k.run("explain", "ingress.spec").assertSuccess();
    assertThat(explain.stdout()).containsPattern(line("GROUP:\\s+networking.k8s.io"))
        .containsPattern(line("KIND:\\s+Ingress")).containsPattern(line("VERSION:\\s+v1"))
        .contains("ingressClassName", "rules", "defaultBackend", "tls");

    k.run("delete", "-f", f.toString()).assertSuccess();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void deleteWithEveryCascade(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "cascade");
    for (String cascade : List.of("background", "orphan", "foreground")) {
      deployment(ns, "d-" + cascade, 1);
      Kubectl.Result r = k.run("delete", "deployment", "d-" + cascade, "-n", ns, "--cascade=" + cascade,
          "--timeout=30s").assertSuccess();
      assertThat(r.stdout()).as("--cascade=%s", cascade).contains("deployment.apps \"d-" + cascade + "\" deleted");
      Kubectl.Result gone = k.run("get", "deployment", "d-" + cascade, "-n", ns).assertFailure();
      assertThat(gone.stderr()).as("--cascade=%s", cascade)
          .contains("Error from server (NotFound)", "deployments.apps \"d-" + cascade + "\" not found");
    }
    assertThat(k.run("get", "deployments", "-n", ns, "-o", "name").assertSuccess().stdout()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void customResource(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "crd");
    String group = k.binary().token() + ".e2e.planet.io";
    String crdName = "widgets." + group;
    Path crd = k.manifest("crd.yaml", """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: %1$s
        spec:
          group: %2$s
          scope: Namespaced
          names:
            plural: widgets
            singular: widget
            kind: Widget
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size:
                        type: integer
                        maximum: 10
                      color:
                        type: string
                        default: red
        """.formatted(crdName, group));
    Path cr = k.manifest("widget.yaml", """
        apiVersion: %s/v1
        kind: Widget
        metadata:
          name: w1
          namespace: %s
        spec:
          size: 3
          color: red
        """.formatted(group, ns));
    try {
      assertThat(k.run("apply", "-f", crd.toString()).assertSuccess().stdout())
          .contains("customresourcedefinition.apiextensions.k8s.io/" + crdName + " created");
      await("kubectl get widgets." + group + " works").atMost(WAIT).untilAsserted(() ->
          k.run("get", "widgets." + group, "-n", ns).assertSuccess());

      assertThat(k.run("apply", "-f", cr.toString()).assertSuccess().stdout())
          .contains("widget." + group + "/w1 created");
      JsonNode w = k.getJson("widgets." + group, "w1", "-n", ns);
      assertThat(w.path("kind").asText()).isEqualTo("Widget");
      assertThat(w.path("spec").path("size").asInt()).isEqualTo(3);
      assertThat(k.run("get", "widgets." + group, "-n", ns).assertSuccess().stdout())
          .containsPattern(line("w1\\s+.*"));

      // the CRD's structural schema: unknown fields pruned (kubectl apply validates Strict), defaults, value checks
      Path extra = k.manifest("widget-extra.yaml", """
          apiVersion: %s/v1
          kind: Widget
          metadata:
            name: w2
            namespace: %s
          spec:
            size: 4
            shape: round
          """.formatted(group, ns));
      assertThat(k.run("apply", "-f", extra.toString()).assertFailure().stderr())
          .contains("unknown field \"spec.shape\"");
      k.run("apply", "--validate=false", "-f", extra.toString()).assertSuccess();
      JsonNode w2 = k.getJson("widgets." + group, "w2", "-n", ns);
      assertThat(w2.path("spec").has("shape")).isFalse();
      assertThat(w2.path("spec").path("color").asText()).isEqualTo("red");
      Path tooBig = k.manifest("widget-big.yaml", """
          apiVersion: %s/v1
          kind: Widget
          metadata:
            name: w3
            namespace: %s
          spec:
            size: 20
          """.formatted(group, ns));
      assertThat(k.run("apply", "-f", tooBig.toString()).assertFailure().stderr())
          .contains("spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10");

      assertThat(k.run("delete", "widget." + group, "w1", "-n", ns).assertSuccess().stdout())
          .contains("widget." + group + " \"w1\" deleted");
      assertThat(k.run("get", "widgets." + group, "w1", "-n", ns).assertFailure().stderr()).contains("(NotFound)");
    } finally {
      k.run("delete", "-f", crd.toString(), "--ignore-not-found", "--wait=false");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void getAllSortAndLabelColumns(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "getall");
    deployment(ns, "web", 1);
    configMap(ns, "zeta", "{}");
    configMap(ns, "alpha", "{}");

    // "all" is a category: deployments are in it, configmaps are not
    Kubectl.Result all = k.run("get", "all", "-n", ns).assertSuccess();
    assertThat(all.stdout()).contains("deployment.apps/web").doesNotContain("configmap");

    Kubectl.Result sorted = k.run("get", "configmaps", "-n", ns, "-l", "app=e2e",
        "--sort-by=.metadata.name", "--show-labels").assertSuccess();
    List<String> lines = sorted.stdout().lines().toList();
    assertThat(lines.get(0)).containsSubsequence("NAME", "DATA", "AGE", "LABELS");
    assertThat(lines.subList(1, lines.size())).hasSize(2);
    assertThat(lines.get(1)).startsWith("alpha").endsWith("app=e2e");
    assertThat(lines.get(2)).startsWith("zeta");

    Kubectl.Result column = k.run("get", "deployments", "-n", ns, "-L", "app").assertSuccess();
    assertThat(column.stdout().lines().findFirst().orElse("")).endsWith("APP");
    assertThat(column.stdout()).containsPattern(line("web\\s+.*\\s+web"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void diffAndReplace(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "diff");
    Path v1 = k.manifest("diff-v1.yaml", CONFIG_MAP_YAML.formatted("d", ns, "before"));
    Path v2 = k.manifest("diff-v2.yaml", CONFIG_MAP_YAML.formatted("d", ns, "after"));
    k.run("apply", "-f", v1.toString()).assertSuccess();

    // kubectl diff: exit 0 when nothing would change, 1 and a unified diff when something would
    Kubectl.Result same = k.run("diff", "-f", v1.toString());
    assertThat(same.exitCode()).as("%s", same).isZero();
    Kubectl.Result changed = k.run("diff", "-f", v2.toString());
    assertThat(changed.exitCode()).as("%s", changed).isEqualTo(1);
    assertThat(changed.stdout()).contains("-  greeting: before", "+  greeting: after");
    assertThat(k.getJson("configmap", "d", "-n", ns).path("data").path("greeting").asText()).isEqualTo("before");

    assertThat(k.run("replace", "-f", v2.toString()).assertSuccess().stdout()).contains("configmap/d replaced");
    assertThat(k.getJson("configmap", "d", "-n", ns).path("data").path("greeting").asText()).isEqualTo("after");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void createGenerators(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "generators");

    // these send Kubernetes-protobuf request bodies (kubectl >= 1.32)
    assertThat(k.run("create", "deployment", "gen", "-n", ns, "--image=nginx:1.25", "--replicas=2")
        .assertSuccess().stdout()).contains("deployment.apps/gen created");
    assertThat(k.run("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=s3cret")
        .assertSuccess().stdout()).contains("secret/creds created");
    assertThat(k.run("create", "configmap", "gencm", "-n", ns, "--from-literal=k=v").assertSuccess().stdout())
        .contains("configmap/gencm created");
    assertThat(k.run("create", "service", "clusterip", "gensvc", "-n", ns, "--tcp=80:8080").assertSuccess()
        .stdout()).contains("service/gensvc created");

    JsonNode d = k.getJson("deployment", "gen", "-n", ns);
    assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(d.path("spec").path("selector").path("matchLabels").path("app").asText()).isEqualTo("gen");
    assertThat(k.run("get", "secret", "creds", "-n", ns, "-o", "jsonpath={.data.password}").assertSuccess()
        .stdout()).isEqualTo("czNjcmV0");
    JsonNode svc = k.getJson("service", "gensvc", "-n", ns);
    assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(8080);
    assertThat(svc.path("spec").path("clusterIP").asText()).as("allocated ClusterIP in %s", svc).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void edit(KubectlBinary b) throws Exception {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "edit");
    configMap(ns, "editable", "{\"color\":\"blue\"}");
    // a non-interactive "editor" that changes the value in the file kubectl hands it
    Path editor = work.resolve(k.binary().token() + "-editor.sh");
    Files.writeString(editor, "#!/bin/sh\nsed -i 's/color: blue/color: green/' \"$1\"\n");
    editor.toFile().setExecutable(true);

    Kubectl.Result r = k.runWithEnv(Map.of("KUBE_EDITOR", editor.toString()), "edit", "configmap", "editable",
        "-n", ns).assertSuccess();
    assertThat(r.stdout()).contains("configmap/editable edited");
    assertThat(k.getJson("configmap", "editable", "-n", ns).path("data").path("color").asText()).isEqualTo("green");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void waitForConditions(KubectlBinary b) throws Exception {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "wait");
    configMap(ns, "target", "{\"state\":\"pending\"}");

    try (Kubectl.Background waiter = k.start("wait", "configmap/target", "-n", ns,
        "--for=jsonpath={.data.state}=done", "--timeout=30s")) {
      ApiClient.Response r = api.patch("/api/v1/namespaces/" + ns + "/configmaps/target",
          "application/merge-patch+json", "{\"data\":{\"state\":\"done\"}}");
      assertThat(r.code()).as(r.text()).isEqualTo(200);
      assertThat(waiter.awaitExit(WAIT)).as("%s", waiter).isZero();
      assertThat(String.join("\n", waiter.stdoutLines())).contains("configmap/target condition met");
    }

    // --for=delete on an object a finalizer holds: kubectl keeps waiting until the finalizer is removed
    api.create("/api/v1/namespaces/" + ns + "/configmaps", """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["e2e.planet.io/hold"]}}""");
    try (Kubectl.Background waiter = k.start("wait", "configmap/held", "-n", ns, "--for=delete", "--timeout=30s",
        "-v=6")) {
      await("kubectl wait is watching").atMost(WAIT).until(() -> waiter.stderr().contains("watch=true"));
      ApiClient.Response deleted = api.delete("/api/v1/namespaces/" + ns + "/configmaps/held");
      assertThat(deleted.code()).as(deleted.text()).isIn(200, 202);
      JsonNode deleting = k.getJson("configmap", "held", "-n", ns);
      assertThat(deleting.path("metadata").path("deletionTimestamp").asText()).isNotEmpty();
      assertThat(waiter.isAlive()).as("%s", waiter).isTrue();

      ApiClient.Response released = api.patch("/api/v1/namespaces/" + ns + "/configmaps/held",
          "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}");
      assertThat(released.code()).as(released.text()).isEqualTo(200);
      assertThat(waiter.awaitExit(WAIT)).as("%s", waiter).isZero();
      assertThat(String.join("\n", waiter.stdoutLines())).contains("configmap/held condition met");
    }
    assertThat(k.run("get", "configmap", "held", "-n", ns).assertFailure().stderr()).contains("(NotFound)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void setImageRolloutRestartAndExpose(KubectlBinary b) {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "rollout");
    deployment(ns, "web", 1);

    assertThat(k.run("set", "image", "deployment/web", "web=nginx:1.27", "-n", ns).assertSuccess().stdout())
        .contains("deployment.apps/web image updated");
    JsonNode d = k.getJson("deployment", "web", "-n", ns);
    assertThat(d.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText())
        .isEqualTo("nginx:1.27");
    assertThat(d.path("metadata").path("generation").asInt()).isEqualTo(2);

    assertThat(k.run("rollout", "restart", "deployment/web", "-n", ns).assertSuccess().stdout())
        .contains("deployment.apps/web restarted");
    assertThat(k.getJson("deployment", "web", "-n", ns).path("spec").path("template").path("metadata")
        .path("annotations").path("kubectl.kubernetes.io/restartedAt").asText()).isNotEmpty();

    assertThat(k.run("expose", "deployment", "web", "-n", ns, "--port=80", "--target-port=8080").assertSuccess()
        .stdout()).contains("service/web exposed");
    JsonNode svc = k.getJson("service", "web", "-n", ns);
    assertThat(svc.path("spec").path("selector").path("app").asText()).isEqualTo("web");
    assertThat(svc.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(80);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requiredKubectls")
  void aggregatedApiThroughAnApiService(KubectlBinary b) throws Exception {
    Kubectl k = kubectl(b);
    String ns = namespace(k, "aggregated");
    try (FakeExtensionApiServer backend = new FakeExtensionApiServer("metrics.k8s.io", "v1beta1",
        "metrics-server", ns, List.of(
            "{\"name\":\"nodes\",\"singularName\":\"\",\"namespaced\":false,\"kind\":\"NodeMetrics\",\"verbs\":[\"get\",\"list\"]}",
            "{\"name\":\"pods\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodMetrics\",\"verbs\":[\"get\",\"list\"]}"))) {
      backend.respond("/apis/metrics.k8s.io/v1beta1/nodes", """
          {"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},
           "items":[{"metadata":{"name":"node-1"},"timestamp":"2026-01-01T00:00:00Z","window":"10s",
                     "usage":{"cpu":"250m","memory":"1Gi"}}]}""");
      backend.register(api);
      try {
        await().atMost(WAIT).untilAsserted(() -> assertThat(k.run("get", "apiservices").assertSuccess().stdout())
            .containsPattern(line("v1beta1\\.metrics\\.k8s\\.io\\s+" + ns + "/metrics-server\\s+True\\s+\\S+"))
            .containsPattern(line("v1\\.apps\\s+Local\\s+True\\s+\\S+")));
        JsonNode nodes = k.run("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes").assertSuccess().json();
        assertThat(nodes.path("items").get(0).path("metadata").path("name").asText()).isEqualTo("node-1");
        Kubectl.Result resources = k.run("api-resources", "--api-group=metrics.k8s.io").assertSuccess();
        assertThat(resources.stdout())
            .containsPattern(line("nodes\\s+metrics.k8s.io/v1beta1\\s+false\\s+NodeMetrics"))
            .containsPattern(line("pods\\s+metrics.k8s.io/v1beta1\\s+true\\s+PodMetrics"));
      } finally {
        // later scenarios must not see a group whose backend is gone
        api.delete("/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io");
        await().atMost(WAIT).until(() -> api.get("/apis/metrics.k8s.io/v1beta1").code() == 404);
      }
    }
  }

  private static Pattern line(String regex) {
    return Pattern.compile("(?m)^" + regex + "\\s*$");
  }
}
