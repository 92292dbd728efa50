package io.planet.node.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.stream.Stream;

/**
 * Blobs addressed by their digest under {@code <root>/blobs/sha256/<hex>}. A blob is written to a temporary file and
 * renamed into place only once its digest is verified, so a crash never leaves a wrong or half-written blob.
 */
public final class ContentStore {
  private final Path blobs;
  private final Path ingest;

  public ContentStore(Path root) throws IOException {
    this.blobs = Files.createDirectories(root.resolve("blobs/sha256"));
    this.ingest = Files.createDirectories(root.resolve("ingest"));
  }

  public Path path(Digest d) {
    return blobs.resolve(d.hex());
  }

  public boolean has(Digest d) {
    return Files.isRegularFile(path(d));
  }

  public byte[] read(Digest d) throws IOException {
    return Files.readAllBytes(path(d));
  }

  public long size(Digest d) throws IOException {
    return Files.size(path(d));
  }

  /** Stores the stream's bytes; when {@code expected} is given they must hash to it (else IOException, nothing kept). */
  public Digest put(InputStream in, Digest expected) throws IOException {
    if (expected != null && has(expected)) {
      in.transferTo(OutputStream.nullOutputStream());
      return expected;
    }
    Path tmp = Files.createTempFile(ingest, "blob", ".part");
    try {
      MessageDigest md = Digest.sha256();
      try (InputStream din = new DigestInputStream(in, md); OutputStream out = Files.newOutputStream(tmp)) {
        din.transferTo(out);
      }
      Digest actual = Digest.of(md);
      if (expected != null && !expected.equals(actual)) {
        throw new IOException("content digest mismatch: expected " + expected + ", got " + actual);
      }
      Files.move(tmp, path(actual), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return actual;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public Digest put(byte[] bytes) throws IOException {
    Digest d = Digest.of(bytes);
    if (!has(d)) put(new ByteArrayInputStream(bytes), d);
    return d;
  }

  public void delete(Digest d) throws IOException {
    Files.deleteIfExists(path(d));
  }

  /** Every blob's digest. */
  public Stream<Digest> all() throws IOException {
    try (Stream<Path> s = Files.list(blobs)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.length() == 64).map(Digest::new).toList().stream();
    }
  }
}
