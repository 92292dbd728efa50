package io.planet.api.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A printer made of independent columns; built with {@link #builder()}. */
final class ColumnPrinter implements TablePrinter {
  private final List<Column> columns;
  private final List<ObjectNode> definitions;

  private ColumnPrinter(List<Column> columns) {
    this.columns = List.copyOf(columns);
    this.definitions = columns.stream().map(Column::definition).toList();
  }

  static Builder builder() {
    return new Builder();
  }

  @Override
  public List<ObjectNode> columnDefinitions() {
    return definitions.stream().map(ObjectNode::deepCopy).toList();
  }

  @Override
  public List<Object> cells(ObjectNode obj, Instant now) {
    List<Object> cells = new ArrayList<>(columns.size());
    for (Column c : columns) cells.add(c.cell().of(obj, now));
    return cells;
  }

  static final class Builder {
    private final List<Column> columns = new ArrayList<>();

    /** The "Name" column every built-in table starts with. */
    Builder name() {
      return add(new Column("Name", "string", "name", SwaggerDocs.meta("name"), 0, (o, now) -> Cells.name(o)));
    }

    /** The "Age" column: time since creation, as HumanDuration prints it. */
    Builder age() {
      return add(new Column("Age", "string", "", SwaggerDocs.meta("creationTimestamp"), 0,
          (o, now) -> Cells.age(Cells.creationTimestamp(o), now)));
    }

    Builder column(String name, String type, String description, Function<ObjectNode, Object> cell) {
      return add(new Column(name, type, "", description, 0, (o, now) -> cell.apply(o)));
    }

    Builder timed(String name, String type, String description, Column.Cell cell) {
      return add(new Column(name, type, "", description, 0, cell));
    }

    /** A priority-1 column: only shown with {@code -o wide}. */
    Builder wide(String name, String type, String description, Function<ObjectNode, Object> cell) {
      return add(new Column(name, type, "", description, 1, (o, now) -> cell.apply(o)));
    }

    Builder add(Column c) {
      columns.add(c);
      return this;
    }

    TablePrinter build() {
      return new ColumnPrinter(columns);
    }
  }
}
