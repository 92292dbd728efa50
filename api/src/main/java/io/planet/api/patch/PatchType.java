package io.planet.api.patch;

import java.util.Locale;
import java.util.Optional;

/** The PATCH content types of the Kubernetes API (k8s.io/apimachinery/pkg/types.PatchType). */
public enum PatchType {
  JSON("application/json-patch+json"),
  MERGE("application/merge-patch+json"),
  STRATEGIC_MERGE("application/strategic-merge-patch+json"),
  /** Server-side apply; handled by the field manager, not by {@link Patches}. */
  APPLY_YAML("application/apply-patch+yaml");

  private final String mediaType;

  PatchType(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  /**
   * The patch type named by a Content-Type header. Parameters such as {@code ; charset=utf-8} are ignored, as upstream
   * cuts the header at the first ';'.
   */
  public static Optional<PatchType> fromContentType(String contentType) {
    if (contentType == null) return Optional.empty();
    int semi = contentType.indexOf(';');
    String base = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    for (PatchType t : values()) {
      if (t.mediaType.equals(base)) return Optional.of(t);
    }
    return Optional.empty();
  }
}
