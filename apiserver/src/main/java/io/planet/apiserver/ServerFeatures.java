package io.planet.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceRegistry;
import io.planet.apiserver.handlers.Features;
import io.planet.apiserver.storage.Storage;

/** The server's features wired to the api module's implementations (patches, tables, OpenAPI, protobuf, apply). */
final class ServerFeatures extends Features {
  private final ResourceRegistry registry;

  ServerFeatures(Storage storage, ResourceRegistry registry) {
    super(storage);
    this.registry = registry;
  }

  /** The OpenAPI document at /openapi/{path}, or null. */
  ObjectNode openApi(String path) {
    return null;
  }
}
