package io.planet.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** planet start's clear failures: one line each saying what is wrong and what to do. */
class PreflightTest {
  @TempDir Path tmp;

  private ClusterConfig config(ClusterConfig.Ports ports) {
    return new ClusterConfig(tmp.resolve("data"), tmp.resolve("run"), tmp.resolve("log"), tmp.resolve("etc"), null, "n1",
        "127.0.0.1", "10.96.0.0/12", "10.244.0.0/16", "10.96.0.10", "cluster.local", List.of("master", "node"), "planet0",
        ports);
  }

  private static ClusterConfig.Ports noPorts() {
    return new ClusterConfig.Ports(0, 0, 0, 0, 0, 0);
  }

  @Test
  void notRootIsTheOnlyProblemReported() {
    List<String> problems = new Preflight("alice", List.of(), tmp, Path.of("/proc")).check(config(noPorts()));
    assertThat(problems).singleElement().asString().startsWith("must run as root").contains("sudo bin/planet start");
  }

  @Test
  void missingProgramsAndPluginsNameScriptsSetup() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String p : List.of("etcd", "iptables", "ip", "nsenter", "busybox")) {
      Files.createFile(bin.resolve(p), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    Path cni = Files.createDirectories(tmp.resolve("cni"));
    Files.createFile(cni.resolve("bridge"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    List<String> problems = new Preflight("root", List.of(bin), cni, Path.of("/proc")).programs(true);
    assertThat(problems).containsExactly("runc is not installed (package runc): run scripts/setup",
        "CNI plugins host-local, portmap, loopback are missing from " + cni
            + " (package containernetworking-plugins): run scripts/setup");
  }

  @Test
  void aNodeOnlyMachineNeedsNoEtcd() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String p : List.of("runc", "iptables", "ip", "nsenter", "busybox")) {
      Files.createFile(bin.resolve(p), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    Path cni = Files.createDirectories(tmp.resolve("cni"));
    for (String p : Preflight.CNI_PLUGINS) {
      Files.createFile(cni.resolve(p), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    Preflight preflight = new Preflight("root", List.of(bin), cni, Path.of("/proc"));
    assertThat(preflight.programs(false)).isEmpty();
    assertThat(preflight.programs(true)).containsExactly("etcd is not installed (package etcd-server): run scripts/setup");
  }

  @Test
  void portInUseNamesThePortAndTheProcess() throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = s.getLocalPort();
      List<String> problems = new Preflight("root", List.of(), tmp, Path.of("/proc"))
          .ports(new ClusterConfig.Ports(port, 0, 0, 0, 0, 0));
      assertThat(problems).singleElement().asString()
          .startsWith("port " + port + " (API server) is in use by pid " + ProcessHandle.current().pid() + " (java)")
          .endsWith("stop it, or start with a different port");
    }
  }

  @Test
  void dataDirOfAnotherFormatIsRefused() throws Exception {
    Files.createDirectories(tmp.resolve("data"));
    Files.writeString(tmp.resolve("data/VERSION"), "planet-data/9\n");
    assertThat(Preflight.dataDirVersion(tmp.resolve("data"))).get().asString()
        .contains("has format planet-data/9, this planet reads " + DataDir.FORMAT);
  }

  @Test
  void cidrMembershipForTheFirewallRules() {
    assertThat(NodeReset.inCidr("10.231.0.4/32", "10.231.0.0/16")).isTrue();
    assertThat(NodeReset.inCidr("10.232.0.4", "10.231.0.0/16")).isFalse();
  }
}
