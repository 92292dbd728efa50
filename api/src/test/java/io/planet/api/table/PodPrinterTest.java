package io.planet.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodPrinterTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  final TablePrinter printer = TablePrinters.forKind("", "Pod");

  static ObjectNode pod(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  private List<Object> cells(String json) {
    return printer.cells(pod(json), NOW);
  }

  @Test
  void columnsMatchUpstream() {
    assertThat(printer.columnDefinitions()).extracting(c -> c.get("name").asText()).containsExactly(
        "Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates");
    assertThat(printer.columnDefinitions()).extracting(c -> c.get("priority").asInt())
        .containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
    assertThat(printer.columnDefinitions().get(0).get("format").asText()).isEqualTo("name");
    assertThat(printer.columnDefinitions().get(0).get("description").asText()).contains("Name must be unique");
  }

  @Test
  void runningPodWithOneOfTwoContainersReady() {
    List<Object> c = cells("{'metadata':{'name':'p1','creationTimestamp':'2024-05-01T11:00:00Z'},"
        + "'spec':{'nodeName':'n1','containers':[{'name':'a'},{'name':'b'}]},"
        + "'status':{'phase':'Running','podIPs':[{'ip':'10.0.0.5'}],"
        + "'containerStatuses':[{'name':'a','ready':true,'restartCount':0,'state':{'running':{}}},"
        + "{'name':'b','ready':false,'restartCount':0,'state':{'running':{}}}]}}");
    assertThat(c).containsExactly("p1", "1/2", "Running", "0", "60m", "10.0.0.5", "n1", "<none>", "<none>");
  }

  @Test
  void pendingPodWithoutStatuses() {
    List<Object> c = cells("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},"
        + "'status':{'phase':'Pending'}}");
    assertThat(c.subList(1, 5)).containsExactly("0/1", "Pending", "0", "<unknown>");
    assertThat(c.subList(5, 9)).containsExactly("<none>", "<none>", "<none>", "<none>");
  }

  @Test
  void waitingReasonWinsAndRestartsShowWhenLastRestarted() {
    List<Object> c = cells("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},"
        + "'status':{'phase':'Running','containerStatuses':[{'name':'a','ready':false,'restartCount':5,"
        + "'state':{'waiting':{'reason':'CrashLoopBackOff'}},"
        + "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2024-05-01T11:55:00Z'}}}]}}");
    assertThat(c.subList(1, 4)).containsExactly("0/1", "CrashLoopBackOff", "5 (5m ago)");
  }

  @Test
  void terminatedWithoutReasonShowsExitCodeOrSignal() {
    assertThat(cells("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Running',"
        + "'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':3}}}]}}").get(2))
        .isEqualTo("ExitCode:3");
    assertThat(cells("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Running',"
        + "'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':137,'signal':9}}}]}}").get(2))
        .isEqualTo("Signal:9");
  }

  @Test
  void completedPodAndRowCondition() {
    ObjectNode p = pod("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Succeeded',"
        + "'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}}");
    assertThat(printer.cells(p, NOW).get(2)).isEqualTo("Completed");
    assertThat(printer.rowConditions(p)).singleElement()
        .satisfies(c -> assertThat(c.toString()).isEqualTo("{\"type\":\"Completed\",\"status\":\"True\","
            + "\"reason\":\"Succeeded\",\"message\":\"The pod has completed successfully.\"}"));
  }

  @Test
  void completedContainerButAnotherStillRunning() {
    String json = "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'},{'name':'b'}]},"
        + "'status':{'phase':'Running','conditions':[{'type':'Ready','status':'%s'}],'containerStatuses':["
        + "{'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
        + "{'name':'b','ready':true,'state':{'running':{}}}]}}";
    // statuses are walked last to first, so the first container's "Completed" is the last word
    assertThat(cells(String.format(json, "True")).get(2)).isEqualTo("Running");
    assertThat(cells(String.format(json, "False")).get(2)).isEqualTo("NotReady");
  }

  @Test
  void initContainers() {
    String base = "{'metadata':{'name':'p'},'spec':{'initContainers':[{'name':'i1'},{'name':'i2'}],"
        + "'containers':[{'name':'a'}]},'status':{'phase':'Pending','initContainerStatuses':[%s],"
        + "'containerStatuses':[{'name':'a','state':{'waiting':{'reason':'PodInitializing'}}}]}}";
    assertThat(cells(String.format(base, "{'name':'i1','state':{'terminated':{'exitCode':0}}},"
        + "{'name':'i2','state':{'running':{}}}")).get(2)).isEqualTo("Init:1/2");
    assertThat(cells(String.format(base, "{'name':'i1','restartCount':3,"
        + "'state':{'waiting':{'reason':'CrashLoopBackOff'}}}")).subList(2, 4))
        .containsExactly("Init:CrashLoopBackOff", "3");
    assertThat(cells(String.format(base, "{'name':'i1','state':{'terminated':{'exitCode':2}}}")).get(2))
        .isEqualTo("Init:ExitCode:2");
    assertThat(cells(String.format(base, "{'name':'i1','state':{'terminated':{'exitCode':1,'reason':'Error'}}}"))
        .get(2)).isEqualTo("Init:Error");
    assertThat(cells(String.format(base, "{'name':'i1','state':{'waiting':{'reason':'PodInitializing'}}}"))
        .get(2)).isEqualTo("Init:0/2");
  }

  @Test
  void sidecarInitContainerCountsTowardsReady() {
    List<Object> c = cells("{'metadata':{'name':'p'},'spec':{'initContainers':[{'name':'s','restartPolicy':'Always'}],"
        + "'containers':[{'name':'a'}]},'status':{'phase':'Running','conditions':[{'type':'Initialized',"
        + "'status':'True'}],'initContainerStatuses':[{'name':'s','started':true,'ready':true,'restartCount':1,"
        + "'state':{'running':{}}}],'containerStatuses':[{'name':'a','ready':true,'restartCount':2,"
        + "'state':{'running':{}}}]}}");
    assertThat(c.subList(1, 4)).containsExactly("2/2", "Running", "3");
  }

  @Test
  void terminatingAndNodeLost() {
    String json = "{'metadata':{'name':'p','deletionTimestamp':'2024-05-01T11:59:00Z'},"
        + "'spec':{'containers':[{'name':'a'}]},'status':{'phase':'%s'%s,"
        + "'containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}}]}}";
    assertThat(cells(String.format(json, "Running", "")).get(2)).isEqualTo("Terminating");
    assertThat(cells(String.format(json, "Running", ",'reason':'NodeLost'")).get(2)).isEqualTo("Unknown");
    // a terminal pod is not "Terminating": it keeps its phase
    assertThat(cells(String.format(json, "Succeeded", "")).get(2)).isEqualTo("Succeeded");
  }

  @Test
  void schedulingGatedAndEvictedReasons() {
    assertThat(cells("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Pending',"
        + "'conditions':[{'type':'PodScheduled','status':'False','reason':'SchedulingGated'}]}}").get(2))
        .isEqualTo("SchedulingGated");
    assertThat(cells("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Failed',"
        + "'reason':'Evicted'}}").get(2)).isEqualTo("Evicted");
  }

  @Test
  void readinessGatesCountTrueConditions() {
    List<Object> c = cells("{'metadata':{'name':'p'},'spec':{'containers':[],'readinessGates':["
        + "{'conditionType':'x/a'},{'conditionType':'x/b'}]},'status':{'phase':'Running','nominatedNodeName':'n2',"
        + "'conditions':[{'type':'x/a','status':'True'},{'type':'x/b','status':'False'}]}}");
    assertThat(c.subList(7, 9)).containsExactly("n2", "1/2");
  }
}
