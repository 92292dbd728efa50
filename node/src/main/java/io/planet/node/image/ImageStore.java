package io.planet.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The node's image store, shared by every pod and by the {@code planet image} commands: content-addressed blobs
 * (manifests, configs, layers), a names file mapping normalized references to manifest digests, and each layer
 * unpacked once under {@code layers/<diffID>} for overlay mounts. Changes take a file lock, so the CLI and a running
 * node agent can use one store; the names file is replaced atomically.
 */
public final class ImageStore {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final ContentStore content;
  private final Path namesFile;
  private final Path layers;
  private final Path lockFile;

  public ImageStore(Path root) throws IOException {
    this.root = Files.createDirectories(root);
    this.content = new ContentStore(root);
    this.namesFile = root.resolve("images.json");
    this.layers = Files.createDirectories(root.resolve("layers"));
    this.lockFile = root.resolve("lock");
  }

  public Path root() {
    return root;
  }

  public ContentStore content() {
    return content;
  }

  /** Every image, with all the names pointing at it, sorted by first name. */
  public List<Image> list() throws IOException {
    Map<Digest, List<String>> byManifest = new LinkedHashMap<>();
    readNames().forEach((name, digest) -> byManifest.computeIfAbsent(digest, d -> new ArrayList<>()).add(name));
    List<Image> out = new ArrayList<>();
    for (var e : byManifest.entrySet()) out.add(load(e.getKey(), e.getValue()));
    out.sort(Comparator.comparing(i -> i.names().get(0)));
    return out;
  }

  /**
   * The image a reference names: a name ({@code busybox} means {@code docker.io/library/busybox:latest}), a name with
   * a digest, or an image ID or its prefix (at least 3 hex digits, as other tools accept).
   */
  public Optional<Image> find(String ref) throws IOException {
    Map<String, Digest> names = readNames();
    Digest manifest = null;
    try {
      ImageReference r = ImageReference.parse(ref);
      if (r.digest() != null) {
        Digest d = Digest.parse(r.digest());
        if (content.has(d) && names.containsValue(d)) manifest = d;
      } else {
        manifest = names.get(r.toString());
      }
    } catch (IllegalArgumentException notAName) {
      // may still be an image ID
    }
    if (manifest == null) manifest = byId(ref, names);
    if (manifest == null) return Optional.empty();
    Digest m = manifest;
    List<String> all = names.entrySet().stream().filter(e -> e.getValue().equals(m)).map(Map.Entry::getKey).sorted().toList();
    return Optional.of(load(manifest, all));
  }

  private Digest byId(String ref, Map<String, Digest> names) throws IOException {
    String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
    if (hex.length() < 3 || !hex.matches("[a-f0-9]+")) return null;
    Set<Digest> matches = new HashSet<>();
    for (Digest m : new HashSet<>(names.values())) {
      if (m.hex().startsWith(hex) || configOf(m).hex().startsWith(hex)) matches.add(m);
    }
    if (matches.size() > 1) throw new IllegalArgumentException("image ID prefix \"" + ref + "\" is ambiguous");
    return matches.isEmpty() ? null : matches.iterator().next();
  }

  /** Points {@code name} at a manifest already in the content store (replacing what it named before). */
  public Image tag(String name, Digest manifest) throws IOException {
    String normalized = ImageReference.parse(name).toString();
    Image image = load(manifest, List.of(normalized));
    locked(() -> {
      Map<String, Digest> names = readNames();
      Digest before = names.put(normalized, manifest);
      writeNames(names);
      if (before != null && !before.equals(manifest)) collect(names);
      return null;
    });
    return find(normalized).orElse(image);
  }

  /**
   * Removes an image by name (that name only, as {@code crictl rmi}/{@code docker rmi} do) or by ID (every name of
   * it). Blobs and unpacked layers no other image uses are deleted. Returns the names removed (empty: no such image).
   */
  public List<String> remove(String ref) throws IOException {
    return locked(() -> {
      Map<String, Digest> names = readNames();
      List<String> removed = new ArrayList<>();
      String exact = null;
      try {
        ImageReference r = ImageReference.parse(ref);
        if (r.digest() == null && names.containsKey(r.toString())) exact = r.toString();
      } catch (IllegalArgumentException notAName) {
        // an ID then
      }
      if (exact != null) {
        names.remove(exact);
        removed.add(exact);
      } else {
        Optional<Image> image = find(ref);
        if (image.isEmpty()) return removed;
        for (String n : image.get().names()) {
          names.remove(n);
          removed.add(n);
        }
      }
      writeNames(names);
      collect(names);
      return removed;
    });
  }

