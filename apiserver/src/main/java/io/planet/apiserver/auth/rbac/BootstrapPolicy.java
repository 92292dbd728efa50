package io.planet.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.apiserver.registry.Store;
import io.planet.apiserver.registry.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's default ClusterRoles and ClusterRoleBindings (data in bootstrap-policy.yaml), created at API server
 * start when missing. Existing objects are left as they are (upstream also reconciles autoupdate roles by adding
 * missing rules; not done here).
 */
public final class BootstrapPolicy {
  public static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
  public static final String BOOTSTRAPPING = "kubernetes.io/bootstrapping";
  private static final String RBAC_V1 = "rbac.authorization.k8s.io/v1";

  private final List<ObjectNode> clusterRoles = new ArrayList<>();
  private final List<ObjectNode> clusterRoleBindings = new ArrayList<>();
  private final List<ObjectNode> roles = new ArrayList<>();
  private final List<ObjectNode> roleBindings = new ArrayList<>();

  private BootstrapPolicy() {}

  /** The policy from the bundled data. */
  public static BootstrapPolicy load() {
    try (InputStream in = BootstrapPolicy.class.getResourceAsStream("bootstrap-policy.yaml")) {
      if (in == null) throw new IllegalStateException("bootstrap-policy.yaml is missing from the class path");
      return parse(Json.YAML.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BootstrapPolicy parse(JsonNode doc) {
    BootstrapPolicy p = new BootstrapPolicy();
    JsonNode verbSets = doc.path("verbSets");
    for (JsonNode r : doc.path("clusterRoles")) p.clusterRoles.add(clusterRole(r, verbSets));
    for (JsonNode b : doc.path("clusterRoleBindings")) p.clusterRoleBindings.add(clusterRoleBinding(b));
    for (JsonNode r : doc.path("roles")) p.roles.add(namespaced(clusterRole(r, verbSets), "Role", r));
    for (JsonNode b : doc.path("roleBindings")) p.roleBindings.add(namespaced(clusterRoleBinding(b), "RoleBinding", b));
    return p;
  }

  public List<ObjectNode> clusterRoles() {
    return clusterRoles;
  }

  public List<ObjectNode> clusterRoleBindings() {
    return clusterRoleBindings;
  }

  public List<ObjectNode> roles() {
    return roles;
  }

  public List<ObjectNode> roleBindings() {
    return roleBindings;
  }

  /** A Role or RoleBinding from the cluster-scoped form: kind, namespace, and a binding's roleRef kind Role. */
  private static ObjectNode namespaced(ObjectNode o, String kind, JsonNode data) {
    o.put("kind", kind);
    ((ObjectNode) o.get("metadata")).put("namespace", data.path("namespace").asText());
    if (o.has("roleRef")) ((ObjectNode) o.get("roleRef")).put("kind", "Role");
    o.remove("aggregationRule");
    return o;
  }

  private static ObjectNode envelope(String kind, String name, JsonNode labels) {
    ObjectNode o = Json.object();
    o.put("apiVersion", RBAC_V1);
    o.put("kind", kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    ObjectNode l = meta.putObject("labels");
    l.put(BOOTSTRAPPING, "rbac-defaults");
    if (labels != null && labels.isObject()) l.setAll((ObjectNode) labels);
    meta.putObject("annotations").put(AUTOUPDATE, "true");
    return o;
  }

  private static ObjectNode clusterRole(JsonNode r, JsonNode verbSets) {
    ObjectNode o = envelope("ClusterRole", r.path("name").asText(), r.get("labels"));
    String aggregateFrom = r.path("aggregateFrom").asText("");
    if (!aggregateFrom.isEmpty()) {
      o.putObject("aggregationRule").putArray("clusterRoleSelectors").addObject()
          .putObject("matchLabels").put(aggregateFrom, "true");
    }
    ArrayNode rules = o.putArray("rules");
    for (JsonNode rule : r.path("rules")) {
      ObjectNode out = rules.addObject();
      JsonNode verbs = rule.path("v").isTextual() ? verbSets.path(rule.path("v").asText()) : rule.path("v");
      if (!verbs.isArray()) throw new IllegalStateException("unknown verb set " + rule.path("v") + " in " + r.path("name"));
      out.set("verbs", verbs.deepCopy());
      copy(rule, "g", out, "apiGroups");
      copy(rule, "r", out, "resources");
      copy(rule, "n", out, "resourceNames");
      copy(rule, "u", out, "nonResourceURLs");
    }
    return o;
  }

  private static void copy(JsonNode from, String key, ObjectNode to, String field) {
    if (from.path(key).isArray()) to.set(field, from.get(key).deepCopy());
  }

  private static ObjectNode clusterRoleBinding(JsonNode b) {
    ObjectNode o = envelope("ClusterRoleBinding", b.path("name").asText(), null);
    ObjectNode ref = o.putObject("roleRef");
    ref.put("apiGroup", "rbac.authorization.k8s.io");
    ref.put("kind", "ClusterRole");
    ref.put("name", b.path("role").asText());
    ArrayNode subjects = o.putArray("subjects");
    for (JsonNode s : b.path("subjects")) {
      String[] p = s.asText().split(":", 2);
      ObjectNode subject = subjects.addObject();
      subject.put("kind", p[0]);
      if (p[0].equals(Subject.SERVICE_ACCOUNT)) {
        String[] nsName = p[1].split(":", 2);
        subject.put("name", nsName[1]);
        subject.put("namespace", nsName[0]);
      } else {
        subject.put("apiGroup", "rbac.authorization.k8s.io");
        subject.put("name", p[1]);
      }
    }
    return o;
  }

  /** Creates every cluster role and binding that does not exist yet. */
  public void ensure(Store clusterRoleStore, Store clusterRoleBindingStore) {
    for (ObjectNode r : clusterRoles) createIfAbsent(clusterRoleStore, r);
    for (ObjectNode b : clusterRoleBindings) createIfAbsent(clusterRoleBindingStore, b);
  }

  /** Creates every role and binding, cluster-scoped and namespaced, that does not exist yet. */
  public void ensure(Store clusterRoleStore, Store clusterRoleBindingStore, Store roleStore, Store roleBindingStore) {
    ensure(clusterRoleStore, clusterRoleBindingStore);
    for (ObjectNode r : roles) createIfAbsent(roleStore, r);
    for (ObjectNode b : roleBindings) createIfAbsent(roleBindingStore, b);
  }

  private static void createIfAbsent(Store store, ObjectNode obj) {
    String name = obj.path("metadata").path("name").asText();
    String namespace = obj.path("metadata").path("namespace").asText("");
    try {
      store.get(namespace, name);
      return;
    } catch (ApiException e) {
      if (e.code() != 404) throw e;
    }
    try {
      store.create(namespace, obj.deepCopy(), WriteOptions.DEFAULT.withManager("kube-apiserver"));
    } catch (ApiException e) {
      if (!e.reason().equals("AlreadyExists")) throw e;
    }
  }
}
