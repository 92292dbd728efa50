package io.planet.apiserver.auth.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ApiException;
import io.planet.apiserver.auth.UserInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeRestrictionTest {
  private static final UserInfo N1 = NodeAuthorizerTest.N1;
  private static final UserInfo ADMIN = UserInfo.of("admin", List.of("system:masters"));
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final Map<String, ObjectNode> nodes = new HashMap<>();
  private final NodeRestriction restriction =
      new NodeRestriction((ns, name) -> pods.get(ns + "/" + name), nodes::get);

  NodeRestrictionTest() {
    pods.put("dev/mine", NodeGraphTest.pod("mine", "n1", ""));
    pods.put("dev/theirs", NodeGraphTest.pod("theirs", "n2", ""));
    nodes.put("n1", node("n1", "{}", "[]"));
  }

  private static ObjectNode node(String name, String labels, String taints) {
    return NodeGraphTest.json("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name
        + "\",\"uid\":\"node-uid-" + name + "\",\"labels\":" + labels + "},\"spec\":{\"taints\":" + taints + "}}");
  }

  private String refused(UserInfo user, String op, String group, String resource, String sub, String ns, String name,
      ObjectNode obj, ObjectNode old) {
    ApiException e = catchThrowableOfType(
        () -> restriction.admit(user, op, group, resource, sub, ns, name, obj, old), ApiException.class);
    assertThat(e).as("refused").isNotNull();
    assertThat(e.code()).isEqualTo(403);
    return e.getMessage();
  }

  private void admitted(UserInfo user, String op, String group, String resource, String sub, String ns, String name,
      ObjectNode obj, ObjectNode old) {
    assertThatCode(() -> restriction.admit(user, op, group, resource, sub, ns, name, obj, old)).doesNotThrowAnyException();
  }

  @Test
  void ownNodeOnlyAndNoTaintOrRestrictedLabelChanges() {
    ObjectNode n1 = nodes.get("n1");
    assertThat(refused(N1, "UPDATE", "", "nodes", "", "", "n2", node("n2", "{}", "[]"), node("n2", "{}", "[]")))
        .isEqualTo("nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
    assertThat(refused(N1, "DELETE", "", "nodes", "", "", "n2", null, node("n2", "{}", "[]")))
        .isEqualTo("nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
    admitted(N1, "UPDATE", "", "nodes", "status", "", "n1", n1.deepCopy(), n1);
    admitted(N1, "UPDATE", "", "nodes", "", "", "n1", node("n1", "{\"kubernetes.io/hostname\":\"h\","
        + "\"node.kubernetes.io/exclude-from-external-load-balancers\":\"\",\"example.com/rack\":\"r1\"}", "null"), n1);
    assertThat(refused(N1, "UPDATE", "", "nodes", "", "", "n1",
        node("n1", "{}", "[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]"), n1))
        .isEqualTo("nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints");
    assertThat(refused(N1, "UPDATE", "", "nodes", "", "", "n1", node("n1",
        "{\"node-restriction.kubernetes.io/pool\":\"a\",\"node-role.kubernetes.io/control-plane\":\"\"}", "[]"), n1))
        .isEqualTo("nodes \"n1\" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool, "
            + "node-role.kubernetes.io/control-plane");
    assertThat(refused(N1, "CREATE", "", "nodes", "", "", "", node("n1", "{\"x.k8s.io/a\":\"b\"}", "[]"), null))
        .isEqualTo("nodes \"n1\" is forbidden: node \"n1\" is not allowed to set the following labels: x.k8s.io/a");
    ObjectNode withConfig = node("n1", "{}", "[]");
    ((ObjectNode) withConfig.get("spec")).putObject("configSource").putObject("configMap").put("name", "x");
    assertThat(refused(N1, "UPDATE", "", "nodes", "", "", "n1", withConfig, n1)).isEqualTo(
        "nodes \"n1\" is forbidden: node \"n1\" is not allowed to update configSource to a new non-nil configSource");
    // others are not restricted
    admitted(ADMIN, "UPDATE", "", "nodes", "", "", "n2", node("n2", "{}", "[{\"key\":\"k\"}]"), node("n2", "{}", "[]"));
  }

  @Test
  void podsBoundToItself() {
    assertThat(refused(N1, "DELETE", "", "pods", "", "dev", "theirs", null, pods.get("dev/theirs")))
        .isEqualTo("pods \"theirs\" is forbidden: node \"n1\" can only delete pods with spec.nodeName set to itself");
    admitted(N1, "DELETE", "", "pods", "", "dev", "mine", null, pods.get("dev/mine"));
    ApiException gone = catchThrowableOfType(
        () -> restriction.admit(N1, "DELETE", "", "pods", "", "dev", "gone", null, null), ApiException.class);
    assertThat(gone.code()).isEqualTo(404);
    assertThat(refused(N1, "UPDATE", "", "pods", "status", "dev", "theirs", pods.get("dev/theirs"), pods.get("dev/theirs")))
        .isEqualTo("pods \"theirs\" is forbidden: node \"n1\" can only update pod status for pods with spec.nodeName "
            + "set to itself");
    admitted(N1, "UPDATE", "", "pods", "status", "dev", "mine", pods.get("dev/mine"), pods.get("dev/mine"));
    ObjectNode relabelled = pods.get("dev/mine").deepCopy();
    ((ObjectNode) relabelled.get("metadata")).putObject("labels").put("a", "b");
    assertThat(refused(N1, "UPDATE", "", "pods", "status", "dev", "mine", relabelled, pods.get("dev/mine")))
        .isEqualTo("pods \"mine\" is forbidden: node \"n1\" cannot update labels through pod status");
    ObjectNode eviction = NodeGraphTest.json("{\"kind\":\"Eviction\",\"metadata\":{\"name\":\"theirs\"}}");
    assertThat(refused(N1, "CREATE", "", "pods", "eviction", "dev", "theirs", eviction, null))
        .isEqualTo("pods \"theirs\" is forbidden: node n1 can only evict pods with spec.nodeName set to itself");
    admitted(N1, "CREATE", "", "pods", "eviction", "dev", "mine", eviction, null);
    assertThat(refused(N1, "UPDATE", "", "pods", "", "dev", "mine", pods.get("dev/mine"), pods.get("dev/mine")))
        .isEqualTo("pods \"mine\" is forbidden: unexpected operation \"UPDATE\", node \"n1\" can only create and delete "
            + "mirror pods");
    assertThat(refused(N1, "CREATE", "", "pods", "binding", "dev", "mine", NodeGraphTest.json("{}"), null))
        .isEqualTo("pods \"mine\" is forbidden: unexpected pod subresource \"binding\", only 'status' and 'eviction' "
            + "are allowed");
  }

  @Test
  void onlyMirrorPodsOwnedByItself() {
    assertThat(refused(N1, "CREATE", "", "pods", "", "dev", "", NodeGraphTest.pod("p", "n1", ""), null))
        .isEqualTo("pods \"p\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"n1\" "
            + "can only create mirror pods");
    ObjectNode mirror = mirrorPod("n1", "node-uid-n1", "");
    admitted(N1, "CREATE", "", "pods", "", "dev", "", mirror, null);
    assertThat(refused(N1, "CREATE", "", "pods", "", "dev", "", mirrorPod("n2", "node-uid-n1", ""), null))
        .isEqualTo("pods \"static\" is forbidden: node \"n1\" can only create pods with spec.nodeName set to itself");
    assertThat(refused(N1, "CREATE", "", "pods", "", "dev", "", mirrorPod("n1", "other-uid", ""), null))
        .isEqualTo("pods \"static\" is forbidden: node n1 UID mismatch: expected other-uid got node-uid-n1");
    assertThat(refused(N1, "CREATE", "", "pods", "", "dev", "", mirrorPod("n1", "node-uid-n1",
        NodeGraphTest.secretVolume("s")), null))
        .isEqualTo("pods \"static\" is forbidden: node \"n1\" can not create pods that reference secrets");
    ObjectNode unowned = mirrorPod("n1", "node-uid-n1", "");
    ((ObjectNode) unowned.get("metadata")).remove("ownerReferences");
    assertThat(refused(N1, "CREATE", "", "pods", "", "dev", "", unowned, null))
        .isEqualTo("pods \"static\" is forbidden: node \"n1\" can only create pods with an owner reference set to itself");
  }

  private static ObjectNode mirrorPod(String nodeName, String ownerUid, String spec) {
    ObjectNode p = NodeGraphTest.pod("static", nodeName, spec);
    ObjectNode meta = (ObjectNode) p.get("metadata");
    meta.putObject("annotations").put(PodReferences.MIRROR_ANNOTATION, "hash");
    meta.putArray("ownerReferences").addObject().put("apiVersion", "v1").put("kind", "Node").put("name", "n1")
        .put("uid", ownerUid).put("controller", true);
    return p;
  }

  @Test
  void ownLeaseOnly() {
    ObjectNode lease = NodeGraphTest.json("{\"metadata\":{\"name\":\"n1\",\"namespace\":\"kube-node-lease\"}}");
    admitted(N1, "CREATE", "coordination.k8s.io", "leases", "", "kube-node-lease", "", lease, null);
    admitted(N1, "UPDATE", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1", lease, lease);
    ObjectNode other = NodeGraphTest.json("{\"metadata\":{\"name\":\"n2\",\"namespace\":\"kube-node-lease\"}}");
    assertThat(refused(N1, "UPDATE", "coordination.k8s.io", "leases", "", "kube-node-lease", "n2", other, other))
        .isEqualTo("leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease with the same name as "
            + "the requesting node");
    assertThat(refused(N1, "CREATE", "coordination.k8s.io", "leases", "", "default", "", lease, null))
        .isEqualTo("leases.coordination.k8s.io \"n1\" is forbidden: can only access leases in the \"kube-node-lease\" "
            + "system namespace");
  }

  @Test
  void tokensOnlyBoundToItsPods() {
    String request = "{\"kind\":\"TokenRequest\",\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
        + "\"name\":\"%s\",\"uid\":\"%s\"}}}";
    admitted(N1, "CREATE", "", "serviceaccounts", "token", "dev", "default",
        NodeGraphTest.json(request.formatted("mine", "uid-mine")), null);
    assertThat(refused(N1, "CREATE", "", "serviceaccounts", "token", "dev", "default",
        NodeGraphTest.json(request.formatted("theirs", "uid-theirs")), null)).isEqualTo(
        "serviceaccounts \"default\" is forbidden: node requested token bound to a pod scheduled on a different node");
    assertThat(refused(N1, "CREATE", "", "serviceaccounts", "token", "dev", "default",
        NodeGraphTest.json("{\"spec\":{}}"), null))
        .isEqualTo("serviceaccounts \"default\" is forbidden: node requested token not bound to a pod");
  }

  @Test
  void claimsOnlyThroughTheirStatus() {
    ObjectNode pvc = NodeGraphTest.json("{\"metadata\":{\"name\":\"data\",\"namespace\":\"dev\",\"resourceVersion\":\"5\"},"
        + "\"spec\":{\"volumeName\":\"pv1\"},\"status\":{\"phase\":\"Bound\"}}");
    ObjectNode resized = pvc.deepCopy();
    ((ObjectNode) resized.get("status")).putObject("capacity").put("storage", "2Gi");
    admitted(N1, "UPDATE", "", "persistentvolumeclaims", "status", "dev", "data", resized, pvc);
    ObjectNode rebound = pvc.deepCopy();
    ((ObjectNode) rebound.get("spec")).put("volumeName", "pv2");
    assertThat(refused(N1, "UPDATE", "", "persistentvolumeclaims", "status", "dev", "data", rebound, pvc))
        .startsWith("persistentvolumeclaims \"data\" is forbidden: node \"n1\" is not allowed to update fields other "
            + "than status.capacity and status.conditions: spec.volumeName");
    assertThat(refused(N1, "DELETE", "", "persistentvolumeclaims", "", "dev", "data", null, pvc))
        .isEqualTo("persistentvolumeclaims \"data\" is forbidden: may only update PVC status");
  }

  @Test
  void otherResourcesAndUsersPass() {
    admitted(N1, "CREATE", "", "events", "", "dev", "", NodeGraphTest.json("{\"metadata\":{\"name\":\"e\"}}"), null);
    admitted(ADMIN, "DELETE", "", "pods", "", "dev", "theirs", null, pods.get("dev/theirs"));
    assertThat(refused(UserInfo.of("system:node:", List.of("system:nodes")), "DELETE", "", "pods", "", "dev", "mine",
        null, pods.get("dev/mine")))
        .isEqualTo("pods \"mine\" is forbidden: could not determine node from user \"system:node:\"");
  }
}
