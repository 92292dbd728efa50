package io.planet.node.image;

import java.util.regex.Pattern;

/**
 * A normalized image reference as container runtimes read one ({@code busybox} → {@code docker.io/library/busybox:latest}):
 * the first path component is a registry domain when it has a dot or a port or is {@code localhost}; Docker Hub's
 * single-component names live under {@code library/}; no tag and no digest means {@code latest}.
 */
public record ImageReference(String domain, String path, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DOMAIN = Pattern.compile("(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?");

  /** Parses and normalizes; IllegalArgumentException with the reason when the reference is not valid. */
  public static ImageReference parse(String ref) {
    if (ref == null || ref.isBlank()) throw new IllegalArgumentException("invalid image reference \"\": empty");
    String rest = ref.trim();
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      try {
        Digest.parse(digest);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid image reference \"" + ref + "\": " + e.getMessage());
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) throw new IllegalArgumentException("invalid image reference \"" + ref + "\": invalid tag \"" + tag + "\"");
    }
    String domain = DOCKER_HUB;
    String path = rest;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        domain = first;
        path = rest.substring(slash + 1);
        if (!DOMAIN.matcher(domain).matches()) throw new IllegalArgumentException("invalid image reference \"" + ref + "\": invalid registry \"" + domain + "\"");
      }
    }
    if (domain.equals("index.docker.io")) domain = DOCKER_HUB;
    if (!path.equals(path.toLowerCase())) {
      throw new IllegalArgumentException("invalid image reference \"" + ref + "\": repository name must be lowercase");
    }
    for (String component : path.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException("invalid image reference \"" + ref + "\": invalid repository name \"" + path + "\"");
      }
    }
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
    if (tag == null && digest == null) tag = "latest";
    return new ImageReference(domain, path, tag, digest);
  }

  /** domain/path without tag or digest: the repository. */
  public String repository() {
    return domain + "/" + path;
  }

  /** The name a user would type: Docker Hub's domain and library/ prefix left out. */
  public String familiarRepository() {
    if (!domain.equals(DOCKER_HUB)) return repository();
    return path.startsWith("library/") ? path.substring("library/".length()) : path;
  }

  public ImageReference withTag(String newTag) {
    return new ImageReference(domain, path, newTag, null);
  }

  /** The reference a registry serves the manifest under: the digest when pinned, else the tag. */
  public String manifestReference() {
    return digest != null ? digest : tag;
  }

  @Override
  public String toString() {
    return repository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
