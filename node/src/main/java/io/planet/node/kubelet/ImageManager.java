package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.planet.node.image.Image;
import io.planet.node.image.ImageReference;
import io.planet.node.image.ImageStore;
import io.planet.node.image.RegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * imagePullPolicy as upstream: Always pulls, IfNotPresent pulls when the store lacks the image, Never never pulls
 * (ErrImageNeverPull). The default policy was set by the API server (Always for :latest or no tag). Tells what it
 * does in the container's events as upstream's image manager: Pulling, Pulled, Failed, InspectFailed, ErrImageNeverPull.
 */
final class ImageManager {
  private final ImageStore store;
  private final RegistryClient registry;
  private final KubeletEvents events;

  ImageManager(ImageStore store, RegistryClient registry, KubeletEvents events) {
    this.store = store;
    this.registry = registry;
    this.events = events;
  }

  /** Why a container has no image: the waiting reason and message the kubelet reports. */
  static final class ImageError extends Exception {
    final String reason;

    ImageError(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  Image ensure(Pod pod, Container c) throws ImageError {
    String ref = c.getImage();
    if (ref == null || ref.isBlank()) throw inspectFailed(pod, c, "InvalidImageName", "image is empty");
    try {
      ImageReference.parse(ref);
    } catch (IllegalArgumentException e) {
      throw inspectFailed(pod, c, "InvalidImageName",
          "Failed to apply default image tag " + KubeletEvents.quote(ref) + ": " + e.getMessage());
    }
    String policy = c.getImagePullPolicy() == null ? "IfNotPresent" : c.getImagePullPolicy();
    Optional<Image> local;
    try {
      local = store.find(ref);
    } catch (IOException e) {
      throw inspectFailed(pod, c, "ImageInspectError",
          "Failed to inspect image " + KubeletEvents.quote(ref) + ": " + e.getMessage());
    }
    if (local.isPresent() && !policy.equals("Always")) {
      events.container(pod, c.getName(), KubeletEvents.NORMAL, "Pulled",
          "Container image " + KubeletEvents.quote(ref) + " already present on machine");
      return local.get();
    }
    if (policy.equals("Never")) {
      String message = "Container image " + KubeletEvents.quote(ref) + " is not present with pull policy of Never";
      events.container(pod, c.getName(), KubeletEvents.WARNING, "ErrImageNeverPull", message);
      throw new ImageError("ErrImageNeverPull", message);
    }
    events.container(pod, c.getName(), KubeletEvents.NORMAL, "Pulling", "Pulling image " + KubeletEvents.quote(ref));
    long start = System.nanoTime();
    Image pulled;
    try {
      pulled = registry.pull(ref, line -> {});
    } catch (IOException e) {
      // as upstream: with Always, a failed pull fails the container even when an older copy is present
      events.container(pod, c.getName(), KubeletEvents.WARNING, "Failed",
          "Failed to pull image " + KubeletEvents.quote(ref) + ": " + e.getMessage());
      throw new ImageError("ErrImagePull", "failed to pull image " + KubeletEvents.quote(ref) + ": " + e.getMessage());
    }
    // pulls are not queued here, so the time spent waiting is the pull's own
    String took = KubeletEvents.goDuration(Duration.ofNanos(System.nanoTime() - start));
    events.container(pod, c.getName(), KubeletEvents.NORMAL, "Pulled", "Successfully pulled image "
        + KubeletEvents.quote(ref) + " in " + took + " (" + took + " including waiting). Image size: " + pulled.size()
        + " bytes.");
    return pulled;
  }

  /** An image that cannot even be looked at: upstream's InspectFailed warning. */
  private ImageError inspectFailed(Pod pod, Container c, String reason, String message) {
    events.container(pod, c.getName(), KubeletEvents.WARNING, "InspectFailed", message);
    return new ImageError(reason, message);
  }
}
