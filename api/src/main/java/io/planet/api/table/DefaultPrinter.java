package io.planet.api.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Upstream's rest.DefaultTableConvertor, used by kinds without a printer (roles, limit ranges, CRDs, ...): the name
 * and the creation time as an RFC 3339 "date" cell, which clients show as is.
 */
final class DefaultPrinter implements TablePrinter {
  static final DefaultPrinter INSTANCE = new DefaultPrinter();

  /** Go's zero time, which the default convertor prints for an object without a creation timestamp. */
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private static final List<ObjectNode> COLUMNS = List.of(
      new Column("Name", "string", "name", SwaggerDocs.meta("name"), 0, null).definition(),
      new Column("Created At", "date", "", SwaggerDocs.meta("creationTimestamp"), 0, null).definition());

  private DefaultPrinter() {}

  @Override
  public List<ObjectNode> columnDefinitions() {
    return COLUMNS.stream().map(ObjectNode::deepCopy).toList();
  }

  @Override
  public List<Object> cells(ObjectNode obj, Instant now) {
    Instant created = Cells.creationTimestamp(obj);
    return Arrays.asList(Meta.name(obj), created == null ? ZERO_TIME : Meta.timestamp(created));
  }
}
