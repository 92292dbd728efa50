package io.planet.api.apply;

import io.planet.api.schema.Schema;
import io.planet.api.schema.Schema.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-built schemas of a mini Deployment (the real built-in schemas are filled elsewhere). */
final class MiniSchemas {
  private MiniSchemas() {}

  static Schema string() {
    return Schema.of(Type.STRING);
  }

  static Schema objectMeta() {
    return Schema.object("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("name", string());
      p.put("namespace", string());
      p.put("uid", string());
      p.put("resourceVersion", string());
      p.put("generation", Schema.of(Type.INTEGER));
      p.put("creationTimestamp", Schema.of(Type.TIME));
      p.put("labels", Schema.mapOf(string()));
      p.put("annotations", Schema.mapOf(string()));
      p.put("finalizers", Schema.arrayOf(string()).listType("set"));
      p.put("managedFields", Schema.arrayOf(Schema.of(Type.ANY)).listType("atomic"));
      return p;
    });
  }

  static Schema container() {
    Schema port = Schema.object("io.k8s.api.core.v1.ContainerPort", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("name", string());
      p.put("containerPort", Schema.of(Type.INTEGER));
      p.put("protocol", string());
      return p;
    });
    Schema env = Schema.object("io.k8s.api.core.v1.EnvVar", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("name", string());
      p.put("value", string());
      return p;
    });
    Schema resources = Schema.object("io.k8s.api.core.v1.ResourceRequirements", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("limits", Schema.mapOf(Schema.of(Type.QUANTITY)));
      p.put("requests", Schema.mapOf(Schema.of(Type.QUANTITY)));
      return p;
    });
    return Schema.object("io.k8s.api.core.v1.Container", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("name", string());
      p.put("image", string());
      p.put("args", Schema.arrayOf(string()));
      p.put("ports", Schema.arrayOf(port).listType("map").listMapKeys(List.of("containerPort", "protocol")));
      p.put("env", Schema.arrayOf(env).listType("map").listMapKeys(List.of("name")));
      p.put("resources", resources);
      return p;
    });
  }

  static Schema deployment() {
    Schema podSpec = Schema.object("io.k8s.api.core.v1.PodSpec", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("containers", Schema.arrayOf(container()).listType("map").listMapKeys(List.of("name")));
      p.put("nodeSelector", Schema.mapOf(string()).mapType("atomic"));
      return p;
    }).required(List.of("containers"));
    Schema template = Schema.object("io.k8s.api.core.v1.PodTemplateSpec", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("metadata", objectMeta());
      p.put("spec", podSpec);
      return p;
    });
    Schema selector = Schema.object("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("matchLabels", Schema.mapOf(string()));
      return p;
    }).mapType("atomic");
    Schema rollingUpdate = Schema.object("io.k8s.api.apps.v1.RollingUpdateDeployment", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("maxSurge", Schema.of(Type.INT_OR_STRING));
      p.put("maxUnavailable", Schema.of(Type.INT_OR_STRING));
      return p;
    });
    Schema strategy = Schema.object("io.k8s.api.apps.v1.DeploymentStrategy", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("type", string());
      p.put("rollingUpdate", rollingUpdate);
      return p;
    });
    Schema spec = Schema.object("io.k8s.api.apps.v1.DeploymentSpec", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("replicas", Schema.of(Type.INTEGER));
      p.put("selector", selector);
      p.put("strategy", strategy);
      p.put("template", template);
      return p;
    });
    Schema status = Schema.object("io.k8s.api.apps.v1.DeploymentStatus", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("replicas", Schema.of(Type.INTEGER));
      p.put("readyReplicas", Schema.of(Type.INTEGER));
      return p;
    });
    return Schema.object("io.k8s.api.apps.v1.Deployment", () -> {
      Map<String, Schema> p = new LinkedHashMap<>();
      p.put("apiVersion", string());
      p.put("kind", string());
      p.put("metadata", objectMeta());
      p.put("spec", spec);
      p.put("status", status);
      return p;
    });
  }
}
