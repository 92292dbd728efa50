package io.planet.node.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The busybox test image, built once per build by scripts/build-busybox-image from Debian's busybox-static. */
public final class TestImages {
  private static Path busybox;

  private TestImages() {}

  public static synchronized Path busybox() throws IOException, InterruptedException {
    if (busybox != null) return busybox;
    Path out = Path.of("target/images/busybox.oci.tar").toAbsolutePath();
    if (!Files.exists(out)) {
      Path script = Path.of("..", "scripts", "build-busybox-image").toAbsolutePath().normalize();
      Process p = new ProcessBuilder(script.toString(), out.toString()).inheritIO().start();
      if (p.waitFor() != 0) throw new IOException(script + " failed");
    }
    busybox = out;
    return out;
  }

  /** The name the archive gives the image (planet.local/busybox:<Debian's busybox version>). */
  public static String busyboxName() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("tar", "-x", "-O", "-f", busybox().toString(), "index.json").start();
    byte[] index = p.getInputStream().readAllBytes();
    p.waitFor();
    return ImageStore.JSON.readTree(index).at("/manifests/0/annotations").get(ArchiveImporter.CONTAINERD_NAME).asText();
  }
}
