package io.planet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The API-client components refuse to start with one line and exit 1 when their kubeconfig is unusable. */
class ComponentCommandsTest {

  private static String[] run(String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    try {
      int code = new CommandLine(new Planet()).execute(args);
      return new String[] {Integer.toString(code), captured.toString()};
    } finally {
      System.setErr(oldErr);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"scheduler", "controller-manager", "hollow-node"})
  void missingKubeconfig(String command, @TempDir Path dir) {
    String[] r = run(command, "--kubeconfig", dir.resolve("nope").toString());
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1].trim().lines().count()).isEqualTo(1);
    assertThat(r[1]).startsWith("planet " + command + ": ").contains("nope");
  }

  @ParameterizedTest
  @ValueSource(strings = {"scheduler", "controller-manager", "hollow-node"})
  void unreachableApiServer(String command, @TempDir Path dir) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path kc = dir.resolve("kubeconfig");
    Files.writeString(kc, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        users: [{name: u, user: {}}]
        """.formatted(port));
    String[] r = command.equals("hollow-node") ? run(command, "--kubeconfig", kc.toString())
        : run(command, "--kubeconfig", kc.toString(), "--port", "0");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).contains("cannot reach the API server");
  }

  @Test
  void aBadNodeGracePeriodIsAUsageError(@TempDir Path dir) {
    String[] r = run("controller-manager", "--kubeconfig", dir.resolve("nope").toString(),
        "--node-monitor-grace-period=soon");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).startsWith("planet controller-manager: ").contains("invalid duration \"soon\"");
  }

  @Test
  void aSigningCertWithoutItsKeyIsAUsageError(@TempDir Path dir) {
    String[] r = run("controller-manager", "--kubeconfig", dir.resolve("nope").toString(),
        "--cluster-signing-cert-file", dir.resolve("ca.crt").toString());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).isEqualTo("planet controller-manager: --cluster-signing-cert-file and --cluster-signing-key-file go together\n");
  }
}
