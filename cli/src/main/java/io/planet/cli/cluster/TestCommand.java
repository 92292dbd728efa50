package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code planet test}: the end-to-end smoke suite ({@link SmokeTest}) against a running cluster, one line per case
 * ({@code PASS name (1.2s)} / {@code FAIL name: why}) or JSON; exit code 0 when every case passed, 1 otherwise.
 */
@Command(name = "test", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run an end-to-end smoke test against the running cluster (a Deployment and its Service reached by "
        + "DNS name, logs, exec, scale, rolling update) in a temporary namespace; exit code 0 when all pass.")
public final class TestCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", defaultValue = "/etc/planet/admin.kubeconfig",
      description = "the cluster's admin kubeconfig (default: ${DEFAULT-VALUE})")
  Path kubeconfig;

  @Option(names = "--image", description = "the busybox image the pods run (default: planet.local/busybox:<version of /bin/busybox>, "
      + "the image planet start imports)")
  String image;

  @Option(names = "--cluster-domain", defaultValue = "cluster.local", description = "(default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(names = "--timeout", defaultValue = "120", description = "seconds each case may wait for its outcome (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  String output;

  @Override
  public Integer call() throws Exception {
    if (!output.equals("text") && !output.equals("json")) {
      System.err.println("planet test: --output must be text or json, not \"" + output + "\"");
      return 2;
    }
    if (!Files.isReadable(kubeconfig)) {
      System.err.println("planet test: cannot read " + kubeconfig + " (is the cluster started? planet start; or --kubeconfig FILE)");
      return 2;
    }
    String img = image != null ? image : BundledImages.busybox();
    if (img == null) {
      System.err.println("planet test: no /bin/busybox to name the bundled image after; pass --image (scripts/setup installs busybox-static)");
      return 2;
    }
    boolean json = output.equals("json");
    long t0 = System.nanoTime();
    List<SmokeTest.Result> results;
    String namespace;
    try (KubernetesClient client = SingleNodeCluster.client(kubeconfig)) {
      try {
        client.getKubernetesVersion();
      } catch (RuntimeException e) {
        System.err.println("planet test: cannot reach the API server at " + client.getMasterUrl() + ": " + SmokeTest.oneLine(e));
        return 1;
      }
      SmokeTest test = new SmokeTest(client, img, clusterDomain, Duration.ofSeconds(timeoutSeconds),
          r -> { if (!json) print(r); });
      namespace = test.namespace();
      if (!json) System.out.println("planet test: namespace " + namespace + ", image " + img);
      results = test.run();
    }
    long failed = results.stream().filter(r -> !r.status().equals("pass")).count();
    double seconds = Math.round((System.nanoTime() - t0) / 1e8) / 10.0;
    if (json) {
      ObjectNode report = ClusterConfig.JSON.createObjectNode();
      report.put("status", failed == 0 ? "passed" : "failed");
      report.put("namespace", namespace);
      report.put("image", img);
      report.put("seconds", seconds);
      ArrayNode cases = report.putArray("cases");
      for (SmokeTest.Result r : results) {
        cases.addObject().put("name", r.name()).put("status", r.status()).put("seconds", r.seconds()).put("reason", r.reason());
      }
      System.out.println(ClusterConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    } else {
      System.out.printf(Locale.ROOT, "planet test: %s, %d of %d cases passed (%.1fs)%n", failed == 0 ? "passed" : "FAILED",
          results.size() - failed, results.size(), seconds);
    }
    return failed == 0 ? 0 : 1;
  }

  private static void print(SmokeTest.Result r) {
    switch (r.status()) {
      case "pass" -> System.out.printf(Locale.ROOT, "PASS %s (%.1fs)%n", r.name(), r.seconds());
      case "skip" -> System.out.printf("SKIP %s: %s%n", r.name(), r.reason());
      default -> System.out.printf(Locale.ROOT, "FAIL %s: %s (%.1fs)%n", r.name(), r.reason(), r.seconds());
    }
    System.out.flush();
  }

  /** The name scripts/build-busybox-image gives the image built from this machine's busybox. */
  static final class BundledImages {
    private BundledImages() {}

    static String busybox() throws IOException, InterruptedException {
      if (!Files.isExecutable(Path.of("/bin/busybox"))) return null;
      Process p = new ProcessBuilder("/bin/busybox").redirectErrorStream(true).start();
      String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
      p.waitFor();
      var m = java.util.regex.Pattern.compile("^BusyBox v([0-9][0-9.]*[0-9])").matcher(first);
      return m.find() ? "planet.local/busybox:" + m.group(1) : null;
    }
  }
}
