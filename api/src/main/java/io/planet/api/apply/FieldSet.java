package io.planet.api.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A set of field paths, as structured-merge-diff's {@code fieldpath.Set}: at each level the elements that are
 * members themselves and the elements under which deeper paths continue. Serializes to and from upstream's FieldsV1
 * encoding ({@code {"f:spec":{"f:containers":{"k:{\"name\":\"c1\"}":{".":{},"f:image":{}}}}}}).
 *
 * <p>Set operations return new sets; only {@link #insert} mutates.
 */
public final class FieldSet {
  private final NavigableSet<PathElement> members = new TreeSet<>();
  /** Never holds an empty child set. */
  private final NavigableMap<PathElement, FieldSet> children = new TreeMap<>();

  public FieldSet() {}

  public static FieldSet of(FieldPath... paths) {
    FieldSet s = new FieldSet();
    for (FieldPath p : paths) s.insert(p);
    return s;
  }

  /** Every leaf field and list element mentioned in {@code obj}, as upstream's TypedValue.ToFieldSet. */
  public static FieldSet fromObject(JsonNode obj, Schema schema) {
    return ObjectFields.of(obj, schema, false);
  }

  /** Parses a FieldsV1 tree; unknown path-element prefixes are dropped as upstream does. */
  public static FieldSet fromJson(JsonNode fieldsV1) {
    if (fieldsV1 == null || fieldsV1.isNull()) return new FieldSet();
    if (!fieldsV1.isObject()) throw new IllegalArgumentException("FieldsV1 must be a JSON object");
    FieldSet s = new FieldSet();
    s.readV1(fieldsV1);
    return s;
  }

  public static FieldSet parse(String fieldsV1Json) {
    return fromJson(Json.parse(fieldsV1Json));
  }

  /** Reads the entries of one level; returns whether the level's own element is a member. */
  private boolean readV1(JsonNode node) {
    boolean self = false;
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals(".")) {
        self = true;
        continue;
      }
      PathElement pe = PathElement.parseFieldsV1(e.getKey());
      if (pe == null) continue;
      if (!e.getValue().isObject()) throw new IllegalArgumentException("FieldsV1 entry " + e.getKey() + " must be an object");
      FieldSet child = new FieldSet();
      boolean childIsMember = child.readV1(e.getValue());
      if (childIsMember) members.add(pe);
      if (!child.isEmpty()) children.put(pe, child);
    }
    // A level with nothing below it ({}) is a member itself.
    return self || isEmpty();
  }

  /** The FieldsV1 encoding, entries in upstream's order ("." first, then path elements sorted). */
  public ObjectNode toJson() {
    ObjectNode out = Json.object();
    emitV1(out);
    return out;
  }

  private void emitV1(ObjectNode out) {
    TreeSet<PathElement> all = new TreeSet<>(members);
    all.addAll(children.keySet());
    for (PathElement pe : all) {
      ObjectNode o = out.putObject(pe.toFieldsV1());
      FieldSet child = children.get(pe);
      if (child != null) {
        if (members.contains(pe)) o.putObject(".");
        child.emitV1(o);
      }
    }
  }

  public void insert(FieldPath path) {
    if (path.isEmpty()) return;
    FieldSet cur = this;
    List<PathElement> els = path.elements();
    for (int i = 0; i < els.size() - 1; i++) {
      cur = cur.children.computeIfAbsent(els.get(i), k -> new FieldSet());
    }
    cur.members.add(path.last());
  }

  /** Whether the exact path is a member. */
  public boolean has(FieldPath path) {
    if (path.isEmpty()) return false;
    FieldSet cur = this;
    List<PathElement> els = path.elements();
    for (int i = 0; i < els.size() - 1; i++) {
      cur = cur.children.get(els.get(i));
      if (cur == null) return false;
    }
    return cur.members.contains(path.last());
  }

  public boolean isEmpty() {
    return members.isEmpty() && children.isEmpty();
  }

  /** Elements that are members at this level. */
  public NavigableSet<PathElement> members() {
    return Collections.unmodifiableNavigableSet(members);
  }

  /** Sets of paths continuing under each element of this level. */
  public NavigableMap<PathElement, FieldSet> children() {
    return Collections.unmodifiableNavigableMap(children);
  }

  /** The paths under {@code pe}, relative to it (empty when none). */
  public FieldSet withPrefix(PathElement pe) {
    FieldSet c = children.get(pe);
    return c == null ? new FieldSet() : c;
  }

  public FieldSet copy() {
    FieldSet s = new FieldSet();
    s.members.addAll(members);
    children.forEach((k, v) -> s.children.put(k, v.copy()));
    return s;
  }

  public FieldSet union(FieldSet o) {
    FieldSet s = copy();
    s.members.addAll(o.members);
    o.children.forEach((k, v) -> {
      FieldSet mine = s.children.get(k);
      s.children.put(k, mine == null ? v.copy() : mine.union(v));
    });
    return s;
  }

  public FieldSet intersection(FieldSet o) {
    FieldSet s = new FieldSet();
    for (PathElement pe : members) if (o.members.contains(pe)) s.members.add(pe);
    children.forEach((k, v) -> {
      FieldSet theirs = o.children.get(k);
      if (theirs != null) {
        FieldSet i = v.intersection(theirs);
        if (!i.isEmpty()) s.children.put(k, i);
      }
    });
    return s;
  }

  /** Paths of this set that are not paths of {@code o} (a member of {@code o} does not remove deeper paths). */
  public FieldSet difference(FieldSet o) {
    return difference(o, false);
  }

  /** Like {@link #difference}, but a member of {@code o} also removes every path below it. */
  public FieldSet recursiveDifference(FieldSet o) {
    return difference(o, true);
  }

  private FieldSet difference(FieldSet o, boolean recursive) {
    FieldSet s = new FieldSet();
    for (PathElement pe : members) if (!o.members.contains(pe)) s.members.add(pe);
    children.forEach((k, v) -> {
      if (recursive && o.members.contains(k)) return;
      FieldSet theirs = o.children.get(k);
      FieldSet d = theirs == null ? v.copy() : v.difference(theirs, recursive);
      if (!d.isEmpty()) s.children.put(k, d);
    });
    return s;
  }

  /** Every member path: this level's members first, then each child's, as upstream's Set.Iterate. */
  public List<FieldPath> paths() {
    List<FieldPath> out = new ArrayList<>();
    collect(new ArrayList<>(), out);
    return out;
  }

  private void collect(List<PathElement> prefix, List<FieldPath> out) {
    for (PathElement pe : members) {
      List<PathElement> p = new ArrayList<>(prefix);
      p.add(pe);
      out.add(new FieldPath(p));
    }
    children.forEach((k, v) -> {
      prefix.add(k);
      v.collect(prefix, out);
      prefix.remove(prefix.size() - 1);
    });
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldSet s && members.equals(s.members) && children.equals(s.children);
  }

  @Override
  public int hashCode() {
    return members.hashCode() * 31 + children.hashCode();
  }

  /** The FieldsV1 JSON text. */
  @Override
  public String toString() {
    return toJson().toString();
  }
}
