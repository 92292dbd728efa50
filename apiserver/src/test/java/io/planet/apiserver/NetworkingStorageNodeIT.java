package io.planet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.apiserver.testing.ApiClient;
import io.planet.apiserver.testing.ApiClient.Response;
import io.planet.apiserver.testing.TestApiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * networking.k8s.io, storage.k8s.io and node.k8s.io served as upstream: discovery, CRUD, tables, protobuf, OpenAPI,
 * 422s with upstream's messages, and the RuntimeClass, DefaultIngressClass and DefaultStorageClass admission plugins.
 */
class NetworkingStorageNodeIT {
  private static final Map<String, String> TABLE = Map.of("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io");
  static TestApiServer server;
  static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    server = new TestApiServer();
    api = server.client();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  private static JsonNode resource(String groupVersion, String name) {
    for (JsonNode r : api.get("/apis/" + groupVersion).body().path("resources")) {
      if (r.path("name").asText().equals(name)) return r;
    }
    throw new AssertionError(name + " not in /apis/" + groupVersion);
  }

  private static List<String> texts(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void discoveryListsTheGroupsWithVerbsAndShortNames() {
    List<String> groups = new ArrayList<>();
    api.get("/apis").body().path("groups").forEach(g -> groups.add(g.path("name").asText()));
    assertThat(groups).contains("networking.k8s.io", "storage.k8s.io", "node.k8s.io");

    JsonNode ing = resource("networking.k8s.io/v1", "ingresses");
    assertThat(ing.path("namespaced").asBoolean()).isTrue();
    assertThat(ing.path("kind").asText()).isEqualTo("Ingress");
    assertThat(texts(ing.path("shortNames"))).containsExactly("ing");
    assertThat(texts(ing.path("verbs"))).contains("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    assertThat(resource("networking.k8s.io/v1", "ingresses/status").path("verbs").size()).isPositive();
    assertThat(texts(resource("networking.k8s.io/v1", "networkpolicies").path("shortNames"))).containsExactly("netpol");
    assertThat(resource("networking.k8s.io/v1", "ingressclasses").path("namespaced").asBoolean()).isFalse();
    assertThat(texts(resource("storage.k8s.io/v1", "storageclasses").path("shortNames"))).containsExactly("sc");
    assertThat(resource("storage.k8s.io/v1", "csistoragecapacities").path("namespaced").asBoolean()).isTrue();
    for (String r : List.of("csidrivers", "csinodes", "volumeattachments", "volumeattachments/status")) resource("storage.k8s.io/v1", r);
    assertThat(resource("node.k8s.io/v1", "runtimeclasses").path("namespaced").asBoolean()).isFalse();
  }

  @Test
  void ingressCrudTableStatusAndProtobuf() {
    Response created = api.post("/apis/networking.k8s.io/v1/namespaces/default/ingresses", """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web"},
         "spec":{"ingressClassName":"nginx","rules":[{"host":"example.com","http":{"paths":[
           {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}""");
    assertThat(created.code()).isEqualTo(201);
    assertThat(created.body().at("/metadata/generation").asInt()).isEqualTo(1);

    Response status = api.put("/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status",
        created.body().deepCopy().<com.fasterxml.jackson.databind.node.ObjectNode>require()
            .set("status", io.planet.api.Json.parse("{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0.5\"}]}}")).toString());
    assertThat(status.code()).isEqualTo(200);

    JsonNode table = api.send("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", null, null, TABLE).body();
    List<String> columns = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns).containsExactly("Name", "Class", "Hosts", "Address", "Ports", "Age");
    assertThat(table.at("/rows/0/cells/1").asText()).isEqualTo("nginx");
    assertThat(table.at("/rows/0/cells/2").asText()).isEqualTo("example.com");
    assertThat(table.at("/rows/0/cells/3").asText()).isEqualTo("10.0.0.5");

    // what client-go based clients send for built-in kinds
    Response proto = api.send("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web", null, null,
        Map.of("Accept", "application/vnd.kubernetes.protobuf, application/json"));
    assertThat(proto.code()).isEqualTo(200);

    Response invalid = api.post("/apis/networking.k8s.io/v1/namespaces/default/ingresses", """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bad"},
         "spec":{"rules":[{"http":{"paths":[{"path":"/","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}""");
    assertThat(invalid.code()).isEqualTo(422);
    assertThat(invalid.body().path("message").asText()).isEqualTo("Ingress.networking.k8s.io \"bad\" is invalid: "
        + "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified");

    assertThat(api.delete("/apis/networking.k8s.io/v1/namespaces/default/ingresses/web").code()).isEqualTo(200);
  }

  @Test
  void networkPolicyStorageClassCsiDriverDefaults() {
    JsonNode np = api.create("/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", """
        {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny"},
         "spec":{"podSelector":{},"egress":[{"ports":[{"port":53}]}]}}""");
    assertThat(np.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\",\"Egress\"]");
    assertThat(np.at("/spec/egress/0/ports/0/protocol").asText()).isEqualTo("TCP");
    JsonNode npTable = api.send("GET", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/deny", null, null, TABLE).body();
    assertThat(npTable.at("/rows/0/cells/1").asText()).isEqualTo("<none>");

    JsonNode sc = api.create("/apis/storage.k8s.io/v1/storageclasses", """
        {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"it-local"},
         "provisioner":"kubernetes.io/no-provisioner","volumeBindingMode":"WaitForFirstConsumer"}""");
    assertThat(sc.path("reclaimPolicy").asText()).isEqualTo("Delete");
    JsonNode scTable = api.send("GET", "/apis/storage.k8s.io/v1/storageclasses/it-local", null, null, TABLE).body();
    assertThat(texts(scTable.at("/rows/0/cells")).subList(0, 5))
        .containsExactly("it-local", "kubernetes.io/no-provisioner", "Delete", "WaitForFirstConsumer", "false");
    Response changed = api.patch("/apis/storage.k8s.io/v1/storageclasses/it-local", "application/merge-patch+json",
        "{\"provisioner\":\"example.com/other\"}");
    assertThat(changed.code()).isEqualTo(422);
    assertThat(changed.body().path("message").asText()).isEqualTo(
        "StorageClass.storage.k8s.io \"it-local\" is invalid: provisioner: Forbidden: updates to provisioner are forbidden.");

    JsonNode driver = api.create("/apis/storage.k8s.io/v1/csidrivers", """
        {"apiVersion":"storage.k8s.io/v1","kind":"CSIDriver","metadata":{"name":"csi.it.example.com"},"spec":{}}""");
    assertThat(driver.at("/spec/attachRequired").asBoolean()).isTrue();
    assertThat(driver.at("/spec/volumeLifecycleModes").toString()).isEqualTo("[\"Persistent\"]");
    assertThat(driver.at("/spec/fsGroupPolicy").asText()).isEqualTo("ReadWriteOnceWithFSType");
    JsonNode driverTable = api.send("GET", "/apis/storage.k8s.io/v1/csidrivers/csi.it.example.com", null, null, TABLE).body();
    assertThat(texts(driverTable.at("/rows/0/cells")).subList(0, 7))
        .containsExactly("csi.it.example.com", "true", "false", "false", "<unset>", "false", "Persistent");
    api.create("/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities", """
        {"apiVersion":"storage.k8s.io/v1","kind":"CSIStorageCapacity","metadata":{"name":"cap"},
         "storageClassName":"it-local","capacity":"10Gi"}""");
    JsonNode capTable = api.send("GET", "/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities", null, null, TABLE).body();
    assertThat(texts(capTable.at("/rows/0/cells"))).containsExactly("cap", "it-local", "10Gi");

    Response rcBad = api.post("/apis/node.k8s.io/v1/runtimeclasses", """
        {"apiVersion":"node.k8s.io/v1","kind":"RuntimeClass","metadata":{"name":"bad"},"handler":"Not_A_Label"}""");
    assertThat(rcBad.code()).isEqualTo(422);
    assertThat(rcBad.body().at("/details/causes/0/field").asText()).isEqualTo("handler");
  }

  private static String pod(String name, String extraSpec) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
         "spec":{%s"containers":[{"name":"c","image":"busybox"}]}}""".formatted(name, extraSpec);
  }

  @Test
  void runtimeClassAdmission() {
    api.create("/apis/node.k8s.io/v1/runtimeclasses", """
        {"apiVersion":"node.k8s.io/v1","kind":"RuntimeClass","metadata":{"name":"it-sandboxed"},"handler":"runsc",
         "overhead":{"podFixed":{"cpu":"250m","memory":"64Mi"}},
         "scheduling":{"nodeSelector":{"sandbox":"gvisor"},
           "tolerations":[{"key":"sandbox","operator":"Equal","value":"gvisor","effect":"NoSchedule"}]}}""");
    JsonNode table = api.send("GET", "/apis/node.k8s.io/v1/runtimeclasses/it-sandboxed", null, null, TABLE).body();
    assertThat(table.at("/rows/0/cells/1").asText()).isEqualTo("runsc");

    Response unknown = api.post("/api/v1/namespaces/default/pods", pod("rc-unknown", "\"runtimeClassName\":\"nope\","));
    assertThat(unknown.code()).isEqualTo(403);
    assertThat(unknown.body().path("message").asText())
        .isEqualTo("pods \"rc-unknown\" is forbidden: pod rejected: RuntimeClass \"nope\" not found");

    Response ok = api.post("/api/v1/namespaces/default/pods",
        pod("rc-ok", "\"runtimeClassName\":\"it-sandboxed\",\"nodeSelector\":{\"disk\":\"ssd\"},"));
    assertThat(ok.code()).isEqualTo(201);
    JsonNode spec = ok.body().path("spec");
    assertThat(spec.at("/overhead/cpu").asText()).isEqualTo("250m");
    assertThat(spec.at("/overhead/memory").asText()).isEqualTo("64Mi");
    assertThat(spec.path("nodeSelector").toString()).isEqualTo("{\"disk\":\"ssd\",\"sandbox\":\"gvisor\"}");
    assertThat(spec.path("tolerations").toString()).contains("\"key\":\"sandbox\"", "node.kubernetes.io/not-ready");

    Response conflict = api.post("/api/v1/namespaces/default/pods",
        pod("rc-conflict", "\"runtimeClassName\":\"it-sandboxed\",\"nodeSelector\":{\"sandbox\":\"kata\"},"));
    assertThat(conflict.code()).isEqualTo(403);
    assertThat(conflict.body().path("message").asText()).isEqualTo("pods \"rc-conflict\" is forbidden: conflict: "
        + "runtimeClass.scheduling.nodeSelector[sandbox] = gvisor; pod.spec.nodeSelector[sandbox] = kata");

    Response overhead = api.post("/api/v1/namespaces/default/pods",
        pod("rc-overhead", "\"runtimeClassName\":\"it-sandboxed\",\"overhead\":{\"cpu\":\"1\"},"));
    assertThat(overhead.code()).isEqualTo(403);
    assertThat(overhead.body().path("message").asText())
        .isEqualTo("pods \"rc-overhead\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    Response sameOverhead = api.post("/api/v1/namespaces/default/pods",
        pod("rc-same", "\"runtimeClassName\":\"it-sandboxed\",\"overhead\":{\"cpu\":\"0.25\",\"memory\":\"64Mi\"},"));
    assertThat(sameOverhead.code()).isEqualTo(201);

    Response noClass = api.post("/api/v1/namespaces/default/pods", pod("rc-none", "\"overhead\":{\"cpu\":\"1\"},"));
    assertThat(noClass.code()).isEqualTo(403);
    assertThat(noClass.body().path("message").asText())
        .isEqualTo("pods \"rc-none\" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead");
  }

  @Test
  void defaultIngressClassAndStorageClass() {
    api.create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"defaults\"}}");
    String ingress = """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"%s"%s},
         "spec":{"defaultBackend":{"service":{"name":"web","port":{"name":"http"}}}}}""";
    // no default class yet: nothing set
    assertThat(api.create("/apis/networking.k8s.io/v1/namespaces/defaults/ingresses", ingress.formatted("before", ""))
        .at("/spec/ingressClassName").isMissingNode()).isTrue();
    api.create("/apis/networking.k8s.io/v1/ingressclasses", """
        {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"it-default",
          "annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}},"spec":{"controller":"example.com/ingress"}}""");
    int[] n = {0};
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        api.create("/apis/networking.k8s.io/v1/namespaces/defaults/ingresses", ingress.formatted("after-" + n[0]++, ""))
            .at("/spec/ingressClassName").asText()).isEqualTo("it-default"));
    // the deprecated annotation counts as a class
    assertThat(api.create("/apis/networking.k8s.io/v1/namespaces/defaults/ingresses",
        ingress.formatted("annotated", ",\"annotations\":{\"kubernetes.io/ingress.class\":\"nginx\"}"))
        .at("/spec/ingressClassName").isMissingNode()).isTrue();
    JsonNode classTable = api.send("GET", "/apis/networking.k8s.io/v1/ingressclasses/it-default", null, null, TABLE).body();
    assertThat(classTable.at("/rows/0/cells/1").asText()).isEqualTo("example.com/ingress");

    String pvc = """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"%s"},
         "spec":{%s"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""";
    assertThat(api.create("/api/v1/namespaces/defaults/persistentvolumeclaims", pvc.formatted("before", ""))
        .at("/spec/storageClassName").isMissingNode()).isTrue();
    api.create("/apis/storage.k8s.io/v1/storageclasses", """
        {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"it-standard",
          "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"example.com/standard"}""");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        api.create("/api/v1/namespaces/defaults/persistentvolumeclaims", pvc.formatted("after-" + n[0]++, ""))
            .at("/spec/storageClassName").asText()).isEqualTo("it-standard"));
    // an explicit empty class means "no class" and stays
    assertThat(api.create("/api/v1/namespaces/defaults/persistentvolumeclaims",
        pvc.formatted("explicit", "\"storageClassName\":\"\",")).at("/spec/storageClassName").asText()).isEmpty();
    JsonNode scTable = api.send("GET", "/apis/storage.k8s.io/v1/storageclasses/it-standard", null, null, TABLE).body();
    assertThat(scTable.at("/rows/0/cells/0").asText()).isEqualTo("it-standard (default)");
    // clean the cluster-wide defaults so other tests on this server see none
    api.delete("/apis/storage.k8s.io/v1/storageclasses/it-standard");
    api.delete("/apis/networking.k8s.io/v1/ingressclasses/it-default");
  }

  @Test
  void openApiDescribesTheNewKinds() {
    JsonNode v2 = api.get("/openapi/v2").body();
    for (String def : List.of("io.k8s.api.networking.v1.Ingress", "io.k8s.api.networking.v1.NetworkPolicy",
        "io.k8s.api.storage.v1.StorageClass", "io.k8s.api.storage.v1.CSIDriver", "io.k8s.api.node.v1.RuntimeClass")) {
      assertThat(v2.path("definitions").has(def)).as(def).isTrue();
    }
    assertThat(v2.path("paths").has("/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}/status")).isTrue();
    JsonNode v3 = api.get("/openapi/v3/apis/networking.k8s.io/v1").body();
    assertThat(v3.at("/components/schemas").has("io.k8s.api.networking.v1.IngressSpec")).isTrue();
    assertThat(api.get("/openapi/v3").body().path("paths").has("apis/node.k8s.io/v1")).isTrue();
  }
}
