package io.planet.node.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A container's environment as the kubelet builds it: envFrom sources first, then env in order, values expanded with
 * the variables defined before them, valueFrom read from the pod (fieldRef), its resources (resourceFieldRef), or
 * ConfigMaps and Secrets through the API. A missing non-optional source is a {@link ConfigError}
 * (the container waits with CreateContainerConfigError).
 */
final class EnvResolver {
  private final KubernetesClient client;

  EnvResolver(KubernetesClient client) {
    this.client = client;
  }

  static final class ConfigError extends Exception {
    ConfigError(String message) {
      super(message);
    }
  }

  Map<String, String> resolve(Pod pod, Container c, String podIp, String hostIp, Map<String, String> serviceEnv)
      throws ConfigError {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>(serviceEnv);
    if (c.getEnvFrom() != null) {
      for (EnvFromSource from : c.getEnvFrom()) {
        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
        if (from.getConfigMapRef() != null) {
          ConfigMap cm = client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
          if (cm == null) {
            if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) continue;
            throw new ConfigError("configmap \"" + from.getConfigMapRef().getName() + "\" not found");
          }
          if (cm.getData() != null) cm.getData().forEach((k, v) -> env.put(prefix + k, v));
        }
        if (from.getSecretRef() != null) {
          Secret s = client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
          if (s == null) {
            if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) continue;
            throw new ConfigError("secret \"" + from.getSecretRef().getName() + "\" not found");
          }
          if (s.getData() != null) s.getData().forEach((k, v) -> env.put(prefix + k, decode(v)));
        }
      }
    }
    if (c.getEnv() != null) {
      for (EnvVar v : c.getEnv()) {
        if (v.getValueFrom() == null) {
          env.put(v.getName(), Expansion.expand(v.getValue() == null ? "" : v.getValue(), env));
        } else {
          String value = valueFrom(pod, c, v.getValueFrom(), podIp, hostIp);
          if (value != null) env.put(v.getName(), value);
        }
      }
    }
    return env;
  }

  private String valueFrom(Pod pod, Container c, EnvVarSource from, String podIp, String hostIp) throws ConfigError {
    String ns = pod.getMetadata().getNamespace();
    if (from.getFieldRef() != null) return field(pod, from.getFieldRef().getFieldPath(), podIp, hostIp);
    if (from.getResourceFieldRef() != null) {
      var ref = from.getResourceFieldRef();
      return resource(c, ref.getResource(), ref.getDivisor());
    }
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
      String value = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new ConfigError(cm == null ? "configmap \"" + ref.getName() + "\" not found"
            : "couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
      }
      return value;
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
      String value = s == null || s.getData() == null || s.getData().get(ref.getKey()) == null ? null
          : decode(s.getData().get(ref.getKey()));
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new ConfigError(s == null ? "secret \"" + ref.getName() + "\" not found"
            : "couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
      }
      return value;
    }
    return "";
  }

  static String field(Pod pod, String path, String podIp, String hostIp) throws ConfigError {
    var meta = pod.getMetadata();
    switch (path) {
      case "metadata.name": return meta.getName();
      case "metadata.namespace": return meta.getNamespace();
      case "metadata.uid": return meta.getUid();
      case "spec.nodeName": return pod.getSpec().getNodeName();
      case "spec.serviceAccountName": return pod.getSpec().getServiceAccountName();
      case "status.podIP": case "status.podIPs": return podIp == null ? "" : podIp;
      case "status.hostIP": case "status.hostIPs": return hostIp == null ? "" : hostIp;
      default:
        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
          String k = path.substring("metadata.labels['".length(), path.length() - 2);
          return meta.getLabels() == null ? "" : meta.getLabels().getOrDefault(k, "");
        }
        if (path.startsWith("metadata.annotations['") && path.endsWith("']")) {
          String k = path.substring("metadata.annotations['".length(), path.length() - 2);
          return meta.getAnnotations() == null ? "" : meta.getAnnotations().getOrDefault(k, "");
        }
        throw new ConfigError("unsupported fieldPath: " + path);
    }
  }

  /** limits.cpu etc. divided by the divisor and rounded up, as upstream; an unset limit reads as the node's capacity. */
  static String resource(Container c, String resource, Quantity divisor) {
    String[] parts = resource.split("\\.", 2);
    Map<String, Quantity> from = c.getResources() == null ? null
        : parts[0].equals("limits") ? c.getResources().getLimits() : c.getResources().getRequests();
    Quantity q = from == null ? null : from.get(parts[1]);
    BigDecimal amount;
    if (q != null) {
      amount = Quantity.getAmountInBytes(q);
    } else if (parts[1].equals("cpu")) {
      amount = BigDecimal.valueOf(parts[0].equals("limits") ? Runtime.getRuntime().availableProcessors() : 0);
    } else {
      amount = BigDecimal.ZERO;
    }
    BigDecimal d = divisor == null ? BigDecimal.ONE : Quantity.getAmountInBytes(divisor);
    if (d.signum() == 0) d = BigDecimal.ONE;
    return amount.divide(d, 0, RoundingMode.CEILING).toPlainString();
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
