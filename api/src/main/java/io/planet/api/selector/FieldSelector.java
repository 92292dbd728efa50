package io.planet.api.selector;

import io.planet.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A field selector ({@code a=b,c==d,e!=f}) over the fields a resource makes selectable. */
public final class FieldSelector {
  public record Requirement(String field, boolean equals, String value) {}

  public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  private final List<Requirement> requirements;

  private FieldSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  public static FieldSelector parse(String s) {
    if (s == null || s.isBlank()) return EVERYTHING;
    List<Requirement> reqs = new ArrayList<>();
    for (String term : s.split(",")) {
      String t = term.trim();
      int i;
      if ((i = t.indexOf("!=")) > 0) {
        reqs.add(new Requirement(t.substring(0, i).trim(), false, t.substring(i + 2).trim()));
      } else if ((i = t.indexOf("==")) > 0) {
        reqs.add(new Requirement(t.substring(0, i).trim(), true, t.substring(i + 2).trim()));
      } else if ((i = t.indexOf('=')) > 0) {
        reqs.add(new Requirement(t.substring(0, i).trim(), true, t.substring(i + 1).trim()));
      } else {
        throw ApiException.badRequest("invalid selector: '" + s + "'; can't understand '" + t + "'");
      }
    }
    return new FieldSelector(reqs);
  }

  public boolean matches(Map<String, String> fields) {
    for (Requirement r : requirements) {
      String v = fields.getOrDefault(r.field, "");
      if (r.equals != v.equals(r.value)) return false;
    }
    return true;
  }

  /** The value an "=" requirement pins for a field (e.g. metadata.name for a single-object watch), or null. */
  public String exactValue(String field) {
    for (Requirement r : requirements) if (r.equals && r.field.equals(field)) return r.value;
    return null;
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Requirement r : requirements) parts.add(r.field + (r.equals ? "=" : "!=") + r.value);
    return String.join(",", parts);
  }
}
