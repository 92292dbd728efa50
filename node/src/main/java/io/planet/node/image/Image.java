package io.planet.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An image in the store: its manifest, its config (the runtime defaults: Env, Entrypoint, Cmd, WorkingDir, User) and
 * its layers, lowest first, each with the digest of its uncompressed tar (diffID), which names its unpacked directory.
 */
public record Image(List<String> names, Digest manifest, Digest configDigest, JsonNode config, List<Layer> layers) {
  public record Layer(Digest digest, String mediaType, long size, Digest diffId) {}

  /** The image ID tools show: the config's digest. */
  public Digest id() {
    return configDigest;
  }

  /** Bytes of the stored (compressed) layers. */
  public long size() {
    return layers.stream().mapToLong(Layer::size).sum();
  }

  /** {@code config.config}, the part of the image config a runtime uses. */
  public JsonNode runtimeConfig() {
    return config.path("config");
  }
}
