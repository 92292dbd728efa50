package io.planet.node.kubelet;

import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;

/** Facts about the machine the node agent reports in its Node: capacity, addresses and system info. */
public record HostInfo(int cpus, long memoryBytes, long ephemeralStorageBytes, String internalIp, String kernelVersion,
    String osImage, String machineId, String bootId, String systemUuid, String runtimeVersion, String architecture) {

  public static HostInfo probe(Path dataDir, String nodeIp) throws IOException {
    Files.createDirectories(dataDir);
    String machineId = read("/etc/machine-id").orElse("");
    return new HostInfo(Runtime.getRuntime().availableProcessors(), meminfo("MemTotal"),
        Files.getFileStore(dataDir).getTotalSpace(), nodeIp != null ? nodeIp : firstAddress(),
        read("/proc/sys/kernel/osrelease").orElse("unknown"), readOsImage(), machineId,
        read("/proc/sys/kernel/random/boot_id").orElse(""),
        read("/sys/class/dmi/id/product_uuid").orElse(machineId), "runc://" + runcVersion(), goArch());
  }

  /** A value from /proc/meminfo in bytes (the file says kB). */
  public static long meminfo(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new IOException("/proc/meminfo has no " + key);
  }

  private static Optional<String> read(String path) {
    try {
      return Optional.of(Files.readString(Path.of(path)).trim()).filter(s -> !s.isEmpty());
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  private static String readOsImage() throws IOException {
    for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
      if (line.startsWith("PRETTY_NAME=")) return line.substring(12).replace("\"", "");
    }
    return "Linux";
  }

  private static String runcVersion() {
    try {
      String first = Commands.run("runc", "--version").lines().findFirst().orElse("");
      return first.replace("runc version", "").trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String goArch() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
  }

  /** The first global IPv4 address of an up, non-loopback interface (what the kubelet picks without --node-ip). */
  static String firstAddress() throws SocketException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback() || nif.getName().startsWith("veth") || nif.getName().startsWith("planet")) continue;
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress()) return a.getHostAddress();
      }
    }
    return "127.0.0.1";
  }
}
