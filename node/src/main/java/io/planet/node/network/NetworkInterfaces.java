package io.planet.node.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The network interfaces of this process's network namespace. /sys/class/net shows those of the namespace sysfs was
 * mounted in, which is not this one when the node runs in a network namespace of its own (nsenter --net); the
 * process's own /proc/self/net/dev always is.
 */
public final class NetworkInterfaces {
  private NetworkInterfaces() {}

  public static boolean exists(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/net/dev"))) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(name)) return true;
      }
      return false;
    } catch (IOException e) {
      return Files.exists(Path.of("/sys/class/net", name));
    }
  }
}
