package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.planet.node.image.Image;
import io.planet.node.image.ImageReference;
import io.planet.node.image.ImageStore;
import io.planet.node.image.RegistryClient;
import java.io.IOException;
import java.util.Optional;

/**
 * imagePullPolicy as upstream: Always pulls, IfNotPresent pulls when the store lacks the image, Never never pulls
 * (ErrImageNeverPull). The default policy was set by the API server (Always for :latest or no tag).
 */
final class ImageManager {
  private final ImageStore store;
  private final RegistryClient registry;

  ImageManager(ImageStore store, RegistryClient registry) {
    this.store = store;
    this.registry = registry;
  }

  /** Why a container has no image: the waiting reason and message the kubelet reports. */
  static final class ImageError extends Exception {
    final String reason;

    ImageError(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  Image ensure(Container c) throws ImageError {
    String ref = c.getImage();
    if (ref == null || ref.isBlank()) throw new ImageError("InvalidImageName", "image is empty");
    try {
      ImageReference.parse(ref);
    } catch (IllegalArgumentException e) {
      throw new ImageError("InvalidImageName", "Failed to apply default image tag \"" + ref + "\": " + e.getMessage());
    }
    String policy = c.getImagePullPolicy() == null ? "IfNotPresent" : c.getImagePullPolicy();
    try {
      Optional<Image> local = store.find(ref);
      if (policy.equals("Never")) {
        return local.orElseThrow(() -> new ImageError("ErrImageNeverPull",
            "Container image \"" + ref + "\" is not present with pull policy of Never"));
      }
      if (local.isPresent() && policy.equals("IfNotPresent")) return local.get();
      try {
        return registry.pull(ref, line -> {});
      } catch (IOException e) {
        // as upstream: with Always, a failed pull fails the container even when an older copy is present
        throw new ImageError("ErrImagePull", "failed to pull image \"" + ref + "\": " + e.getMessage());
      }
    } catch (IOException e) {
      throw new ImageError("ErrImagePull", "image store: " + e.getMessage());
    }
  }
}
