package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import io.planet.api.ResourceStrategy;
import io.planet.api.ResourceType;
import java.util.List;

/** autoscaling HorizontalPodAutoscaler, served as v2 (stored) and v1; the object arrives in the served version. */
public final class HorizontalPodAutoscalerStrategy implements ResourceStrategy {
  static final List<String> METRIC_TYPES = List.of("ContainerResource", "External", "Object", "Pods", "Resource");
  static final List<String> TARGET_TYPES = List.of("AverageValue", "Utilization", "Value");
  static final List<String> SELECT_POLICIES = List.of("Disabled", "Max", "Min");
  static final List<String> POLICY_TYPES = List.of("Percent", "Pods");

  @Override
  public void applyDefaults(ResourceType type, ObjectNode obj) {
    ObjectNode spec = Trees.with(obj, "spec");
    Trees.putIfAbsent(spec, "minReplicas", 1);
    if (type.version().equals("v1")) return;
    if (Trees.isEmpty(spec, "metrics")) {
      ObjectNode m = spec.putArray("metrics").addObject();
      m.put("type", "Resource");
      ObjectNode r = m.putObject("resource");
      r.put("name", "cpu");
      ObjectNode t = r.putObject("target");
      t.put("type", "Utilization");
      t.put("averageUtilization", HpaConversion.DEFAULT_CPU_UTILIZATION);
    }
    ObjectNode behavior = Trees.obj(spec, "behavior");
    if (behavior != null) {
      ObjectNode up = Trees.with(behavior, "scaleUp");
      Trees.putIfAbsent(up, "stabilizationWindowSeconds", 0);
      Trees.putIfAbsent(up, "selectPolicy", "Max");
      if (!up.hasNonNull("policies")) {
        ArrayNode p = up.putArray("policies");
        p.addObject().put("type", "Pods").put("value", 4).put("periodSeconds", 15);
        p.addObject().put("type", "Percent").put("value", 100).put("periodSeconds", 15);
      }
      ObjectNode down = Trees.with(behavior, "scaleDown");
      Trees.putIfAbsent(down, "stabilizationWindowSeconds", 300);
      Trees.putIfAbsent(down, "selectPolicy", "Max");
      if (!down.hasNonNull("policies")) {
        down.putArray("policies").addObject().put("type", "Percent").put("value", 100).put("periodSeconds", 15);
      }
    }
  }

