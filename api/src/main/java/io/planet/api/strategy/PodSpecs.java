package io.planet.api.strategy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.FieldError;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pod spec rules shared by pods and every pod template (deployments, jobs, ...): upstream's SetDefaults_PodSpec,
 * SetDefaults_Container and friends (pkg/apis/core/v1/defaults.go) and ValidatePodSpec's common checks.
 */
public final class PodSpecs {
  private PodSpecs() {}

  static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  static final List<String> DNS_POLICIES = List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None");
  static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
  static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
  static final List<String> MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");
  static final List<String> TOLERATION_OPERATORS = List.of("Equal", "Exists");
  static final List<String> TAINT_EFFECTS = List.of("NoExecute", "NoSchedule", "PreferNoSchedule");
  static final int DEFAULT_MODE = 420;

  // ---- defaulting

  /** Defaults of a pod spec (pods and templates alike). */
  public static void applyDefaults(ObjectNode spec) {
    Trees.putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
    Trees.putIfAbsent(spec, "restartPolicy", "Always");
    Trees.objectIfAbsent(spec, "securityContext");
    Trees.putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
    Trees.putIfAbsent(spec, "schedulerName", "default-scheduler");
    boolean hostNetwork = Trees.bool(spec, "hostNetwork");
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      for (ObjectNode c : Trees.items(spec, list)) containerDefaults(c, hostNetwork);
    }
    for (ObjectNode v : Trees.items(spec, "volumes")) volumeDefaults(v);
  }

  /** SetDefaults_Pod: what only pods (not templates) get. */
  static void podOnlyDefaults(ObjectNode spec) {
    for (String list : List.of("initContainers", "containers")) {
      for (ObjectNode c : Trees.items(spec, list)) {
        ObjectNode res = Trees.obj(c, "resources");
        ObjectNode limits = Trees.obj(res, "limits");
        if (limits == null || limits.isEmpty()) continue;
        ObjectNode requests = Trees.with(res, "requests");
        limits.fields().forEachRemaining(e -> {
          if (!requests.has(e.getKey())) requests.set(e.getKey(), e.getValue().deepCopy());
        });
      }
    }
    Trees.putIfAbsent(spec, "enableServiceLinks", true);
  }

  private static void containerDefaults(ObjectNode c, boolean hostNetwork) {
    if (Trees.str(c, "imagePullPolicy").isEmpty()) {
      c.put("imagePullPolicy", "latest".equals(imageTag(Trees.str(c, "image"))) ? "Always" : "IfNotPresent");
    }
    Trees.putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
    Trees.putIfAbsent(c, "terminationMessagePolicy", "File");
    Trees.objectIfAbsent(c, "resources");
    for (ObjectNode p : Trees.items(c, "ports")) {
      Trees.putIfAbsent(p, "protocol", "TCP");
      if (hostNetwork && !Trees.has(p, "hostPort") && Trees.has(p, "containerPort")) p.set("hostPort", p.get("containerPort"));
    }
    for (ObjectNode e : Trees.items(c, "env")) {
      ObjectNode from = Trees.obj(e, "valueFrom");
      ObjectNode fieldRef = Trees.obj(from, "fieldRef");
      if (fieldRef != null) Trees.putIfAbsent(fieldRef, "apiVersion", "v1");
      ObjectNode resourceRef = Trees.obj(from, "resourceFieldRef");
      if (resourceRef != null) Trees.putIfAbsent(resourceRef, "divisor", "0");
    }
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      ObjectNode p = Trees.obj(c, probe);
      if (p == null) continue;
      Trees.putIfAbsent(p, "timeoutSeconds", 1);
      Trees.putIfAbsent(p, "periodSeconds", 10);
      Trees.putIfAbsent(p, "successThreshold", 1);
      Trees.putIfAbsent(p, "failureThreshold", 3);
      handlerDefaults(p);
    }
    ObjectNode lifecycle = Trees.obj(c, "lifecycle");
    if (lifecycle != null) {
      for (String hook : List.of("postStart", "preStop")) {
        ObjectNode h = Trees.obj(lifecycle, hook);
        if (h != null) handlerDefaults(h);
      }
    }
  }

  private static void handlerDefaults(ObjectNode handler) {
    ObjectNode http = Trees.obj(handler, "httpGet");
    if (http != null) {
      Trees.putIfAbsent(http, "path", "/");
      Trees.putIfAbsent(http, "scheme", "HTTP");
    }
    ObjectNode grpc = Trees.obj(handler, "grpc");
    if (grpc != null && !grpc.has("service")) grpc.put("service", "");
  }

  private static final List<String> VOLUME_SOURCES = List.of("hostPath", "emptyDir", "gcePersistentDisk",
      "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd",
      "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume",
      "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
      "ephemeral", "image");

  private static void volumeDefaults(ObjectNode v) {
    boolean any = false;
    for (String s : VOLUME_SOURCES) any |= Trees.has(v, s);
    if (!any) v.putObject("emptyDir");
    for (String s : List.of("secret", "configMap", "downwardAPI", "projected")) {
      ObjectNode src = Trees.obj(v, s);
      if (src != null) Trees.putIfAbsent(src, "defaultMode", DEFAULT_MODE);
    }
    ObjectNode hostPath = Trees.obj(v, "hostPath");
    if (hostPath != null && !hostPath.has("type")) hostPath.put("type", "");
    ObjectNode projected = Trees.obj(v, "projected");
    for (ObjectNode src : Trees.items(projected, "sources")) {
      ObjectNode sat = Trees.obj(src, "serviceAccountToken");
      if (sat != null) Trees.putIfAbsent(sat, "expirationSeconds", 3600);
      downwardItemsDefaults(Trees.obj(src, "downwardAPI"));
    }
    downwardItemsDefaults(Trees.obj(v, "downwardAPI"));
    ObjectNode ephemeral = Trees.obj(v, "ephemeral");
    ObjectNode claim = Trees.obj(Trees.obj(ephemeral, "volumeClaimTemplate"), "spec");
    if (claim != null) Trees.putIfAbsent(claim, "volumeMode", "Filesystem");
  }

  private static void downwardItemsDefaults(ObjectNode downward) {
    for (ObjectNode item : Trees.items(downward, "items")) {
      ObjectNode fieldRef = Trees.obj(item, "fieldRef");
      if (fieldRef != null) Trees.putIfAbsent(fieldRef, "apiVersion", "v1");
      ObjectNode resourceRef = Trees.obj(item, "resourceFieldRef");
      if (resourceRef != null) Trees.putIfAbsent(resourceRef, "divisor", "0");
    }
  }

  /** The tag of an image reference as docker's parser sees it ("latest" when neither tag nor digest). */
  static String imageTag(String image) {
    String ref = image;
    if (ref.contains("@")) return "";
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) return ref.substring(colon + 1);
    return "latest";
  }

  // ---- validation

  /** ValidatePodTemplateSpec: labels, annotations and spec of a template at {@code path}. */
  public static void validateTemplate(JsonNode template, String path, List<FieldError> errors) {
    ObjectNode meta = Trees.obj(template, "metadata");
    MetadataValidation.validateLabels(Trees.obj(meta, "labels"), path + ".labels", errors);
    MetadataValidation.validateAnnotations(Trees.obj(meta, "annotations"), path + ".annotations", errors);
    ObjectNode spec = Trees.obj(template, "spec");
    validate(spec == null ? io.planet.api.Json.object() : spec, path + ".spec", errors);
    if (!Trees.isEmpty(spec, "ephemeralContainers")) {
      errors.add(Errors.forbidden(path + ".spec.ephemeralContainers", "ephemeral containers not allowed in pod template"));
    }
  }

  /** ValidatePodSpec's checks, at {@code path} ("spec" for pods). */
  public static void validate(ObjectNode spec, String path, List<FieldError> errors) {
    Set<String> volumes = validateVolumes(spec, path + ".volumes", errors);
    Set<String> containerNames = new HashSet<>();
    List<ObjectNode> containers = Trees.items(spec, "containers");
    if (containers.isEmpty()) errors.add(Errors.required(path + ".containers"));
    validateContainers(Trees.items(spec, "initContainers"), path + ".initContainers", volumes, containerNames, errors);
    validateContainers(containers, path + ".containers", volumes, containerNames, errors);
    validateContainers(Trees.items(spec, "ephemeralContainers"), path + ".ephemeralContainers", volumes, containerNames, errors);

    String restart = Trees.str(spec, "restartPolicy");
    if (restart.isEmpty()) errors.add(Errors.required(path + ".restartPolicy"));
    else if (!RESTART_POLICIES.contains(restart)) errors.add(Errors.notSupported(path + ".restartPolicy", restart, RESTART_POLICIES));
    String dns = Trees.str(spec, "dnsPolicy");
    if (dns.isEmpty()) errors.add(Errors.required(path + ".dnsPolicy"));
    else if (!DNS_POLICIES.contains(dns)) errors.add(Errors.notSupported(path + ".dnsPolicy", dns, DNS_POLICIES));
    else if (dns.equals("None") && !Trees.has(spec, "dnsConfig")) {
      errors.add(Errors.required(path + ".dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"));
    }
    MetadataValidation.validateLabels(Trees.obj(spec, "nodeSelector"), path + ".nodeSelector", errors);
    String sa = Trees.str(spec, "serviceAccountName");
    if (!sa.isEmpty()) for (String m : Names.dns1123Subdomain(sa)) errors.add(Errors.invalid(path + ".serviceAccountName", sa, m));
    String node = Trees.str(spec, "nodeName");
    if (!node.isEmpty()) for (String m : Names.dns1123Subdomain(node)) errors.add(Errors.invalid(path + ".nodeName", node, m));
    for (String f : List.of("hostname", "subdomain")) {
      String v = Trees.str(spec, f);
      if (!v.isEmpty()) for (String m : Names.dns1123Label(v)) errors.add(Errors.invalid(path + "." + f, v, m));
    }
    String pc = Trees.str(spec, "priorityClassName");
    if (!pc.isEmpty()) for (String m : Names.dns1123Subdomain(pc)) errors.add(Errors.invalid(path + ".priorityClassName", pc, m));
    if (Trees.has(spec, "activeDeadlineSeconds")) {
      long v = spec.get("activeDeadlineSeconds").asLong();
      if (v < 1 || v > Integer.MAX_VALUE) {
        errors.add(Errors.invalid(path + ".activeDeadlineSeconds", v, "must be between 1 and 2147483647, inclusive"));
      }
    }
    validateTolerations(Trees.array(spec, "tolerations"), path + ".tolerations", errors);
    PodSysctls.validate(spec, path, errors);
    EphemeralContainerValidation.validate(spec, path, errors);
  }

  private static Set<String> validateVolumes(ObjectNode spec, String path, List<FieldError> errors) {
    Set<String> names = new HashSet<>();
    List<ObjectNode> volumes = Trees.items(spec, "volumes");
    for (int i = 0; i < volumes.size(); i++) {
      ObjectNode v = volumes.get(i);
      String p = path + "[" + i + "]";
      String name = Trees.str(v, "name");
      if (name.isEmpty()) errors.add(Errors.required(p + ".name"));
      else for (String m : Names.dns1123Label(name)) errors.add(Errors.invalid(p + ".name", name, m));
      if (!name.isEmpty() && !names.add(name)) errors.add(Errors.duplicate(p + ".name", name));
      int sources = 0;
      for (String s : VOLUME_SOURCES) {
        if (!Trees.has(v, s)) continue;
        if (++sources > 1) {
          errors.add(Errors.forbidden(p + "." + s, "may not specify more than 1 volume type"));
          continue;
        }
        ObjectNode src = Trees.obj(v, s);
        switch (s) {
          case "secret" -> { if (Trees.str(src, "secretName").isEmpty()) errors.add(Errors.required(p + ".secret.secretName")); }
          case "configMap" -> { if (Trees.str(src, "name").isEmpty()) errors.add(Errors.required(p + ".configMap.name")); }
          case "persistentVolumeClaim" -> {
            if (Trees.str(src, "claimName").isEmpty()) errors.add(Errors.required(p + ".persistentVolumeClaim.claimName"));
          }
          case "hostPath" -> { if (Trees.str(src, "path").isEmpty()) errors.add(Errors.required(p + ".hostPath.path")); }
          default -> { }
        }
      }
      if (sources == 0) errors.add(Errors.required(p, "must specify a volume type"));
    }
    return names;
  }

  private static void validateContainers(List<ObjectNode> containers, String path, Set<String> volumes,
      Set<String> allNames, List<FieldError> errors) {
    for (int i = 0; i < containers.size(); i++) {
      ObjectNode c = containers.get(i);
      String p = path + "[" + i + "]";
      String name = Trees.str(c, "name");
      if (name.isEmpty()) errors.add(Errors.required(p + ".name"));
      else {
        for (String m : Names.dns1123Label(name)) errors.add(Errors.invalid(p + ".name", name, m));
        if (!allNames.add(name)) errors.add(Errors.duplicate(p + ".name", name));
      }
      String image = Trees.str(c, "image");
      if (image.isEmpty()) errors.add(Errors.required(p + ".image"));
      else if (!image.equals(image.strip())) {
        errors.add(Errors.invalid(p + ".image", image, "must not have leading or trailing whitespace"));
      }
      String pull = Trees.str(c, "imagePullPolicy");
      if (pull.isEmpty()) errors.add(Errors.required(p + ".imagePullPolicy"));
      else if (!PULL_POLICIES.contains(pull)) errors.add(Errors.notSupported(p + ".imagePullPolicy", pull, PULL_POLICIES));
      String tmp = Trees.str(c, "terminationMessagePolicy");
      if (tmp.isEmpty()) errors.add(Errors.required(p + ".terminationMessagePolicy", "must be 'File' or 'FallbackToLogsOnError'"));
      else if (!MESSAGE_POLICIES.contains(tmp)) {
        errors.add(Errors.invalid(p + ".terminationMessagePolicy", tmp, "must be 'File' or 'FallbackToLogsOnError'"));
      }
      validatePorts(Trees.items(c, "ports"), p + ".ports", errors);
      List<ObjectNode> env = Trees.items(c, "env");
      for (int j = 0; j < env.size(); j++) {
        if (Trees.str(env.get(j), "name").isEmpty()) errors.add(Errors.required(p + ".env[" + j + "].name"));
      }
      validateResources(Trees.obj(c, "resources"), p + ".resources", errors);
      validateMounts(Trees.items(c, "volumeMounts"), p + ".volumeMounts", volumes, errors);
      validateProbe(Trees.obj(c, "livenessProbe"), p + ".livenessProbe", true, errors);
      validateProbe(Trees.obj(c, "readinessProbe"), p + ".readinessProbe", false, errors);
      validateProbe(Trees.obj(c, "startupProbe"), p + ".startupProbe", true, errors);
    }
  }

  private static void validatePorts(List<ObjectNode> ports, String path, List<FieldError> errors) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      String p = path + "[" + i + "]";
      String name = Trees.str(port, "name");
      if (!name.isEmpty()) {
        for (String m : Names.portName(name)) errors.add(Errors.invalid(p + ".name", name, m));
        if (!names.add(name)) errors.add(Errors.duplicate(p + ".name", name));
      }
      long cp = Trees.num(port, "containerPort", 0);
      if (cp == 0) errors.add(Errors.required(p + ".containerPort"));
      else for (String m : Names.portNumber(cp)) errors.add(Errors.invalid(p + ".containerPort", cp, m));
      long hp = Trees.num(port, "hostPort", 0);
      if (hp != 0) for (String m : Names.portNumber(hp)) errors.add(Errors.invalid(p + ".hostPort", hp, m));
      String proto = Trees.str(port, "protocol");
      if (proto.isEmpty()) errors.add(Errors.required(p + ".protocol"));
      else if (!PROTOCOLS.contains(proto)) errors.add(Errors.notSupported(p + ".protocol", proto, PROTOCOLS));
    }
  }

  private static void validateResources(ObjectNode res, String path, List<FieldError> errors) {
    ObjectNode limits = Trees.obj(res, "limits");
    ObjectNode requests = Trees.obj(res, "requests");
    if (requests == null) return;
    requests.fields().forEachRemaining(e -> {
      BigDecimal req = Quantities.parse(e.getValue());
      JsonNode limNode = limits == null ? null : limits.get(e.getKey());
      BigDecimal lim = Quantities.parse(limNode);
      if (req != null && lim != null && req.compareTo(lim) > 0) {
        errors.add(Errors.invalid(path + ".requests[" + e.getKey() + "]", e.getValue().asText(),
            "must be less than or equal to " + e.getKey() + " limit of " + limNode.asText()));
      }
    });
  }

  private static void validateMounts(List<ObjectNode> mounts, String path, Set<String> volumes, List<FieldError> errors) {
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < mounts.size(); i++) {
      ObjectNode m = mounts.get(i);
      String p = path + "[" + i + "]";
      String name = Trees.str(m, "name");
      if (name.isEmpty()) errors.add(Errors.required(p + ".name"));
      else if (!volumes.contains(name)) errors.add(Errors.notFound(p + ".name", name));
      String mountPath = Trees.str(m, "mountPath");
      if (mountPath.isEmpty()) errors.add(Errors.required(p + ".mountPath"));
      else if (!paths.add(mountPath)) errors.add(Errors.invalid(p + ".mountPath", mountPath, "must be unique"));
      String subPath = Trees.str(m, "subPath");
      String subPathExpr = Trees.str(m, "subPathExpr");
      // upstream names these two at the list (volumeMounts.subPath), not at the item
      if (!subPath.isEmpty()) localDescendingPath(subPath, path + ".subPath", errors);
      if (!subPathExpr.isEmpty()) {
        if (!subPath.isEmpty()) {
          errors.add(Errors.invalid(p + ".subPathExpr", subPathExpr, "subPathExpr and subPath are mutually exclusive"));
        }
        localDescendingPath(subPathExpr, path + ".subPathExpr", errors);
      }
    }
  }

  /** Upstream's validateLocalDescendingPath: relative, without a ".." step. */
  static void localDescendingPath(String value, String path, List<FieldError> errors) {
    if (value.startsWith("/")) errors.add(Errors.invalid(path, value, "must be a relative path"));
    for (String step : value.split("/")) {
      if (step.equals("..")) {
        errors.add(Errors.invalid(path, value, "must not contain '..'"));
        break;
      }
    }
  }

  private static void validateProbe(ObjectNode probe, String path, boolean successMustBeOne, List<FieldError> errors) {
    if (probe == null) return;
    int handlers = 0;
    for (String h : List.of("exec", "httpGet", "tcpSocket", "grpc")) if (Trees.has(probe, h)) handlers++;
    if (handlers == 0) errors.add(Errors.required(path, "must specify a handler type"));
    else if (handlers > 1) errors.add(Errors.forbidden(path, "may not specify more than 1 handler type"));
    for (String f : List.of("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")) {
      Errors.nonNegative(probe, f, path + "." + f, errors);
    }
    if (successMustBeOne && Trees.num(probe, "successThreshold", 1) != 1) {
      errors.add(Errors.invalid(path + ".successThreshold", Trees.num(probe, "successThreshold", 1), "must be 1"));
    }
  }

  static void validateTolerations(ArrayNode tolerations, String path, List<FieldError> errors) {
    if (tolerations == null) return;
    for (int i = 0; i < tolerations.size(); i++) {
      JsonNode t = tolerations.get(i);
      String p = path + "[" + i + "]";
      String key = Trees.str(t, "key");
      String op = Trees.str(t, "operator");
      if (!key.isEmpty()) for (String m : Names.qualifiedName(key)) errors.add(Errors.invalid(p + ".key", key, m));
      if (key.isEmpty() && !op.equals("Exists")) {
        errors.add(Errors.invalid(p + ".operator", op,
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
      }
      if (Trees.has(t, "tolerationSeconds") && !Trees.str(t, "effect").equals("NoExecute")) {
        errors.add(Errors.invalid(p + ".effect", Trees.str(t, "effect"),
            "effect must be 'NoExecute' when `tolerationSeconds` is set"));
      }
      switch (op) {
        case "", "Equal" -> {
          for (String m : Names.labelValue(Trees.str(t, "value"))) errors.add(Errors.invalid(p + ".value", Trees.str(t, "value"), m));
        }
        case "Exists" -> {
          if (!Trees.str(t, "value").isEmpty()) {
            errors.add(Errors.invalid(p + ".operator", Trees.str(t, "value"), "value must be empty when `operator` is 'Exists'"));
          }
        }
        default -> errors.add(Errors.notSupported(p + ".operator", op, TOLERATION_OPERATORS));
      }
      String effect = Trees.str(t, "effect");
      if (!effect.isEmpty() && !TAINT_EFFECTS.contains(effect)) errors.add(Errors.notSupported(p + ".effect", effect, TAINT_EFFECTS));
    }
  }

  // ---- QoS

  /** GetPodQOS: BestEffort, Burstable or Guaranteed from the containers' cpu/memory requests and limits. */
  public static String qosClass(JsonNode spec) {
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    boolean guaranteed = true;
    List<ObjectNode> all = new java.util.ArrayList<>(Trees.items(spec, "containers"));
    all.addAll(Trees.items(spec, "initContainers"));
    for (ObjectNode c : all) {
      ObjectNode res = Trees.obj(c, "resources");
      sum(Trees.obj(res, "requests"), requests);
      Set<String> found = sum(Trees.obj(res, "limits"), limits);
      if (!found.contains("cpu") || !found.contains("memory")) guaranteed = false;
    }
    if (requests.isEmpty() && limits.isEmpty()) return "BestEffort";
    if (guaranteed) {
      for (Map.Entry<String, BigDecimal> e : requests.entrySet()) {
        BigDecimal lim = limits.get(e.getKey());
        if (lim == null || lim.compareTo(e.getValue()) != 0) {
          guaranteed = false;
          break;
        }
      }
    }
    return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
  }

  private static Set<String> sum(ObjectNode list, Map<String, BigDecimal> into) {
    Set<String> found = new HashSet<>();
    if (list == null) return found;
    list.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("cpu") && !e.getKey().equals("memory")) return;
      BigDecimal q = Quantities.parse(e.getValue());
      if (q != null && q.signum() > 0) {
        found.add(e.getKey());
        into.merge(e.getKey(), q, BigDecimal::add);
      }
    });
    return found;
  }
}
