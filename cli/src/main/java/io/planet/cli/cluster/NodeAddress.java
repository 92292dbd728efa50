package io.planet.cli.cluster;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The node's defaults: its host name and the IPv4 address of the interface with the default route. */
final class NodeAddress {
  private NodeAddress() {}

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Like the kubelet's own choice: the default route's interface first, then any up, non-loopback interface. */
  static String defaultIpv4() throws SocketException {
    List<String> names = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 2 && f[1].equals("00000000")) names.add(f[0]);
      }
    } catch (IOException e) {
      // no routing table: scan the interfaces
    }
    for (String n : names) {
      NetworkInterface nif = NetworkInterface.getByName(n);
      if (nif != null && nif.isUp()) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) return a.getHostAddress();
        }
      }
    }
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) continue;
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address) return a.getHostAddress();
      }
    }
    return "127.0.0.1";
  }
}
