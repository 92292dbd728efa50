package io.planet.api.table;

import io.planet.api.ResourceType;
import java.util.HashMap;
import java.util.Map;

/** Picks the table printer for a served resource, as upstream wires a TableConvertor into each REST storage. */
public final class TablePrinters {
  /** Built-in printers by "group/Kind" ("Kind" for the core group). */
  private static final Map<String, TablePrinter> BUILTIN = new HashMap<>();

  static {
    CorePrinters.register(BUILTIN);
    WorkloadPrinters.register(BUILTIN);
    ClusterPrinters.register(BUILTIN);
    // events.k8s.io events are the same internal Event upstream, printed by the same printer
    BUILTIN.put("events.k8s.io/Event", BUILTIN.get("Event"));
  }

  private TablePrinters() {}

  /**
   * The printer for {@code type}: the CRD's printer columns for {@code type.version()} when it is a custom
   * resource, upstream's columns for a built-in kind, else the default NAME / CREATED AT table.
   */
  public static TablePrinter forType(ResourceType type) {
    if (type.crd() != null) return CustomResourcePrinter.forVersion(type.crd(), type.version());
    return forKind(type.group(), type.kind());
  }

  /** The printer for a built-in group and kind, or the default printer. */
  public static TablePrinter forKind(String group, String kind) {
    TablePrinter p = BUILTIN.get(group.isEmpty() ? kind : group + "/" + kind);
    return p != null ? p : DefaultPrinter.INSTANCE;
  }

  /** The default printer (upstream's rest.DefaultTableConvertor). */
  public static TablePrinter defaultPrinter() {
    return DefaultPrinter.INSTANCE;
  }
}
