package io.planet.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Imports image archives into the store: an OCI image layout in a tar ({@code oci-layout}, {@code index.json},
 * {@code blobs/}) or a {@code docker save} archive ({@code manifest.json} with Config, RepoTags, Layers). Every blob is
 * verified against its digest; multi-platform indexes contribute the image for this node's platform.
 */
public final class ArchiveImporter {
  /** Where the names of an OCI layout's images are: containerd's full name, else the OCI ref name. */
  static final String CONTAINERD_NAME = "io.containerd.image.name";
  static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

  private final ImageStore store;
  private final Platform platform;

  public ArchiveImporter(ImageStore store) {
    this(store, Platform.current());
  }

  ArchiveImporter(ImageStore store, Platform platform) {
    this.store = store;
    this.platform = platform;
  }

  /**
   * Imports every image in the archive. {@code name}, when given, names the archive's only image (required when the
   * archive carries no usable name). Returns the images imported.
   */
  public List<Image> importArchive(Path archive, String name) throws IOException {
    if (!Files.isRegularFile(archive)) throw new IOException(archive + ": no such file");
    if (name != null) ImageReference.parse(name);
    Path dir = Files.createTempDirectory(store.root(), "import");
    try {
      untar(archive, dir);
      List<Found> found;
      if (Files.exists(dir.resolve("index.json")) && Files.exists(dir.resolve("oci-layout"))) {
        found = fromOciLayout(dir);
      } else if (Files.exists(dir.resolve("manifest.json"))) {
        found = fromDockerSave(dir);
      } else {
        throw new IOException(archive + " is neither an OCI image layout (oci-layout, index.json) nor a docker save "
            + "archive (manifest.json)");
      }
      if (found.isEmpty()) throw new IOException(archive + " holds no image for " + platform);
      if (name != null && found.size() > 1) {
        throw new IOException(archive + " holds " + found.size() + " images; --name can only name a single one");
      }
      List<Image> images = new ArrayList<>();
      for (Found f : found) {
        List<String> names = name != null ? List.of(name) : f.names();
        if (names.isEmpty()) {
          throw new IOException(archive + ": image " + f.manifest() + " has no name; give one with --name");
        }
        Image last = null;
        for (String n : names) last = store.tag(n, f.manifest());
        images.add(last);
      }
      return images;
    } finally {
      ImageStore.deleteTree(dir);
    }
  }

  private record Found(Digest manifest, List<String> names) {}

  private List<Found> fromOciLayout(Path dir) throws IOException {
    JsonNode index = ImageStore.JSON.readTree(dir.resolve("index.json").toFile());
    List<Found> out = new ArrayList<>();
    for (JsonNode desc : index.path("manifests")) {
      List<String> names = new ArrayList<>();
      JsonNode ann = desc.path("annotations");
      if (ann.hasNonNull(CONTAINERD_NAME)) {
        names.add(ann.get(CONTAINERD_NAME).asText());
      } else if (ann.hasNonNull(OCI_REF_NAME) && looksLikeFullName(ann.get(OCI_REF_NAME).asText())) {
        names.add(ann.get(OCI_REF_NAME).asText());
      }
      Digest manifest = selectManifest(dir, desc);
      if (manifest != null) out.add(new Found(manifest, names));
    }
    return out;
  }

