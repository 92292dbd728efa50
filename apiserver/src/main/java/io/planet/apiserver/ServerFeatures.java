package io.planet.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceRegistry;
import io.planet.api.ResourceType;
import io.planet.api.proto.ProtobufCodec;
import io.planet.api.table.TablePrinters;
import io.planet.api.table.Tables;
import io.planet.apiserver.handlers.Features;
import io.planet.apiserver.storage.Storage;
import java.time.Instant;
import java.util.List;

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

  @Override
  protected ObjectNode decodeProtobuf(byte[] body) {
    return ProtobufCodec.decode(body);
  }

  @Override
  public ObjectNode table(ResourceType type, List<ObjectNode> items, String includeObject, boolean withColumns,
      String resourceVersion, String continueToken, Long remaining, Instant now) {
    return Tables.table(TablePrinters.forType(type), items, includeObject, withColumns, resourceVersion, continueToken,
        remaining, now);
  }
}
