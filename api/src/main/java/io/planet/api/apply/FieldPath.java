package io.planet.api.apply;

import java.util.ArrayList;
import java.util.List;

/** A path from the object root to one field or list element, as upstream's {@code fieldpath.Path}. */
public record FieldPath(List<PathElement> elements) implements Comparable<FieldPath> {
  public FieldPath {
    elements = List.copyOf(elements);
  }

  public static FieldPath of(PathElement... elements) {
    return new FieldPath(List.of(elements));
  }

  /** A path of map fields, e.g. {@code FieldPath.fields("spec", "replicas")}. */
  public static FieldPath fields(String... names) {
    List<PathElement> l = new ArrayList<>();
    for (String n : names) l.add(PathElement.field(n));
    return new FieldPath(l);
  }

  public FieldPath child(PathElement pe) {
    List<PathElement> l = new ArrayList<>(elements);
    l.add(pe);
    return new FieldPath(l);
  }

  public int size() { return elements.size(); }
  public boolean isEmpty() { return elements.isEmpty(); }
  public PathElement last() { return elements.get(elements.size() - 1); }

  /** Upstream's Path.String(): {@code .spec.containers[name="c1"].image}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (PathElement pe : elements) b.append(pe);
    return b.toString();
  }

  @Override
  public int compareTo(FieldPath o) {
    int n = Math.min(elements.size(), o.elements.size());
    for (int i = 0; i < n; i++) {
      int c = elements.get(i).compareTo(o.elements.get(i));
      if (c != 0) return c;
    }
    return Integer.compare(elements.size(), o.elements.size());
  }
}
