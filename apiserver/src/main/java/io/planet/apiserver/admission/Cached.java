package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.selector.FieldSelector;
import io.planet.api.selector.LabelSelector;
import io.planet.apiserver.registry.ListOptions;
import java.util.List;

/** Reads plugins make on every write come from the watch cache (resourceVersion "0"), as upstream's informers. */
final class Cached {
  private static final ListOptions ANY = new ListOptions(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING, 0, "", "0", "",
      false, null, null);

  private Cached() {}

  static List<ObjectNode> list(StoreLookup stores, String plural, String namespace) {
    return list(stores, "", plural, namespace);
  }

  /** A v1 resource of {@code group}. */
  static List<ObjectNode> list(StoreLookup stores, String group, String plural, String namespace) {
    return stores.store(group, "v1", plural).list(namespace, ANY).items();
  }
}
