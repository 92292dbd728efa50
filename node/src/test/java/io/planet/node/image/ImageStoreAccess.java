package io.planet.node.image;

import java.io.IOException;
import java.nio.file.Path;

/** Test access to the store's package-private helpers from other packages. */
public final class ImageStoreAccess {
  private ImageStoreAccess() {}

  public static void deleteTree(Path p) throws IOException {
    ImageStore.deleteTree(p);
  }
}
