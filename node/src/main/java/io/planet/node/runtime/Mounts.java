package io.planet.node.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads /proc/self/mountinfo: which paths are mount points, and which lie under a directory. */
public final class Mounts {
  private Mounts() {}

  public static boolean isMountPoint(Path p) throws IOException {
    String target = p.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      if (unescape(line.split(" ")[4]).equals(target)) return true;
    }
    return false;
  }

  /** Mount points at or under {@code dir}. */
  public static List<Path> under(Path dir) throws IOException {
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<Path> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String mp = unescape(line.split(" ")[4]);
      if (mp.equals(prefix) || mp.startsWith(prefix + "/")) out.add(Path.of(mp));
    }
    return out;
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
