package io.planet.cli.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout (or unpacked release) planet runs from: where bin/, scripts/ and the bundled images are. */
final class PlanetHome {
  private PlanetHome() {}

  /** $PLANET_HOME, else the directory above cli/target/planet.jar; null when neither has bin/planet. */
  static Path find() {
    String env = System.getenv("PLANET_HOME");
    if (env != null && Files.exists(Path.of(env, "bin", "planet"))) return Path.of(env);
    Path jar = jar();
    if (jar == null) return null;
    Path home = jar.getParent() == null || jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
    return home != null && Files.exists(home.resolve("bin/planet")) ? home : null;
  }

  /** The jar this code was loaded from, or null when run from classes (tests). */
  static Path jar() {
    try {
      Path p = Path.of(PlanetHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return p.toString().endsWith(".jar") ? p : null;
    } catch (Exception e) {
      return null;
    }
  }
}
