package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorePrintersTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  static ObjectNode obj(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  private static List<Object> cells(String kind, String json) {
    return TablePrinters.forKind("", kind).cells(obj(json), NOW);
  }

  private static List<String> columns(String group, String kind) {
    return TablePrinters.forKind(group, kind).columnDefinitions().stream().map(c -> c.get("name").asText()).toList();
  }

  @Test
  void servicePortsAndIPs() {
    assertThat(columns("", "Service"))
        .containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
    List<Object> c = cells("Service", "{'metadata':{'name':'web','creationTimestamp':'2024-05-01T11:59:15Z'},"
        + "'spec':{'type':'NodePort','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],"
        + "'ports':[{'port':80,'protocol':'TCP'},{'port':443,'nodePort':30443,'protocol':'TCP'}],"
        + "'selector':{'tier':'web','app':'x'}}}");
    assertThat(c).containsExactly("web", "NodePort", "10.96.0.10", "<none>", "80/TCP,443:30443/TCP", "45s",
        "app=x,tier=web");
  }

  @Test
  void serviceExternalIPs() {
    assertThat(CorePrinters.externalIP(obj("{'spec':{'type':'LoadBalancer'}}"))).isEqualTo("<pending>");
    assertThat(CorePrinters.externalIP(obj("{'spec':{'type':'LoadBalancer'},'status':{'loadBalancer':{'ingress':"
        + "[{'ip':'1.2.3.4'},{'hostname':'lb.example.com'}]}}}"))).isEqualTo("1.2.3.4,lb.example.com");
    assertThat(CorePrinters.externalIP(obj("{'spec':{'type':'LoadBalancer','externalIPs':['5.6.7.8']},"
        + "'status':{'loadBalancer':{'ingress':[{'ip':'1.2.3.4'}]}}}"))).isEqualTo("1.2.3.4,5.6.7.8");
    assertThat(CorePrinters.externalIP(obj("{'spec':{'type':'ClusterIP','externalIPs':['5.6.7.8']}}")))
        .isEqualTo("5.6.7.8");
    assertThat(CorePrinters.externalIP(obj("{'spec':{'type':'ExternalName','externalName':'db.example.com'}}")))
        .isEqualTo("db.example.com");
    List<Object> headless = cells("Service", "{'metadata':{'name':'h'},'spec':{'type':'ClusterIP',"
        + "'clusterIPs':['None']}}");
    assertThat(headless.subList(2, 5)).containsExactly("None", "<none>", "<none>");
  }

  @Test
  void nodeStatusRolesAndWideColumns() {
    List<Object> c = cells("Node", "{'metadata':{'name':'n1','creationTimestamp':'2024-04-29T09:00:00Z',"
        + "'labels':{'node-role.kubernetes.io/control-plane':'','node-role.kubernetes.io/worker':'',"
        + "'kubernetes.io/role':'edge'}},'spec':{'unschedulable':true},'status':{'conditions':["
        + "{'type':'MemoryPressure','status':'False'},{'type':'Ready','status':'True'}],"
        + "'addresses':[{'type':'InternalIP','address':'192.168.1.10'}],"
        + "'nodeInfo':{'kubeletVersion':'v1.32.0','osImage':'Planet','containerRuntimeVersion':'planet://1'}}}");
    assertThat(c).containsExactly("n1", "Ready,SchedulingDisabled", "control-plane,edge,worker", "2d3h", "v1.32.0",
        "192.168.1.10", "<none>", "Planet", "<unknown>", "planet://1");
    assertThat(cells("Node", "{'metadata':{'name':'n2'}}").subList(1, 3)).containsExactly("Unknown", "<none>");
    assertThat(cells("Node", "{'metadata':{'name':'n2'},'status':{'conditions':[{'type':'Ready',"
        + "'status':'Unknown'}]}}").get(1)).isEqualTo("NotReady");
  }

  @Test
  void coreEvent() {
    assertThat(columns("", "Event")).containsExactly("Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
        "Message", "First Seen", "Count", "Name");
    List<Object> c = cells("Event", "{'metadata':{'name':'p1.17a'},'involvedObject':{'kind':'Pod','name':'p1',"
        + "'fieldPath':'spec.containers{a}'},'reason':'Pulled','message':' pulled \\n','type':'Normal',"
        + "'source':{'component':'kubelet','host':'n1'},'firstTimestamp':'2024-05-01T11:00:00Z',"
        + "'lastTimestamp':'2024-05-01T11:58:00Z','count':4}");
    assertThat(c).containsExactly("2m", "Normal", "Pulled", "pod/p1", "spec.containers{a}", "kubelet, n1", "pulled",
        "60m", 4L, "p1.17a");
  }

  @Test
  void eventsGroupEventUsesTheSameColumns() {
    TablePrinter p = TablePrinters.forKind("events.k8s.io", "Event");
    List<Object> c = p.cells(obj("{'apiVersion':'events.k8s.io/v1','metadata':{'name':'e'},'regarding':"
        + "{'kind':'Deployment','name':'web'},'note':'Scaled up','type':'Normal','reason':'ScalingReplicaSet',"
        + "'reportingController':'deployment-controller','eventTime':'2024-05-01T11:59:00.000000Z'}"), NOW);
    assertThat(c).containsExactly("60s", "Normal", "ScalingReplicaSet", "deployment/web", "",
        "deployment-controller", "Scaled up", "60s", 1L, "e");
  }

  @Test
  void eventSeriesOverridesLastSeenAndCount() {
    List<Object> c = cells("Event", "{'metadata':{'name':'e'},'involvedObject':{'kind':'Node'},"
        + "'eventTime':'2024-05-01T10:00:00.000000Z','series':{'count':7,"
        + "'lastObservedTime':'2024-05-01T11:59:30.000000Z'}}");
    assertThat(c.get(0)).isEqualTo("30s");
    assertThat(c.get(3)).isEqualTo("node");
    assertThat(c.get(7)).isEqualTo("120m");
    assertThat(c.get(8)).isEqualTo(7L);
  }

  @Test
  void configMapsSecretsServiceAccountsNamespaces() {
    assertThat(cells("ConfigMap", "{'metadata':{'name':'c'},'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}")
        .get(1)).isEqualTo(3L);
    assertThat(cells("Secret", "{'metadata':{'name':'s'},'type':'Opaque','data':{'a':'MQ=='}}").subList(1, 3))
        .containsExactly("Opaque", 1L);
    assertThat(cells("ServiceAccount", "{'metadata':{'name':'default'}}").get(1)).isEqualTo(0L);
    assertThat(cells("Namespace", "{'metadata':{'name':'default'},'status':{'phase':'Active'}}").get(1))
        .isEqualTo("Active");
  }

  @Test
  void endpointsFormatting() {
    assertThat(cells("Endpoints", "{'metadata':{'name':'e'}}").get(1)).isEqualTo("<none>");
    String json = "{'metadata':{'name':'e'},'subsets':[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'},"
        + "{'ip':'fd00::3'}],'ports':[{'port':8080},{'port':9090}]}]}";
    assertThat(cells("Endpoints", json).get(1)).isEqualTo("10.0.0.1:8080,10.0.0.2:8080,[fd00::3]:8080 + 3 more...");
  }

  @Test
  void persistentVolumeClaimAndResourceQuota() {
    List<Object> pvc = cells("PersistentVolumeClaim", "{'metadata':{'name':'data'},'spec':{'volumeName':'pv1',"
        + "'storageClassName':'standard','volumeMode':'Filesystem'},'status':{'phase':'Bound',"
        + "'capacity':{'storage':'1Gi'},'accessModes':['ReadWriteOnce','ReadWriteMany']}}");
    assertThat(pvc).containsExactly("data", "Bound", "pv1", "1Gi", "RWO,RWX", "standard", "<unset>", "<unknown>",
        "Filesystem");
    List<Object> rq = cells("ResourceQuota", "{'metadata':{'name':'q'},'status':{'hard':{'pods':'10',"
        + "'limits.cpu':'4','requests.cpu':'2'},'used':{'pods':'3','requests.cpu':'500m'}}}");
    assertThat(rq.subList(1, 3)).containsExactly("pods: 3/10, requests.cpu: 500m/2", "limits.cpu: 0/4");
  }

  @Test
  void limitRangesUseTheDefaultTable() {
    assertThat(columns("", "LimitRange")).containsExactly("Name", "Created At");
    assertThat(cells("LimitRange", "{'metadata':{'name':'l','creationTimestamp':'2024-01-02T03:04:05Z'}}"))
        .containsExactly("l", "2024-01-02T03:04:05Z");
  }
}
