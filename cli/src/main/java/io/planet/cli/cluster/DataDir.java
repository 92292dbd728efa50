package io.planet.cli.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The data directory's format marker, so a newer or older planet refuses a layout it does not know. */
final class DataDir {
  static final String FORMAT = "planet-data/1";

  private DataDir() {}

  static void mark(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path marker = dataDir.resolve("VERSION");
    if (!Files.exists(marker)) Files.writeString(marker, FORMAT + "\n");
  }
}
