package io.planet.node.kubelet;

import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
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

  /**
   * The node's address without --node-ip, as upstream chooses it (ChooseHostInterface): a global IPv4 address of the
   * interface holding the default route, so a pod bridge (or docker0) created after boot is never taken for the node;
   * without a default route, the first such address of an up, non-loopback interface that is not a pod network's.
   */
  static String firstAddress() throws SocketException {
    List<String> routes = List.of();
    try {
      routes = Files.readAllLines(Path.of("/proc/net/route"));
    } catch (IOException e) {
      // no IPv4 routing table to read: fall back to scanning the interfaces
    }
    for (String name : defaultRouteInterfaces(routes)) {
      NetworkInterface nif = NetworkInterface.getByName(name);
      if (nif == null || !nif.isUp()) continue;
      Optional<String> a = ipv4(nif);
      if (a.isPresent()) return a.get();
    }
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback() || nif.getName().startsWith("veth") || nif.getName().startsWith("planet")) continue;
      Optional<String> a = ipv4(nif);
      if (a.isPresent()) return a.get();
    }
    return "127.0.0.1";
  }

  /** The interfaces of the default routes (destination and mask 0, up) in /proc/net/route, lowest metric first. */
  static List<String> defaultRouteInterfaces(List<String> procNetRoute) {
    record Route(String iface, long metric) {}
    List<Route> routes = new ArrayList<>();
    for (String line : procNetRoute) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8 || f[0].equals("Iface")) continue;
      try {
        int flags = Integer.parseInt(f[3], 16);
        if ((flags & 0x1) != 0 && Long.parseLong(f[1], 16) == 0 && Long.parseLong(f[7], 16) == 0) {
          routes.add(new Route(f[0], Long.parseLong(f[6])));
        }
      } catch (NumberFormatException e) {
        // not a route line
      }
    }
    routes.sort(Comparator.comparingLong(Route::metric));
    return routes.stream().map(Route::iface).distinct().toList();
  }

  private static Optional<String> ipv4(NetworkInterface nif) {
    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
      if (a instanceof Inet4Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress()) return Optional.of(a.getHostAddress());
    }
    return Optional.empty();
  }
}
