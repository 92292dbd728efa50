package io.planet.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.strategy.EventConversion;
import io.planet.api.strategy.HpaConversion;

/**
 * Converts objects between the versions of one resource (stored version ↔ served version). Most resources have a
 * single version and only need apiVersion rewritten; HorizontalPodAutoscaler (autoscaling/v1 ↔ v2) and Event
 * (core/v1 ↔ events.k8s.io/v1) change shape.
 */
public final class Conversions {
  private Conversions() {}

  /** Converts {@code obj} (any served version of {@code type}'s resource) to {@code target}'s version, in place or new. */
  public static ObjectNode convert(ObjectNode obj, ResourceType target) {
    String from = Json.str(obj, "apiVersion");
    String to = target.apiVersion();
    if (target.kind().equals("HorizontalPodAutoscaler") && target.group().equals("autoscaling") && !from.equals(to)) {
      if (to.equals("autoscaling/v1") && from.equals("autoscaling/v2")) return HpaConversion.toV1(obj);
      if (to.equals("autoscaling/v2") && from.equals("autoscaling/v1")) return HpaConversion.toV2(obj);
    }
    if (target.kind().equals("Event") && !from.equals(to)) {
      if (to.equals("events.k8s.io/v1") && from.equals("v1")) return EventConversion.toEventsV1(obj);
      if (to.equals("v1") && from.equals("events.k8s.io/v1")) return EventConversion.toCore(obj);
    }
    obj.put("apiVersion", to);
    obj.put("kind", target.kind());
    return obj;
  }
}
