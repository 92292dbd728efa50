package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.util.Iterator;
import java.util.Map;

/**
 * autoscaling/v2 ↔ autoscaling/v1 HorizontalPodAutoscaler (pkg/apis/autoscaling/v1/conversion.go). v1 has only
 * targetCPUUtilizationPercentage; everything else travels in annotations so that v2 → v1 → v2 loses nothing.
 */
public final class HpaConversion {
  private HpaConversion() {}

  public static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
  public static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
  public static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
  public static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
  static final int DEFAULT_CPU_UTILIZATION = 80;

  public static ObjectNode toV1(ObjectNode v2) {
    ObjectNode out = Json.object();
    out.put("apiVersion", "autoscaling/v1");
    out.put("kind", "HorizontalPodAutoscaler");
    ObjectNode meta = v2.has("metadata") ? (ObjectNode) v2.get("metadata").deepCopy() : Json.object();
    ObjectNode annotations = Trees.obj(meta, "annotations");
    if (annotations != null) {
      annotations.remove(java.util.List.of(METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR));
    }
    out.set("metadata", meta);
    ObjectNode spec = Trees.obj(v2, "spec");
    ObjectNode outSpec = out.putObject("spec");
    if (spec != null) {
      copy(spec, outSpec, "scaleTargetRef", "minReplicas", "maxReplicas");
      ArrayNode other = Json.array();
      boolean cpuSeen = false;
      for (ObjectNode m : Trees.items(spec, "metrics")) {
        JsonNode target = Json.at(m, "resource", "target");
        boolean cpu = Trees.str(m, "type").equals("Resource") && Trees.str(m.get("resource"), "name").equals("cpu");
        if (cpu && !cpuSeen) {
          cpuSeen = true;
          if (Trees.has(target, "averageUtilization")) outSpec.set("targetCPUUtilizationPercentage", target.get("averageUtilization").deepCopy());
        }
        if (cpu && Trees.has(target, "averageUtilization")) continue;
        other.add(metricSpecToV1(m));
      }
      if (!other.isEmpty()) Trees.with(meta, "annotations").put(METRICS, other.toString());
      if (spec.hasNonNull("behavior")) Trees.with(meta, "annotations").put(BEHAVIOR, behaviorToInternal(spec.get("behavior")).toString());
    }
    ObjectNode status = Trees.obj(v2, "status");
    if (status != null) {
      ObjectNode outStatus = out.putObject("status");
      copy(status, outStatus, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
      if (!outStatus.has("currentReplicas")) outStatus.put("currentReplicas", 0);
      if (!outStatus.has("desiredReplicas")) outStatus.put("desiredReplicas", 0);
      ArrayNode current = Json.array();
      for (ObjectNode m : Trees.items(status, "currentMetrics")) {
        JsonNode cur = Json.at(m, "resource", "current");
        if (Trees.str(m, "type").equals("Resource") && Trees.str(m.get("resource"), "name").equals("cpu")
            && Trees.has(cur, "averageUtilization")) {
          outStatus.set("currentCPUUtilizationPercentage", cur.get("averageUtilization").deepCopy());
        }
        current.add(metricStatusToV1(m));
      }
      if (!current.isEmpty()) Trees.with(meta, "annotations").put(CURRENT_METRICS, current.toString());
      ArrayNode conditions = Trees.array(status, "conditions");
      if (conditions != null && !conditions.isEmpty()) Trees.with(meta, "annotations").put(CONDITIONS, conditions.toString());
    }
    return out;
  }

  public static ObjectNode toV2(ObjectNode v1) {
    ObjectNode out = Json.object();
    out.put("apiVersion", "autoscaling/v2");
    out.put("kind", "HorizontalPodAutoscaler");
    ObjectNode meta = v1.has("metadata") ? (ObjectNode) v1.get("metadata").deepCopy() : Json.object();
    out.set("metadata", meta);
    ObjectNode annotations = Trees.obj(meta, "annotations");
    ObjectNode spec = Trees.obj(v1, "spec");
    ObjectNode outSpec = out.putObject("spec");
    if (spec != null) copy(spec, outSpec, "scaleTargetRef", "minReplicas", "maxReplicas");
    ArrayNode metrics = outSpec.putArray("metrics");
    JsonNode other = parse(annotations, METRICS);
    if (other != null && other.isArray()) for (JsonNode m : other) metrics.add(metricSpecToV2(m));
    if (spec != null && spec.hasNonNull("targetCPUUtilizationPercentage")) {
      metrics.add(cpuMetric(spec.get("targetCPUUtilizationPercentage").asInt()));
    }
    // v1's implicit default, made explicit
    if (metrics.isEmpty()) metrics.add(cpuMetric(DEFAULT_CPU_UTILIZATION));
    JsonNode behavior = parse(annotations, BEHAVIOR);
    if (behavior != null && behavior.isObject()) outSpec.set("behavior", behaviorFromInternal(behavior));
    ObjectNode status = Trees.obj(v1, "status");
    JsonNode currentMetrics = parse(annotations, CURRENT_METRICS);
    JsonNode conditions = parse(annotations, CONDITIONS);
    if (status != null || currentMetrics != null || conditions != null) {
      ObjectNode outStatus = out.putObject("status");
      if (status != null) copy(status, outStatus, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
      if (currentMetrics != null && currentMetrics.isArray()) {
        ArrayNode cm = outStatus.putArray("currentMetrics");
        for (JsonNode m : currentMetrics) cm.add(metricStatusToV2(m));
      } else if (status != null && status.hasNonNull("currentCPUUtilizationPercentage")) {
        ObjectNode m = outStatus.putArray("currentMetrics").addObject();
        m.put("type", "Resource");
        ObjectNode r = m.putObject("resource");
        r.put("name", "cpu");
        r.putObject("current").set("averageUtilization", status.get("currentCPUUtilizationPercentage").deepCopy());
      }
      if (conditions != null && conditions.isArray()) outStatus.set("conditions", conditions.deepCopy());
    }
    if (annotations != null) {
      annotations.remove(java.util.List.of(METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR));
      if (annotations.isEmpty()) meta.remove("annotations");
    }
    return out;
  }

  private static ObjectNode cpuMetric(int utilization) {
    ObjectNode m = Json.object();
    m.put("type", "Resource");
    ObjectNode r = m.putObject("resource");
    r.put("name", "cpu");
    ObjectNode t = r.putObject("target");
    t.put("type", "Utilization");
    t.put("averageUtilization", utilization);
    return m;
  }

  private static JsonNode parse(ObjectNode annotations, String key) {
    if (annotations == null || !annotations.hasNonNull(key)) return null;
    try {
      return Json.parse(annotations.get(key).asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void copy(JsonNode from, ObjectNode to, String... fields) {
    for (String f : fields) if (from.hasNonNull(f)) to.set(f, from.get(f).deepCopy());
  }

  // ---- metric specs: v2 {metric{name,selector}, target{type,value,averageValue,averageUtilization}} ↔ v1 flat fields

  static ObjectNode metricSpecToV1(JsonNode m) {
    ObjectNode out = Json.object();
    String type = Trees.str(m, "type");
    out.put("type", type);
    switch (type) {
      case "Resource", "ContainerResource" -> {
        String key = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode r = m.get(key);
        ObjectNode o = out.putObject(key);
        copy(r, o, "name", "container");
        JsonNode t = r == null ? null : r.get("target");
        if (Trees.has(t, "averageUtilization")) o.set("targetAverageUtilization", t.get("averageUtilization").deepCopy());
        if (Trees.has(t, "averageValue")) o.set("targetAverageValue", t.get("averageValue").deepCopy());
      }
      case "Pods" -> {
        JsonNode p = m.get("pods");
        ObjectNode o = out.putObject("pods");
        metricIdToV1(p, o, "selector");
        JsonNode t = p == null ? null : p.get("target");
        if (Trees.has(t, "averageValue")) o.set("targetAverageValue", t.get("averageValue").deepCopy());
      }
      case "Object" -> {
        JsonNode p = m.get("object");
        ObjectNode o = out.putObject("object");
        if (Trees.has(p, "describedObject")) o.set("target", p.get("describedObject").deepCopy());
        metricIdToV1(p, o, "selector");
        JsonNode t = p == null ? null : p.get("target");
        if (Trees.has(t, "value")) o.set("targetValue", t.get("value").deepCopy());
        if (Trees.has(t, "averageValue")) o.set("averageValue", t.get("averageValue").deepCopy());
      }
      case "External" -> {
        JsonNode p = m.get("external");
        ObjectNode o = out.putObject("external");
        metricIdToV1(p, o, "metricSelector");
        JsonNode t = p == null ? null : p.get("target");
        if (Trees.has(t, "value")) o.set("targetValue", t.get("value").deepCopy());
        if (Trees.has(t, "averageValue")) o.set("targetAverageValue", t.get("averageValue").deepCopy());
      }
      default -> { }
    }
    return out;
  }

  static ObjectNode metricSpecToV2(JsonNode m) {
    ObjectNode out = Json.object();
    String type = Trees.str(m, "type");
    out.put("type", type);
    switch (type) {
      case "Resource", "ContainerResource" -> {
        String key = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode r = m.get(key);
        ObjectNode o = out.putObject(key);
        copy(r, o, "name", "container");
        ObjectNode t = o.putObject("target");
        boolean util = Trees.has(r, "targetAverageUtilization");
        t.put("type", util ? "Utilization" : "AverageValue");
        if (util) t.set("averageUtilization", r.get("targetAverageUtilization").deepCopy());
        if (Trees.has(r, "targetAverageValue")) t.set("averageValue", r.get("targetAverageValue").deepCopy());
      }
      case "Pods" -> {
        JsonNode p = m.get("pods");
        ObjectNode o = out.putObject("pods");
        metricIdToV2(p, o, "selector");
        ObjectNode t = o.putObject("target");
        t.put("type", "AverageValue");
        if (Trees.has(p, "targetAverageValue")) t.set("averageValue", p.get("targetAverageValue").deepCopy());
      }
      case "Object" -> {
        JsonNode p = m.get("object");
        ObjectNode o = out.putObject("object");
        if (Trees.has(p, "target")) o.set("describedObject", p.get("target").deepCopy());
        metricIdToV2(p, o, "selector");
        ObjectNode t = o.putObject("target");
        boolean value = Trees.has(p, "targetValue");
        t.put("type", value ? "Value" : "AverageValue");
        if (value) t.set("value", p.get("targetValue").deepCopy());
        if (Trees.has(p, "averageValue")) t.set("averageValue", p.get("averageValue").deepCopy());
      }
      case "External" -> {
        JsonNode p = m.get("external");
        ObjectNode o = out.putObject("external");
        metricIdToV2(p, o, "metricSelector");
        ObjectNode t = o.putObject("target");
        boolean value = Trees.has(p, "targetValue");
        t.put("type", value ? "Value" : "AverageValue");
        if (value) t.set("value", p.get("targetValue").deepCopy());
        if (Trees.has(p, "targetAverageValue")) t.set("averageValue", p.get("targetAverageValue").deepCopy());
      }
      default -> { }
    }
    return out;
  }

  static ObjectNode metricStatusToV1(JsonNode m) {
    ObjectNode out = Json.object();
    String type = Trees.str(m, "type");
    out.put("type", type);
    switch (type) {
      case "Resource", "ContainerResource" -> {
        String key = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode r = m.get(key);
        ObjectNode o = out.putObject(key);
        copy(r, o, "name", "container");
        JsonNode c = r == null ? null : r.get("current");
        if (Trees.has(c, "averageUtilization")) o.set("currentAverageUtilization", c.get("averageUtilization").deepCopy());
        if (Trees.has(c, "averageValue")) o.set("currentAverageValue", c.get("averageValue").deepCopy());
      }
      case "Pods" -> {
        JsonNode p = m.get("pods");
        ObjectNode o = out.putObject("pods");
        metricIdToV1(p, o, "selector");
        JsonNode c = p == null ? null : p.get("current");
        if (Trees.has(c, "averageValue")) o.set("currentAverageValue", c.get("averageValue").deepCopy());
      }
      case "Object" -> {
        JsonNode p = m.get("object");
        ObjectNode o = out.putObject("object");
        if (Trees.has(p, "describedObject")) o.set("target", p.get("describedObject").deepCopy());
        metricIdToV1(p, o, "selector");
        JsonNode c = p == null ? null : p.get("current");
        if (Trees.has(c, "value")) o.set("currentValue", c.get("value").deepCopy());
        if (Trees.has(c, "averageValue")) o.set("averageValue", c.get("averageValue").deepCopy());
      }
      case "External" -> {
        JsonNode p = m.get("external");
        ObjectNode o = out.putObject("external");
        metricIdToV1(p, o, "metricSelector");
        JsonNode c = p == null ? null : p.get("current");
        if (Trees.has(c, "value")) o.set("currentValue", c.get("value").deepCopy());
        if (Trees.has(c, "averageValue")) o.set("currentAverageValue", c.get("averageValue").deepCopy());
      }
      default -> { }
    }
    return out;
  }

  static ObjectNode metricStatusToV2(JsonNode m) {
    ObjectNode out = Json.object();
    String type = Trees.str(m, "type");
    out.put("type", type);
    switch (type) {
      case "Resource", "ContainerResource" -> {
        String key = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode r = m.get(key);
        ObjectNode o = out.putObject(key);
        copy(r, o, "name", "container");
        ObjectNode c = o.putObject("current");
        if (Trees.has(r, "currentAverageUtilization")) c.set("averageUtilization", r.get("currentAverageUtilization").deepCopy());
        if (Trees.has(r, "currentAverageValue")) c.set("averageValue", r.get("currentAverageValue").deepCopy());
      }
      case "Pods" -> {
        JsonNode p = m.get("pods");
        ObjectNode o = out.putObject("pods");
        metricIdToV2(p, o, "selector");
        ObjectNode c = o.putObject("current");
        if (Trees.has(p, "currentAverageValue")) c.set("averageValue", p.get("currentAverageValue").deepCopy());
      }
      case "Object" -> {
        JsonNode p = m.get("object");
        ObjectNode o = out.putObject("object");
        if (Trees.has(p, "target")) o.set("describedObject", p.get("target").deepCopy());
        metricIdToV2(p, o, "selector");
        ObjectNode c = o.putObject("current");
        if (Trees.has(p, "currentValue")) c.set("value", p.get("currentValue").deepCopy());
        if (Trees.has(p, "averageValue")) c.set("averageValue", p.get("averageValue").deepCopy());
      }
      case "External" -> {
        JsonNode p = m.get("external");
        ObjectNode o = out.putObject("external");
        metricIdToV2(p, o, "metricSelector");
        ObjectNode c = o.putObject("current");
        if (Trees.has(p, "currentValue")) c.set("value", p.get("currentValue").deepCopy());
        if (Trees.has(p, "currentAverageValue")) c.set("averageValue", p.get("currentAverageValue").deepCopy());
      }
      default -> { }
    }
    return out;
  }

  private static void metricIdToV1(JsonNode v2, ObjectNode v1, String selectorField) {
    JsonNode metric = v2 == null ? null : v2.get("metric");
    if (Trees.has(metric, "name")) v1.set("metricName", metric.get("name").deepCopy());
    if (Trees.has(metric, "selector")) v1.set(selectorField, metric.get("selector").deepCopy());
  }

  private static void metricIdToV2(JsonNode v1, ObjectNode v2, String selectorField) {
    ObjectNode metric = v2.putObject("metric");
    if (Trees.has(v1, "metricName")) metric.set("name", v1.get("metricName").deepCopy());
    if (Trees.has(v1, selectorField)) metric.set("selector", v1.get(selectorField).deepCopy());
  }

  // ---- behavior: upstream stores the internal Go struct, whose JSON uses Go field names

  private static final Map<String, String> BEHAVIOR_FIELDS = Map.of("scaleUp", "ScaleUp", "scaleDown", "ScaleDown",
      "stabilizationWindowSeconds", "StabilizationWindowSeconds", "selectPolicy", "SelectPolicy",
      "policies", "Policies", "type", "Type", "value", "Value", "periodSeconds", "PeriodSeconds",
      "tolerance", "Tolerance");

  static JsonNode behaviorToInternal(JsonNode b) {
    return renameDeep(b, BEHAVIOR_FIELDS);
  }

  static JsonNode behaviorFromInternal(JsonNode b) {
    Map<String, String> back = new java.util.HashMap<>();
    BEHAVIOR_FIELDS.forEach((k, v) -> back.put(v, k));
    return renameDeep(b, back);
  }

  private static JsonNode renameDeep(JsonNode n, Map<String, String> names) {
    if (n.isObject()) {
      ObjectNode out = Json.object();
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) continue;
        out.set(names.getOrDefault(e.getKey(), e.getKey()), renameDeep(e.getValue(), names));
      }
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = Json.array();
      for (JsonNode e : n) out.add(renameDeep(e, names));
      return out;
    }
    return n.deepCopy();
  }
}
