package io.planet.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Meta;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Upstream's getDefaultClass of the default IngressClass and StorageClass plugins: the newest marked class wins. */
final class DefaultClasses {
  private DefaultClasses() {}

  /**
   * The name of the newest class whose annotations pass {@code isDefault}, null when none; equal creation times are
   * ordered by name, descending for IngressClasses and ascending for StorageClasses (as upstream sorts them).
   */
  static String newest(List<ObjectNode> classes, Predicate<Map<String, String>> isDefault, boolean nameAscending) {
    Comparator<ObjectNode> byName = Comparator.comparing(Meta::name);
    if (!nameAscending) byName = byName.reversed();
    Comparator<ObjectNode> newest = Comparator.comparing(DefaultClasses::created);
    Comparator<ObjectNode> newestFirst = newest.reversed().thenComparing(byName);
    return classes.stream()
        .filter(c -> isDefault.test(Meta.annotations(c)))
        .sorted(newestFirst)
        .map(Meta::name)
        .findFirst().orElse(null);
  }

  private static Instant created(JsonNode obj) {
    Instant t = Meta.parseTime(obj.path("metadata").path("creationTimestamp").asText(""));
    return t == null ? Instant.EPOCH : t;
  }
}