  /** The image's unpacked layers, lowest first, unpacking those not yet on disk. */
  public List<Path> unpack(Image image) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (Image.Layer layer : image.layers()) {
      Path dir = layers.resolve(layer.diffId().hex());
      if (!Files.isDirectory(dir)) {
        locked(() -> {
          if (Files.isDirectory(dir)) return null;
          Path tmp = layers.resolve(layer.diffId().hex() + ".unpacking");
          deleteTree(tmp);
          LayerUnpacker.unpack(content.path(layer.digest()), layer.diffId(), tmp);
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
          return null;
        });
      }
      dirs.add(dir);
    }
    return dirs;
  }

  /** Reads the manifest and config of a stored image. */
  Image load(Digest manifestDigest, List<String> names) throws IOException {
    JsonNode manifest = JSON.readTree(content.read(manifestDigest));
    Digest configDigest = Digest.parse(manifest.path("config").path("digest").asText());
    JsonNode config = JSON.readTree(content.read(configDigest));
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    JsonNode ls = manifest.path("layers");
    if (diffIds.size() != ls.size()) {
      throw new IOException("image " + manifestDigest + ": " + ls.size() + " layers but " + diffIds.size() + " diff_ids");
    }
    List<Image.Layer> layerList = new ArrayList<>();
    for (int i = 0; i < ls.size(); i++) {
      JsonNode l = ls.get(i);
      layerList.add(new Image.Layer(Digest.parse(l.path("digest").asText()), l.path("mediaType").asText(),
          l.path("size").asLong(), Digest.parse(diffIds.get(i).asText())));
    }
    return new Image(List.copyOf(names), manifestDigest, configDigest, config, List.copyOf(layerList));
  }

  private Digest configOf(Digest manifest) throws IOException {
    return Digest.parse(JSON.readTree(content.read(manifest)).path("config").path("digest").asText());
  }

  /** Deletes blobs and unpacked layers that no named image references. Call with the lock held. */
  private void collect(Map<String, Digest> names) throws IOException {
    Set<Digest> keepBlobs = new HashSet<>();
    Set<String> keepLayers = new HashSet<>();
    for (Digest m : new HashSet<>(names.values())) {
      Image image = load(m, List.of());
      keepBlobs.add(m);
      keepBlobs.add(image.configDigest());
      for (Image.Layer l : image.layers()) {
        keepBlobs.add(l.digest());
        keepLayers.add(l.diffId().hex());
      }
    }
    for (Digest d : content.all().toList()) {
      if (!keepBlobs.contains(d)) content.delete(d);
    }
    try (Stream<Path> s = Files.list(layers)) {
      for (Path p : s.toList()) {
        if (!keepLayers.contains(p.getFileName().toString())) deleteTree(p);
      }
    }
  }

  Map<String, Digest> readNames() throws IOException {
    Map<String, Digest> names = new TreeMap<>();
    if (!Files.exists(namesFile)) return names;
    JsonNode tree = JSON.readTree(namesFile.toFile());
    tree.path("images").fields().forEachRemaining(e -> names.put(e.getKey(), Digest.parse(e.getValue().asText())));
    return names;
  }

  private void writeNames(Map<String, Digest> names) throws IOException {
    ObjectNode tree = JSON.createObjectNode();
    ObjectNode images = tree.putObject("images");
    names.forEach((n, d) -> images.put(n, d.toString()));
    Path tmp = root.resolve("images.json.tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree));
    Files.move(tmp, namesFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  interface Locked<T> {
    T run() throws IOException;
  }

  /** Runs under this JVM's monitor and the store's file lock (other processes). */
  synchronized <T> T locked(Locked<T> action) throws IOException {
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      return action.run();
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
