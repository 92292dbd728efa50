package io.planet.node.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a layer tar into a directory an overlay mount can use as a lower layer: GNU tar writes the files (owners,
 * modes, links, devices, as root), the uncompressed stream is hashed on the way to check the layer's diffID, and OCI
 * whiteouts become overlayfs ones ({@code .wh.NAME} → a 0/0 character device NAME, {@code .wh..wh..opq} → the
 * {@code trusted.overlay.opaque} attribute on its directory).
 */
final class LayerUnpacker {
  static final String WHITEOUT = ".wh.";
  static final String OPAQUE = ".wh..wh..opq";

  private LayerUnpacker() {}

  static void unpack(Path blob, Digest diffId, Path target) throws IOException {
    Files.createDirectories(target);
    // tar's messages go to a file: a full pipe nobody reads would stall the unpacking
    Path log = Files.createTempFile("planet-untar", ".log");
    try {
      untar(blob, diffId, target, log);
    } finally {
      Files.deleteIfExists(log);
    }
    convertWhiteouts(target);
  }

  private static void untar(Path blob, Digest diffId, Path target, Path log) throws IOException {
    Process tar = new ProcessBuilder("tar", "-x", "-f", "-", "-p", "--numeric-owner", "-C", target.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    MessageDigest md = Digest.sha256();
    try (InputStream raw = decompressed(blob); InputStream in = new DigestInputStream(raw, md);
        OutputStream out = tar.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      tar.destroyForcibly();
      throw new IOException("cannot unpack layer " + blob.getFileName() + ": " + e.getMessage(), e);
    }
    try {
      if (!tar.waitFor(10, TimeUnit.MINUTES) || tar.exitValue() != 0) {
        throw new IOException("tar failed unpacking layer " + blob.getFileName() + ": " + Files.readString(log).trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tar.destroyForcibly();
      throw new IOException("interrupted unpacking a layer", e);
    }
    Digest actual = Digest.of(md);
    if (diffId != null && !diffId.equals(actual)) {
      throw new IOException("layer " + blob.getFileName() + " does not match its diffID: expected " + diffId + ", got " + actual);
    }
  }

  /** The tar stream of a blob, decompressed by its magic bytes (gzip, zstd through the zstd tool, or plain). */
  static InputStream decompressed(Path blob) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(blob), 1 << 16);
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      in.close();
      Process zstd = new ProcessBuilder("zstd", "-d", "-c", "-q", blob.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      return zstd.getInputStream();
    }
    return in;
  }

  private static void convertWhiteouts(Path root) throws IOException {
    List<Path> whiteouts = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(WHITEOUT)).forEach(whiteouts::add);
    }
    for (Path w : whiteouts) {
      String name = w.getFileName().toString();
      Path dir = w.getParent();
      Files.delete(w);
      if (name.equals(OPAQUE)) {
        run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", dir.toString());
      } else {
        Path hidden = dir.resolve(name.substring(WHITEOUT.length()));
        run("mknod", hidden.toString(), "c", "0", "0");
      }
    }
  }

  private static void run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (InputStream o = p.getInputStream()) {
      out = new String(o.readAllBytes()).trim();
    }
    try {
      if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