  @Override
  public void validate(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    JsonNode spec = Trees.obj(obj, "spec");
    JsonNode ref = Trees.obj(spec, "scaleTargetRef");
    String kind = Trees.str(ref, "kind");
    String name = Trees.str(ref, "name");
    if (kind.isEmpty()) errors.add(Errors.required("spec.scaleTargetRef.kind"));
    else for (String m : Names.pathSegment(kind, false)) errors.add(Errors.invalid("spec.scaleTargetRef.kind", kind, m));
    if (name.isEmpty()) errors.add(Errors.required("spec.scaleTargetRef.name"));
    else for (String m : Names.pathSegment(name, false)) errors.add(Errors.invalid("spec.scaleTargetRef.name", name, m));
    long max = Trees.num(spec, "maxReplicas", 0);
    if (Trees.has(spec, "minReplicas") && spec.get("minReplicas").asLong() < 1) {
      errors.add(Errors.invalid("spec.minReplicas", spec.get("minReplicas").asLong(), "must be greater than or equal to 1"));
    }
    if (max < 1) errors.add(Errors.invalid("spec.maxReplicas", max, "must be greater than 0"));
    if (Trees.has(spec, "minReplicas") && max < spec.get("minReplicas").asLong()) {
      errors.add(Errors.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
    }
    if (type.version().equals("v1")) {
      if (Trees.has(spec, "targetCPUUtilizationPercentage") && spec.get("targetCPUUtilizationPercentage").asLong() < 1) {
        errors.add(Errors.invalid("spec.metrics[0].resource.target.averageUtilization",
            spec.get("targetCPUUtilizationPercentage").asLong(), "must be greater than 0"));
      }
      return;
    }
    List<ObjectNode> metrics = Trees.items(spec, "metrics");
    for (int i = 0; i < metrics.size(); i++) validateMetric(metrics.get(i), "spec.metrics[" + i + "]", errors);
    ObjectNode behavior = Trees.obj(spec, "behavior");
    if (behavior != null) {
      for (String dir : List.of("scaleUp", "scaleDown")) {
        ObjectNode rules = Trees.obj(behavior, dir);
        if (rules == null) continue;
        String p = "spec.behavior." + dir;
        long window = Trees.num(rules, "stabilizationWindowSeconds", 0);
        if (window < 0 || window > 3600) {
          errors.add(Errors.invalid(p + ".stabilizationWindowSeconds", window, window < 0
              ? "must be greater than or equal to zero" : "must be less than or equal to 3600"));
        }
        String sp = Trees.str(rules, "selectPolicy");
        if (!sp.isEmpty() && !SELECT_POLICIES.contains(sp)) errors.add(Errors.notSupported(p + ".selectPolicy", sp, SELECT_POLICIES));
        List<ObjectNode> policies = Trees.items(rules, "policies");
        if (policies.isEmpty() && !sp.equals("Disabled")) errors.add(Errors.required(p + ".policies", "must specify at least one Policy"));
        for (int i = 0; i < policies.size(); i++) {
          ObjectNode pol = policies.get(i);
          String pp = p + ".policies[" + i + "]";
          String pt = Trees.str(pol, "type");
          if (!POLICY_TYPES.contains(pt)) errors.add(Errors.notSupported(pp + ".type", pt, POLICY_TYPES));
          if (Trees.num(pol, "value", 0) <= 0) errors.add(Errors.invalid(pp + ".value", Trees.num(pol, "value", 0), "must be greater than zero"));
          long period = Trees.num(pol, "periodSeconds", 0);
          if (period <= 0) errors.add(Errors.invalid(pp + ".periodSeconds", period, "must be greater than zero"));
          else if (period > 1800) errors.add(Errors.invalid(pp + ".periodSeconds", period, "must be less than or equal to 1800"));
        }
      }
    }
  }

  private static void validateMetric(ObjectNode m, String path, List<FieldError> errors) {
    String type = Trees.str(m, "type");
    if (type.isEmpty()) {
      errors.add(Errors.required(path + ".type", "must specify a metric source type"));
      return;
    }
    if (!METRIC_TYPES.contains(type)) {
      errors.add(Errors.notSupported(path + ".type", type, METRIC_TYPES));
      return;
    }
    String key = Character.toLowerCase(type.charAt(0)) + type.substring(1);
    JsonNode source = Trees.obj(m, key);
    if (source == null) {
      errors.add(Errors.required(path + "." + key, "must populate information for the given metric source"));
      return;
    }
    if ((type.equals("Resource") || type.equals("ContainerResource")) && Trees.str(source, "name").isEmpty()) {
      errors.add(Errors.required(path + "." + key + ".name", "must specify a resource name"));
    }
    if (!type.equals("Resource") && !type.equals("ContainerResource") && Trees.str(source.get("metric"), "name").isEmpty()) {
      errors.add(Errors.required(path + "." + key + ".metric.name", "must specify a metric name"));
    }
    JsonNode target = source.get("target");
    String tp = path + "." + key + ".target";
    String tt = Trees.str(target, "type");
    if (tt.isEmpty()) errors.add(Errors.required(tp + ".type", "must specify a metric target type"));
    else if (!TARGET_TYPES.contains(tt)) errors.add(Errors.notSupported(tp + ".type", tt, TARGET_TYPES));
    if (Trees.has(target, "averageUtilization") && target.get("averageUtilization").asLong() < 1) {
      errors.add(Errors.invalid(tp + ".averageUtilization", target.get("averageUtilization").asLong(), "must be greater than 0"));
    }
    if (!Trees.has(target, "averageUtilization") && !Trees.has(target, "averageValue") && !Trees.has(target, "value")) {
      errors.add(Errors.required(tp + ".averageUtilization", "must set either a target raw value or a target utilization"));
    }
  }
}
