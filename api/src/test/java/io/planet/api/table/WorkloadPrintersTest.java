package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadPrintersTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  static ObjectNode obj(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  private static List<Object> cells(String group, String kind, String json) {
    return TablePrinters.forKind(group, kind).cells(obj(json), NOW);
  }

  @Test
  void deploymentColumns() {
    TablePrinter p = TablePrinters.forKind("apps", "Deployment");
    assertThat(p.columnDefinitions()).extracting(c -> c.get("name").asText())
        .containsExactly("Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector");
    assertThat(p.columnDefinitions()).extracting(c -> c.get("priority").asInt())
        .containsExactly(0, 0, 0, 0, 0, 1, 1, 1);
    List<Object> c = p.cells(obj("{'metadata':{'name':'web','creationTimestamp':'2024-05-01T11:50:00Z'},"
        + "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}},'template':{'spec':{'containers':["
        + "{'name':'nginx','image':'nginx:1.25'},{'name':'side','image':'busybox'}]}}},"
        + "'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}"), NOW);
    assertThat(c).containsExactly("web", "2/3", 3L, 2L, "10m", "nginx,side", "nginx:1.25,busybox", "app=web");
  }

  @Test
  void deploymentWithoutStatus() {
    assertThat(cells("apps", "Deployment", "{'metadata':{'name':'d'},'spec':{'replicas':0}}").subList(1, 4))
        .containsExactly("0/0", 0L, 0L);
  }

  @Test
  void replicaSetDaemonSetStatefulSet() {
    assertThat(cells("apps", "ReplicaSet", "{'metadata':{'name':'rs'},'spec':{'replicas':2,'selector':"
        + "{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'tier','operator':'In','values':['b','a']}]}},"
        + "'status':{'replicas':2,'readyReplicas':1}}"))
        .containsExactly("rs", 2L, 2L, 1L, "<unknown>", "", "", "app=web,tier in (a,b)");
    assertThat(cells("apps", "DaemonSet", "{'metadata':{'name':'ds'},'spec':{'template':{'spec':{'nodeSelector':"
        + "{'kubernetes.io/os':'linux'}}}},'status':{'desiredNumberScheduled':3,'currentNumberScheduled':3,"
        + "'numberReady':2,'updatedNumberScheduled':3,'numberAvailable':2}}").subList(1, 7))
        .containsExactly(3L, 3L, 2L, 3L, 2L, "kubernetes.io/os=linux");
    assertThat(cells("apps", "StatefulSet", "{'metadata':{'name':'db'},'spec':{'replicas':3},"
        + "'status':{'readyReplicas':3}}").get(1)).isEqualTo("3/3");
  }

  @Test
  void controllerRevisionNamesItsController() {
    assertThat(cells("apps", "ControllerRevision", "{'metadata':{'name':'db-5d8','ownerReferences':[{'apiVersion':"
        + "'apps/v1','kind':'StatefulSet','name':'db','controller':true}]},'revision':2}").subList(1, 3))
        .containsExactly("statefulset.apps/db", 2L);
  }

  @Test
  void jobStatusCompletionsDuration() {
    TablePrinter p = TablePrinters.forKind("batch", "Job");
    assertThat(p.columnDefinitions()).extracting(c -> c.get("name").asText()).containsExactly(
        "Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector");
    List<Object> done = cells("batch", "Job", "{'metadata':{'name':'pi'},'spec':{'completions':1,'parallelism':1},"
        + "'status':{'succeeded':1,'startTime':'2024-05-01T11:00:00Z','completionTime':'2024-05-01T11:00:42Z',"
        + "'conditions':[{'type':'Complete','status':'True'}]}}");
    assertThat(done.subList(1, 4)).containsExactly("Complete", "1/1", "42s");
    List<Object> running = cells("batch", "Job", "{'metadata':{'name':'q'},'spec':{'parallelism':3},"
        + "'status':{'startTime':'2024-05-01T11:57:00Z','active':3}}");
    assertThat(running.subList(1, 4)).containsExactly("Running", "0/1 of 3", "3m");
    assertThat(cells("batch", "Job", "{'metadata':{'name':'f'},'status':{'conditions':[{'type':'Failed',"
        + "'status':'True'}]}}").subList(1, 4)).containsExactly("Failed", "0/1", "");
    assertThat(cells("batch", "Job", "{'metadata':{'name':'s'},'status':{'conditions':[{'type':'Suspended',"
        + "'status':'True'}]}}").get(1)).isEqualTo("Suspended");
  }

  @Test
  void cronJob() {
    assertThat(cells("batch", "CronJob", "{'metadata':{'name':'c'},'spec':{'schedule':'*/5 * * * *',"
        + "'suspend':false,'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'b'}]}}}}},"
        + "'status':{'active':[{'name':'c-1'}],'lastScheduleTime':'2024-05-01T11:55:00Z'}}"))
        .containsExactly("c", "*/5 * * * *", "<none>", "False", 1L, "5m", "<unknown>", "a", "b", "<none>");
  }

  @Test
  void horizontalPodAutoscaler() {
    List<Object> c = cells("autoscaling", "HorizontalPodAutoscaler", "{'metadata':{'name':'h'},'spec':{"
        + "'scaleTargetRef':{'kind':'Deployment','name':'web'},'minReplicas':1,'maxReplicas':10,'metrics':["
        + "{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':50}}},"
        + "{'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue','averageValue':'100Mi'}}}]},"
        + "'status':{'currentReplicas':2,'currentMetrics':[{'type':'Resource','resource':{'name':'cpu',"
        + "'current':{'averageUtilization':20,'averageValue':'20m'}}}]}}");
    assertThat(c.subList(1, 6)).containsExactly("Deployment/web", "cpu: 20%/50%, memory: <unknown>/100Mi", "1",
        10L, 2L);
    List<Object> v1 = cells("autoscaling", "HorizontalPodAutoscaler", "{'metadata':{'name':'h'},'spec':{"
        + "'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':5,'targetCPUUtilizationPercentage':80}}");
    assertThat(v1.subList(2, 4)).containsExactly("cpu: <unknown>/80%", "<unset>");
  }

  @Test
  void podDisruptionBudget() {
    assertThat(cells("policy", "PodDisruptionBudget", "{'metadata':{'name':'p'},'spec':{'minAvailable':'50%'},"
        + "'status':{'disruptionsAllowed':1}}").subList(1, 4)).containsExactly("50%", "N/A", 1L);
  }

  @Test
  void rbacBindingsAndDefaultTables() {
    List<Object> rb = TablePrinters.forKind("rbac.authorization.k8s.io", "RoleBinding").cells(obj(
        "{'metadata':{'name':'rb'},'roleRef':{'kind':'ClusterRole','name':'view'},'subjects':["
            + "{'kind':'User','name':'alice'},{'kind':'User','name':'bob'},{'kind':'Group','name':'devs'},"
            + "{'kind':'ServiceAccount','name':'default','namespace':'ns1'}]}"), NOW);
    assertThat(rb).containsExactly("rb", "ClusterRole/view", "<unknown>", "alice, bob", "devs", "ns1/default");
    for (String kind : List.of("Role", "ClusterRole")) {
      assertThat(TablePrinters.forKind("rbac.authorization.k8s.io", kind).columnDefinitions())
          .extracting(c -> c.get("name").asText() + ":" + c.get("type").asText())
          .containsExactly("Name:string", "Created At:date");
    }
    assertThat(TablePrinters.forKind("apiextensions.k8s.io", "CustomResourceDefinition").columnDefinitions())
        .extracting(c -> c.get("name").asText()).containsExactly("Name", "Created At");
  }

  @Test
  void leaseAndEndpointSlice() {
    assertThat(cells("coordination.k8s.io", "Lease", "{'metadata':{'name':'l'},'spec':{'holderIdentity':'n1'}}")
        .get(1)).isEqualTo("n1");
    assertThat(cells("discovery.k8s.io", "EndpointSlice", "{'metadata':{'name':'s'},'addressType':'IPv4',"
        + "'ports':[{'name':'http','port':80},{'name':'x'}],'endpoints':[{'addresses':['10.0.0.1']},"
        + "{'addresses':['10.0.0.2','10.0.0.3','10.0.0.4']}]}").subList(1, 4))
        .containsExactly("IPv4", "80,x", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");
    assertThat(cells("discovery.k8s.io", "EndpointSlice", "{'metadata':{'name':'s'},'addressType':'IPv4'}")
        .subList(2, 4)).containsExactly("<unset>", "<unset>");
  }
}
