package io.planet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Kubeconfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code planet certs check|rotate} on a PKI made in a temporary data directory. */
class CertsCommandTest {
  @TempDir Path dataDir;

  record Result(int code, String out, String err) {}

  private Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      String[] all = Stream.concat(Stream.of(args), Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
      return new Result(new CommandLine(new Planet()).execute(all), out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** A PKI as `planet apiserver` makes it, issued {@code age} ago. */
  private ClusterPki pki(Duration age) {
    ClusterPki pki = new ClusterPki(dataDir.resolve("pki"), Clock.fixed(Instant.now().minus(age), ZoneOffset.UTC));
    pki.ensure(new ClusterCertificates(List.of(new ClusterCertificates.Node("n1", List.of())), "10.96.0.0/12", "cluster.local").specs());
    Kubeconfigs.writeAll(dataDir, "https://127.0.0.1:6443", pki, List.of("n1"));
    return pki;
  }

  private JsonNode statuses() throws Exception {
    Result r = run("certs", "check", "-o", "json");
    return Json.MAPPER.readTree(r.out()).path("certificates");
  }

  private static String status(JsonNode certs, String name) {
    for (JsonNode c : certs) if (c.path("name").asText().equals(name)) return c.path("status").asText();
    return "absent";
  }

  @Test
  void freshPkiChecksOut() throws Exception {
    pki(Duration.ZERO);
    Result r = run("certs", "check");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines().findFirst().orElseThrow())
        .startsWith("CERTIFICATE").contains("SUBJECT", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "STATUS");
    assertThat(r.out()).containsPattern("(?m)^ca\\s+CN=kubernetes\\s+.*\\s+9y\\s+yes\\s+ok$");
    assertThat(r.out()).containsPattern("(?m)^admin\\s+CN=kubernetes-admin,O=system:masters\\s+.*\\s+36[45]d\\s+no\\s+ok$");
    assertThat(r.out()).contains("admin.kubeconfig", "kubelet-n1.kubeconfig", "kubelet-n1-client", "apiserver");
    JsonNode certs = statuses();
    assertThat(certs).allSatisfy(c -> assertThat(c.path("status").asText()).isEqualTo("ok"));
    assertThat(certs.get(0).path("daysLeft").asLong()).isGreaterThan(3640);
  }

  @Test
  void expiringCertificatesFailTheCheckUntilRotated() throws Exception {
    ClusterPki pki = pki(Duration.ofDays(340));
    byte[] ca = Files.readAllBytes(pki.caFile());
    Result check = run("certs", "check");
    assertThat(check.code()).isEqualTo(1);
    assertThat(check.out()).containsPattern("(?m)^admin\\s+.*\\s+2[45]d\\s+no\\s+expiring$");
    assertThat(check.err()).contains("admin expiring", "planet certs rotate");
    assertThat(status(statuses(), "scheduler.kubeconfig")).isEqualTo("expiring");

    Result rotate = run("certs", "rotate");
    assertThat(rotate.code()).as(rotate.err()).isZero();
    assertThat(rotate.out()).contains("certificate admin renewed", "kubeconfig admin.kubeconfig renewed");
    assertThat(Files.readAllBytes(pki.caFile())).isEqualTo(ca);
    Result after = run("certs", "check");
    assertThat(after.code()).as(after.out() + after.err()).isZero();
  }

  @Test
  void missingCertificatesFailTheCheck() throws Exception {
    pki(Duration.ZERO);
    Files.delete(dataDir.resolve("pki/kube-proxy.crt"));
    Files.delete(dataDir.resolve("pki/sa.pub"));
    Result r = run("certs", "check");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("kube-proxy missing", "sa missing");
  }

  @Test
  void noPkiIsAOneLineError() {
    Result r = run("certs", "check");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("planet certs check: no cluster CA in " + dataDir.resolve("pki"));
    assertThat(run("certs", "rotate").code()).isEqualTo(1);
  }
}
