package io.planet.node.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a volume's files so that readers see the old set or the new one, never a mix, as the kubelet's atomic
 * writer does: the files go to a fresh {@code ..<timestamp>} directory, the {@code ..data} symlink is swapped to it
 * with a rename, and each top-level name is a symlink through {@code ..data}. Nothing is written when nothing changed.
 */
final class AtomicWriter {
  static final String DATA = "..data";

  record File(byte[] content, int mode) {
    @Override
    public boolean equals(Object o) {
      return o instanceof File f && f.mode == mode && Arrays.equals(f.content, content);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(content) * 31 + mode;
    }
  }

  private AtomicWriter() {}

  static void write(Path dir, Map<String, File> files) throws IOException {
    Path data = dir.resolve(DATA);
    if (Files.exists(data) && same(data, files)) return;
    Path fresh = dir.resolve(".." + System.nanoTime());
    Files.createDirectories(fresh);
    for (var e : files.entrySet()) {
      Path f = fresh.resolve(e.getKey()).normalize();
      if (!f.startsWith(fresh)) throw new IOException("volume path " + e.getKey() + " leaves the volume");
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue().content());
      Files.setPosixFilePermissions(f, permissions(e.getValue().mode()));
    }
    Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
    Path tmp = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, fresh.getFileName());
    Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Set<String> tops = new HashSet<>();
    for (String p : files.keySet()) tops.add(Path.of(p).getName(0).toString());
    for (String top : tops) {
      Path link = dir.resolve(top);
      if (!Files.isSymbolicLink(link)) Files.createSymbolicLink(link, Path.of(DATA).resolve(top));
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (!n.startsWith("..") && Files.isSymbolicLink(p) && !tops.contains(n)) Files.delete(p);
      }
    }
    if (old != null && !old.equals(fresh)) deleteTree(old);
  }

  private static boolean same(Path data, Map<String, File> files) throws IOException {
    try (Stream<Path> s = Files.walk(data.toRealPath())) {
      List<Path> existing = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
      if (existing.size() != files.size()) return false;
    }
    for (var e : files.entrySet()) {
      Path f = data.resolve(e.getKey());
      if (!Files.isRegularFile(f) || !Arrays.equals(Files.readAllBytes(f), e.getValue().content())) return false;
      if (!Files.getPosixFilePermissions(f).equals(permissions(e.getValue().mode()))) return false;
    }
    return true;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = new HashSet<>();
    PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) set.add(order[i]);
    }
    return set;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
    }
  }
}
