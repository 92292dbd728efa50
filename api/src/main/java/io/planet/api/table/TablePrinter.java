package io.planet.api.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Turns objects of one kind into rows of a {@code meta.k8s.io/v1 Table}, like upstream's TableConvertor. The server
 * prints every column (upstream generates tables with {@code Wide: true}); clients hide priority &gt; 0 columns
 * unless asked for {@code -o wide}.
 */
public interface TablePrinter {

  /** Each {@code {name, type, format, description, priority}}. */
  List<ObjectNode> columnDefinitions();

  /** One cell per column definition: String, Long/Integer, Double, Boolean or null. */
  List<Object> cells(ObjectNode obj, Instant now);

  /** Row conditions ({@code {type, status, reason, message}}), e.g. "Completed" for finished pods. */
  default List<ObjectNode> rowConditions(ObjectNode obj) {
    return List.of();
  }
}
