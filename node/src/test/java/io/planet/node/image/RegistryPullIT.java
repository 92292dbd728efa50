package io.planet.node.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pulling from a real registry (Debian's docker-registry) that the test fills with the busybox image. */
class RegistryPullIT {
  static Path tmp;
  static TestRegistry registry;
  static Image pushed;

  @BeforeAll
  static void start() throws Exception {
    tmp = Files.createTempDirectory("planet-pull");
    registry = new TestRegistry(tmp);
    Path layout = Files.createDirectories(tmp.resolve("layout"));
    Process p = new ProcessBuilder("tar", "-x", "-f", TestImages.busybox().toString(), "-C", layout.toString()).start();
    assertThat(p.waitFor()).isZero();
    registry.push(layout, "tools/busybox", "1.35");
    pushed = new ArchiveImporter(new ImageStore(tmp.resolve("reference"))).importArchive(TestImages.busybox(), null).get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) registry.close();
    ImageStore.deleteTree(tmp);
  }

  @Test
  void pullsVerifiesAndNamesTheImage() throws Exception {
    ImageStore store = new ImageStore(tmp.resolve("store-a"));
    List<String> progress = new ArrayList<>();
    String ref = registry.host() + "/tools/busybox:1.35";
    Image image = new RegistryClient(store, Set.of()).pull(ref, progress::add);
    assertThat(image.names()).containsExactly(ref);
    assertThat(image.manifest()).isEqualTo(pushed.manifest());
    assertThat(image.id()).isEqualTo(pushed.id());
    assertThat(progress).anyMatch(l -> l.startsWith("pulling layer")).last().asString().startsWith("pulled " + ref);
    assertThat(Files.isExecutable(store.unpack(image).get(0).resolve("bin/busybox"))).isTrue();

    // a second pull (here by digest) fetches nothing new
    progress.clear();
    Image again = new RegistryClient(store, Set.of()).pull(registry.host() + "/tools/busybox@" + pushed.manifest(), progress::add);
    assertThat(again.manifest()).isEqualTo(image.manifest());
    assertThat(progress).noneMatch(l -> l.startsWith("pulling"));
  }

  @Test
  void missingImagesAndDeadRegistriesFailWithTheReason() throws Exception {
    ImageStore store = new ImageStore(tmp.resolve("store-b"));
    RegistryClient client = new RegistryClient(store, Set.of());
    assertThatThrownBy(() -> client.pull(registry.host() + "/tools/busybox:nope", l -> {}))
        .isInstanceOfSatisfying(RegistryClient.PullException.class, e -> assertThat(e.notFound()).isTrue())
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> client.pull("127.0.0.1:1/tools/busybox:1.35", l -> {}))
        .isInstanceOfSatisfying(RegistryClient.PullException.class, e -> assertThat(e.notFound()).isFalse())
        .hasMessageContaining("cannot reach registry 127.0.0.1:1");
    assertThat(store.list()).isEmpty();
  }

  @Test
  void registriesAreHttpsUnlessInsecureOrLoopback() throws IOException {
    RegistryClient client = new RegistryClient(new ImageStore(tmp.resolve("store-c")), Set.of("registry.lan:5000"));
    assertThat(client.baseUrl(ImageReference.parse("busybox"))).isEqualTo("https://registry-1.docker.io");
    assertThat(client.baseUrl(ImageReference.parse("registry.lan:5000/a"))).isEqualTo("http://registry.lan:5000");
    assertThat(client.baseUrl(ImageReference.parse("registry.lan/a"))).isEqualTo("https://registry.lan");
    assertThat(client.baseUrl(ImageReference.parse("localhost:5000/a"))).isEqualTo("http://localhost:5000");
  }
}
