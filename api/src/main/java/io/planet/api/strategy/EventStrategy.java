package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.Meta;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events of core/v1 and events.k8s.io/v1 (one storage). Validation runs on the core form, so field paths use
 * core/v1 names for both, as upstream validates the internal type.
 */
public final class EventStrategy implements ResourceStrategy {
  static final int LENGTH_LIMIT = 128;
  static final int NOTE_LIMIT = 1024;

  private final boolean eventsGroup;

  public EventStrategy(boolean eventsGroup) {
    this.eventsGroup = eventsGroup;
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    ObjectNode event = EventConversion.isEventsV1(obj) || eventsGroup ? EventConversion.toCore(obj) : obj;
    legacy(event, eventsGroup ? "reportingController" : "reportingComponent", errors);
    if (!eventsGroup) return;
    // strict checks of events.k8s.io writes
    if (!Trees.has(event, "eventTime")) errors.add(Errors.required("eventTime"));
    String t = Trees.str(event, "type");
    if (!t.equals("Normal") && !t.equals("Warning")) errors.add(Errors.invalid("type", "", "has invalid value: " + t));
    if (Trees.has(event, "firstTimestamp")) errors.add(Errors.invalid("firstTimestamp", "", "needs to be unset"));
    if (Trees.has(event, "lastTimestamp")) errors.add(Errors.invalid("lastTimestamp", "", "needs to be unset"));
    if (Trees.num(event, "count", 0) != 0) errors.add(Errors.invalid("count", "", "needs to be unset"));
    ObjectNode source = Trees.obj(event, "source");
    if (!Trees.str(source, "component").isEmpty() || !Trees.str(source, "host").isEmpty()) {
      errors.add(Errors.invalid("source", "", "needs to be unset"));
    }
    ObjectNode series = Trees.obj(event, "series");
    if (series != null) {
      if (Trees.num(series, "count", 0) < 2) errors.add(Errors.invalid("series.count", "", "should be at least 2"));
      if (!Trees.has(series, "lastObservedTime")) errors.add(Errors.required("series.lastObservedTime"));
    }
  }

  private static void legacy(ObjectNode event, String reportingField, List<FieldError> errors) {
    String ns = Meta.namespace(event);
    String involvedNs = Trees.str(event.get("involvedObject"), "namespace");
    if (!Trees.has(event, "eventTime")) {
      if (involvedNs.isEmpty()) {
        if (!ns.isEmpty() && !ns.equals("default")) {
          errors.add(Errors.invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
        }
      } else if (!ns.equals(involvedNs)) {
        errors.add(Errors.invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
      }
    } else {
      if (involvedNs.isEmpty() && !ns.equals("default") && !ns.equals("kube-system")) {
        errors.add(Errors.invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
      }
      String rc = Trees.str(event, "reportingComponent");
      if (rc.isEmpty()) errors.add(Errors.required(reportingField));
      else for (String m : Names.qualifiedName(rc)) errors.add(Errors.invalid(reportingField, rc, m));
      limit(event, "reportingInstance", LENGTH_LIMIT, true, errors);
      limit(event, "action", LENGTH_LIMIT, true, errors);
      limit(event, "reason", LENGTH_LIMIT, true, errors);
      limit(event, "message", NOTE_LIMIT, false, errors);
    }
    for (String m : Names.dns1123Subdomain(ns)) errors.add(Errors.invalid("namespace", ns, m));
  }

  private static void limit(ObjectNode event, String field, int max, boolean required, List<FieldError> errors) {
    String v = Trees.str(event, field);
    if (required && v.isEmpty()) errors.add(Errors.required(field));
    if (v.length() > max) errors.add(Errors.invalid(field, "", "can have at most " + max + " characters"));
  }

  @Override
  public void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old, List<FieldError> errors) {
    validate(type, obj, errors);
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode obj) {
    JsonNode event = EventConversion.isEventsV1(obj) || Trees.has(obj, "regarding") ? EventConversion.toCore(obj) : obj;
    JsonNode io = event.get("involvedObject");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("involvedObject.kind", Trees.str(io, "kind"));
    f.put("involvedObject.namespace", Trees.str(io, "namespace"));
    f.put("involvedObject.name", Trees.str(io, "name"));
    f.put("involvedObject.uid", Trees.str(io, "uid"));
    f.put("involvedObject.apiVersion", Trees.str(io, "apiVersion"));
    f.put("involvedObject.resourceVersion", Trees.str(io, "resourceVersion"));
    f.put("involvedObject.fieldPath", Trees.str(io, "fieldPath"));
    f.put("reason", Trees.str(event, "reason"));
    f.put("reportingComponent", Trees.str(event, "reportingComponent"));
    f.put("source", Trees.str(event.get("source"), "component"));
    f.put("type", Trees.str(event, "type"));
    return f;
  }
}
