package io.planet.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The cluster's log files: each component's loggers (by package) to its own file, progress lines and every other
 * logger to planet.log, every file rotated by size; {@code planet logs} prints a component's files oldest first.
 */
class ClusterLogsTest {
  @TempDir Path dir;
  PrintStream out = System.out;
  PrintStream err = System.err;

  @AfterEach
  void restore() throws Exception {
    System.setOut(out);
    System.setErr(err);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    new ContextInitializer(ctx).autoConfig();
  }

  @Test
  void componentsGoToTheirOwnFilesAndProgressLinesToPlanetLog() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
    ClusterLogs.install(dir, true);
    LoggerFactory.getLogger("io.planet.apiserver.ApiServer").info("serving");
    LoggerFactory.getLogger("io.planet.controllers.DeploymentController").info("synced");
    LoggerFactory.getLogger("io.planet.node.kubelet.PodWorkers").info("pod started");
    LoggerFactory.getLogger("io.planet.node.runtime.RuncRuntime").info("container started");
    LoggerFactory.getLogger("io.planet.node.proxy.Proxier").info("rules synced");
    LoggerFactory.getLogger("io.planet.node.dns.ClusterDns").info("answering");
    LoggerFactory.getLogger("io.fabric8.kubernetes.client.Watcher").warn("reconnecting");
    LoggerFactory.getLogger(ClusterLogs.ETCD_LOGGER).info("{\"level\":\"warn\",\"msg\":\"slow fdatasync\"}");
    System.out.println("planet start: etcd ready (0.4 s)");

    assertThat(Files.readString(dir.resolve("apiserver.log"))).contains("INFO  ApiServer - serving");
    assertThat(Files.readString(dir.resolve("controller-manager.log"))).contains("synced");
    assertThat(Files.readString(dir.resolve("kubelet.log"))).contains("pod started").contains("container started");
    assertThat(Files.readString(dir.resolve("proxy.log"))).contains("rules synced").doesNotContain("pod started");
    assertThat(Files.readString(dir.resolve("dns.log"))).contains("answering");
    assertThat(Files.readString(dir.resolve("etcd.log"))).isEqualTo("{\"level\":\"warn\",\"msg\":\"slow fdatasync\"}\n");
    String planet = Files.readString(dir.resolve("planet.log"));
    assertThat(planet).contains("WARN  Watcher - reconnecting").contains("\nplanet start: etcd ready (0.4 s)\n")
        .doesNotContain("serving");
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("planet start: etcd ready (0.4 s)");
  }

  @Test
  void filesRotateBySizeAndAreListedOldestFirst() throws Exception {
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    ClusterLogs.install(dir, false);
    org.slf4j.Logger log = LoggerFactory.getLogger("io.planet.scheduler.Scheduler");
    String line = "x".repeat(1023);
    long total = (long) (ClusterLogs.MAX_FILE_MIB + 1) << 20;
    for (long written = 0; written < total; written += line.length()) log.info(line);
    // the size is looked at once a second: the next line after that rotates the file
    Thread.sleep(1100);
    log.info("after the rotation");
    assertThat(dir.resolve("scheduler.log.1")).exists();
    assertThat(Files.size(dir.resolve("scheduler.log"))).isLessThan((long) ClusterLogs.MAX_FILE_MIB << 20);
    assertThat(ClusterLogs.files(dir, "scheduler")).last().isEqualTo(dir.resolve("scheduler.log"));
    assertThat(ClusterLogs.files(dir, "scheduler")).first().isEqualTo(dir.resolve("scheduler.log.1"));
    assertThat(Files.readString(dir.resolve("scheduler.log"))).contains("after the rotation");
  }

  @Test
  void logsPrintsAComponentsFilesOldestFirstAndRefusesAnUnknownOne() throws Exception {
    Files.writeString(dir.resolve("kubelet.log.2"), "first\n");
    Files.writeString(dir.resolve("kubelet.log.1"), "second\n");
    Files.writeString(dir.resolve("kubelet.log"), "third\n");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    assertThat(new picocli.CommandLine(new LogsCommand()).execute("kubelet", "--log-dir", dir.toString())).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\nthird\n");
    assertThat(new picocli.CommandLine(new LogsCommand()).execute("nosuch", "--log-dir", dir.toString())).isEqualTo(2);
    assertThat(errors.toString(StandardCharsets.UTF_8).trim()).startsWith("planet logs: unknown component \"nosuch\"; one of planet, etcd,")
        .doesNotContain("\n");
  }
}
