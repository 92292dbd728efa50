package io.planet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `planet apiserver` refuses to start with a one-line reason and a non-zero exit. */
class ApiServerCommandTest {

  @TempDir static Path dataDir;

  /**
   * Plain HTTP: these runs are about start-up errors, which must be one line, and the PKI a first TLS start creates
   * logs what it issued. A run still never touches /var/lib/planet.
   */
  private static String[] run(String... args) {
    args = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
        java.util.stream.Stream.of("--insecure-http", "--data-dir", dataDir.toString())).toArray(String[]::new);
    StringWriter err = new StringWriter();
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true));
    try {
      CommandLine cl = new CommandLine(new Planet());
      cl.setErr(new PrintWriter(err));
      int code = cl.execute(args);
      return new String[] {Integer.toString(code), captured.toString() + err};
    } finally {
      System.setErr(oldErr);
    }
  }

  @Test
  void unreachableEtcdIsOneLine() throws Exception {
    int unused;
    try (ServerSocket s = new ServerSocket(0)) {
      unused = s.getLocalPort();
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String[] r = run("apiserver", "--etcd-servers=http://127.0.0.1:" + unused, "--port=" + port);
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1].trim()).startsWith("planet apiserver: cannot reach etcd at http://127.0.0.1:" + unused);
    assertThat(r[1].trim().lines().count()).isEqualTo(1);
  }

  @Test
  void portInUseIsOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      String[] r = run("apiserver", "--etcd-servers=http://127.0.0.1:1", "--port=" + taken.getLocalPort());
      assertThat(r[0]).isEqualTo("1");
      assertThat(r[1].trim()).isEqualTo("planet apiserver: cannot serve on 127.0.0.1:" + taken.getLocalPort() + ": port "
          + taken.getLocalPort() + " on 127.0.0.1 is already in use (or the address is not local)");
    }
  }

  @Test
  void badDurationIsRejected() {
    String[] r = run("apiserver", "--etcd-compaction-interval=soon");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("invalid duration");
  }
}
