package io.planet.node.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store on real archives, unpacked by the real tar (as root: owners, devices and xattrs are kept). */
class ImageStoreIT {
  @TempDir Path tmp;
  ImageStore store;
  ArchiveImporter importer;

  @BeforeEach
  void setUp() throws IOException {
    store = new ImageStore(tmp.resolve("images"));
    importer = new ArchiveImporter(store);
  }

  /** Unpacked layers hold absolute symlinks; removing them here keeps JUnit's TempDir cleanup quiet. */
  @AfterEach
  void tearDown() throws IOException {
    ImageStore.deleteTree(tmp);
    Files.createDirectories(tmp);
  }

  @Test
  void importsTheBusyboxOciArchiveAndUnpacksARunnableRootfs() throws Exception {
    String name = TestImages.busyboxName();
    List<Image> imported = importer.importArchive(TestImages.busybox(), null);
    assertThat(imported).singleElement().satisfies(i -> assertThat(i.names()).containsExactly(name));
    Image image = imported.get(0);
    assertThat(image.runtimeConfig().path("Cmd").get(0).asText()).isEqualTo("sh");
    assertThat(store.list()).extracting(Image::names).containsExactly(List.of(name));
    assertThat(store.find(name)).contains(image);
    assertThat(store.find(image.id().hex().substring(0, 12))).contains(image);
    assertThat(store.find(name.substring(0, name.lastIndexOf(':')) + "@" + image.manifest())).contains(image);
    assertThat(store.find("docker.io/library/nothere:1")).isEmpty();

    List<Path> layers = store.unpack(image);
    assertThat(layers).hasSize(1);
    Path rootfs = layers.get(0);
    assertThat(Files.isExecutable(rootfs.resolve("bin/busybox"))).isTrue();
    assertThat(Files.readSymbolicLink(rootfs.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
    assertThat(Files.getAttribute(rootfs.resolve("tmp"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(041777);
    Process sh = new ProcessBuilder(rootfs.resolve("bin/busybox").toString(), "echo", "hello").start();
    assertThat(new String(sh.getInputStream().readAllBytes()).trim()).isEqualTo("hello");

    // importing again changes nothing; the unpacked layer is reused
    assertThat(importer.importArchive(TestImages.busybox(), null).get(0).manifest()).isEqualTo(image.manifest());
    assertThat(store.unpack(image)).isEqualTo(layers);
  }

  @Test
  void importsDockerSaveArchivesAndTurnsWhiteoutsIntoOverlayOnes() throws Exception {
    Path archive = dockerSave(List.of("app:v1", "example.com/team/app:v1"));
    List<Image> imported = importer.importArchive(archive, null);
    assertThat(imported).singleElement().satisfies(i ->
        assertThat(i.names()).containsExactly("docker.io/library/app:v1", "example.com/team/app:v1"));
    Image image = imported.get(0);
    assertThat(image.layers()).hasSize(2);
    assertThat(image.layers().get(0).mediaType()).isEqualTo(MediaTypes.OCI_LAYER);

    List<Path> layers = store.unpack(image);
    Path upper = layers.get(1);
    Path gone = upper.resolve("etc/gone");
    int mode = (int) Files.getAttribute(gone, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    assertThat(mode & 0170000).as("a whiteout is a character device").isEqualTo(0020000);
    assertThat(Files.getAttribute(gone, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
    assertThat(Files.exists(upper.resolve("opaque/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    Process getfattr = new ProcessBuilder("getfattr", "--only-values", "-n", "trusted.overlay.opaque",
        upper.resolve("opaque").toString()).start();
    assertThat(new String(getfattr.getInputStream().readAllBytes())).isEqualTo("y");
    assertThat(Files.readString(upper.resolve("opaque/kept"))).isEqualTo("new\n");
    assertThat(Files.getAttribute(upper.resolve("opaque/kept"), "unix:uid")).isEqualTo(1000);
  }

  @Test
  void removingANameKeepsSharedContentAndTheLastNameCollectsIt() throws Exception {
    Path archive = dockerSave(List.of("app:v1", "app:stable"));
    Image image = importer.importArchive(archive, null).get(0);
    store.unpack(image);
    assertThat(store.remove("app:v1")).containsExactly("docker.io/library/app:v1");
    assertThat(store.find("app:stable")).isPresent();
    assertThat(store.content().has(image.layers().get(0).digest())).isTrue();

    assertThat(store.remove("app:stable")).containsExactly("docker.io/library/app:stable");
    assertThat(store.list()).isEmpty();
    assertThat(store.content().all()).isEmpty();
    try (var s = Files.list(store.root().resolve("layers"))) {
      assertThat(s).isEmpty();
    }
    assertThat(store.remove("app:stable")).isEmpty();

    // by ID: every name goes
    Image again = importer.importArchive(archive, null).get(0);
    assertThat(store.remove(again.id().shortHex())).containsExactlyInAnyOrder("docker.io/library/app:v1",
        "docker.io/library/app:stable");
  }

  @Test
  void badArchivesAreRefusedWithTheReasonAndChangeNothing() throws Exception {
    Path notTar = Files.writeString(tmp.resolve("x.tar"), "not a tar");
    assertThatThrownBy(() -> importer.importArchive(notTar, null)).hasMessageContaining("as a tar archive");

    // an OCI layout whose layer blob was altered
    Path layout = tmp.resolve("layout");
    Files.createDirectories(layout);
    run("tar", "-x", "-f", TestImages.busybox().toString(), "-C", layout.toString());
    Image good = new ArchiveImporter(new ImageStore(tmp.resolve("scratch"))).importArchive(TestImages.busybox(), null).get(0);
    Files.write(layout.resolve("blobs/sha256").resolve(good.layers().get(0).digest().hex()), new byte[] {1, 2, 3});
    Path corrupt = tmp.resolve("corrupt.tar");
    run("tar", "-c", "-f", corrupt.toString(), "-C", layout.toString(), "oci-layout", "index.json", "blobs");
    assertThatThrownBy(() -> importer.importArchive(corrupt, null)).hasMessageContaining("digest mismatch");
    assertThat(store.list()).isEmpty();

    Path unnamed = dockerSave(List.of());
    assertThatThrownBy(() -> importer.importArchive(unnamed, null)).hasMessageContaining("give one with --name");
    assertThat(importer.importArchive(unnamed, "mine:1").get(0).names()).containsExactly("docker.io/library/mine:1");
    assertThatThrownBy(() -> importer.importArchive(unnamed, "Mine")).hasMessageContaining("lowercase");
  }

  /** A docker-save archive: a base layer and an upper one with a whiteout and an opaque directory. */
  private Path dockerSave(List<String> tags) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "save");
    Path base = Files.createDirectories(tmp.resolve("base-" + dir.getFileName()));
    Files.createDirectories(base.resolve("etc"));
    Files.writeString(base.resolve("etc/gone"), "old\n");
    Files.createDirectories(base.resolve("opaque"));
    Files.writeString(base.resolve("opaque/old"), "old\n");
    Path upper = Files.createDirectories(tmp.resolve("upper-" + dir.getFileName()));
    Files.createDirectories(upper.resolve("etc"));
    Files.createFile(upper.resolve("etc/.wh.gone"));
    Files.createDirectories(upper.resolve("opaque"));
    Files.createFile(upper.resolve("opaque/.wh..wh..opq"));
    Files.writeString(upper.resolve("opaque/kept"), "new\n");
    Files.createDirectories(dir.resolve("l1"));
    Files.createDirectories(dir.resolve("l2"));
    run("tar", "-c", "-f", dir.resolve("l1/layer.tar").toString(), "--owner=0", "--group=0", "-C", base.toString(), ".");
    run("tar", "-c", "-f", dir.resolve("l2/layer.tar").toString(), "--owner=1000", "--group=1000", "-C", upper.toString(), ".");
    ObjectNode config = ImageStore.JSON.createObjectNode();
    config.put("architecture", Platform.current().architecture());
    config.put("os", "linux");
    config.putObject("config").putArray("Cmd").add("/bin/app");
    ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    for (String l : List.of("l1", "l2")) diffIds.add(Digest.of(Files.readAllBytes(dir.resolve(l + "/layer.tar"))).toString());
    byte[] configBytes = ImageStore.JSON.writeValueAsBytes(config);
    Files.write(dir.resolve(Digest.of(configBytes).hex() + ".json"), configBytes);
    ArrayNode manifest = ImageStore.JSON.createArrayNode();
    ObjectNode entry = manifest.addObject();
    entry.put("Config", Digest.of(configBytes).hex() + ".json");
    ArrayNode repoTags = entry.putArray("RepoTags");
    tags.forEach(repoTags::add);
    entry.putArray("Layers").add("l1/layer.tar").add("l2/layer.tar");
    Files.write(dir.resolve("manifest.json"), ImageStore.JSON.writeValueAsBytes(manifest));
    Path archive = tmp.resolve(dir.getFileName() + ".tar");
    run("tar", "-c", "-f", archive.toString(), "-C", dir.toString(), ".");
    return archive;
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
  }
}