  /** An OCI ref name is often just a tag ("1.0"); only a name with a repository can name an image. */
  private static boolean looksLikeFullName(String ref) {
    if (!ref.contains("/") && !ref.contains(":")) return false;
    try {
      ImageReference.parse(ref);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Follows indexes down to this platform's manifest, storing it, its config and its layers. Null: no match. */
  private Digest selectManifest(Path dir, JsonNode desc) throws IOException {
    Digest digest = Digest.parse(desc.path("digest").asText());
    String mediaType = desc.path("mediaType").asText();
    byte[] bytes = blob(dir, digest);
    JsonNode doc = ImageStore.JSON.readTree(bytes);
    if (mediaType.isEmpty()) mediaType = doc.path("mediaType").asText();
    if (MediaTypes.INDEXES.contains(mediaType) || (mediaType.isEmpty() && doc.has("manifests"))) {
      for (JsonNode child : doc.path("manifests")) {
        if (!platform.matches(child.get("platform"))) continue;
        Digest m = selectManifest(dir, child);
        if (m != null) return m;
      }
      return null;
    }
    JsonNode config = doc.path("config");
    Digest configDigest = Digest.parse(config.path("digest").asText());
    JsonNode configDoc = ImageStore.JSON.readTree(blob(dir, configDigest));
    if (!platform.matches(configDoc)) return null;
    store(dir, configDigest);
    for (JsonNode layer : doc.path("layers")) store(dir, Digest.parse(layer.path("digest").asText()));
    store.content().put(bytes);
    return digest;
  }

  private List<Found> fromDockerSave(Path dir) throws IOException {
    JsonNode manifest = ImageStore.JSON.readTree(dir.resolve("manifest.json").toFile());
    List<Found> out = new ArrayList<>();
    for (JsonNode entry : manifest) {
      byte[] configBytes = Files.readAllBytes(inside(dir, entry.path("Config").asText()));
      Digest configDigest = store.content().put(configBytes);
      ObjectNode m = ImageStore.JSON.createObjectNode();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaTypes.OCI_MANIFEST);
      ObjectNode config = m.putObject("config");
      config.put("mediaType", MediaTypes.OCI_CONFIG);
      config.put("digest", configDigest.toString());
      config.put("size", configBytes.length);
      ArrayNode layers = m.putArray("layers");
      for (JsonNode layerPath : entry.path("Layers")) {
        Path file = inside(dir, layerPath.asText());
        Digest d;
        try (InputStream in = Files.newInputStream(file)) {
          d = store.content().put(in, null);
        }
        ObjectNode l = layers.addObject();
        l.put("mediaType", layerMediaType(file));
        l.put("digest", d.toString());
        l.put("size", Files.size(file));
      }
      Digest manifestDigest = store.content().put(ImageStore.JSON.writeValueAsBytes(m));
      List<String> names = new ArrayList<>();
      for (JsonNode t : entry.path("RepoTags")) names.add(t.asText());
      out.add(new Found(manifestDigest, names));
    }
    return out;
  }

  private static String layerMediaType(Path file) throws IOException {
    byte[] magic;
    try (InputStream in = Files.newInputStream(file)) {
      magic = in.readNBytes(4);
    }
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) return MediaTypes.OCI_LAYER_GZIP;
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5) return MediaTypes.OCI_LAYER_ZSTD;
    return MediaTypes.OCI_LAYER;
  }

  private void store(Path dir, Digest d) throws IOException {
    try (InputStream in = Files.newInputStream(blobPath(dir, d))) {
      store.content().put(in, d);
    }
  }

  private static byte[] blob(Path dir, Digest d) throws IOException {
    return Files.readAllBytes(blobPath(dir, d));
  }

  private static Path blobPath(Path dir, Digest d) throws IOException {
    Path p = dir.resolve("blobs/sha256").resolve(d.hex());
    if (!Files.isRegularFile(p)) throw new IOException("the archive lacks blob " + d);
    return p;
  }

  /** A path named inside the archive, refused when it would leave it. */
  private static Path inside(Path dir, String name) throws IOException {
    Path p = dir.resolve(name).normalize();
    if (!p.startsWith(dir) || !Files.isRegularFile(p)) throw new IOException("the archive lacks " + name);
    return p;
  }

  private static void untar(Path archive, Path dir) throws IOException {
    Process p = new ProcessBuilder("tar", "-x", "-f", archive.toString(), "--no-same-owner", "-C", dir.toString())
        .redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes()).trim();
    }
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("cannot read " + archive + " as a tar archive: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted reading " + archive, e);
    }
  }
}
