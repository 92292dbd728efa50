package io.planet.api.strategy;

import static io.planet.api.strategy.StrategyTestSupport.create;
import static io.planet.api.strategy.StrategyTestSupport.messages;
import static io.planet.api.strategy.StrategyTestSupport.type;
import static io.planet.api.strategy.StrategyTestSupport.update;
import static io.planet.api.strategy.StrategyTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiServiceStrategyTest {
  static final ResourceType APISERVICES = type("apiregistration.k8s.io", "v1", "apiservices");

  static ObjectNode apiService(String name, String spec) {
    return yaml("""
        apiVersion: apiregistration.k8s.io/v1
        kind: APIService
        metadata:
          name: %s
        spec:
        %s
        """.formatted(name, spec.indent(2)));
  }

  static final String REMOTE = """
      group: metrics.k8s.io
      version: v1beta1
      groupPriorityMinimum: 100
      versionPriority: 100
      insecureSkipTLSVerify: true
      service:
        namespace: kube-system
        name: metrics-server
      """;

  @Test
  void aValidRemoteApiServiceGetsPort443() {
    ObjectNode o = apiService("v1beta1.metrics.k8s.io", REMOTE);
    assertThat(create(APISERVICES, o)).isEmpty();
    assertThat(o.at("/spec/service/port").asInt()).isEqualTo(443);
  }

  @Test
  void theNameMustBeVersionDotGroup() {
    List<String> m = messages(create(APISERVICES, apiService("metrics", REMOTE)));
    assertThat(m).containsExactly(
        "metadata.name: Invalid value: \"metrics\": must be `spec.version+\".\"+spec.group`: \"v1beta1.metrics.k8s.io\"");
  }

  @Test
  void prioritiesAndVersionAreChecked() {
    List<String> m = messages(create(APISERVICES, apiService("V1.x.io", """
        group: x.io
        version: V1
        groupPriorityMinimum: 20001
        versionPriority: 0
        """)));
    assertThat(m).anyMatch(s -> s.startsWith("spec.version: Invalid value: \"V1\": a DNS-1035 label"));
    assertThat(m).contains("spec.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000",
        "spec.versionPriority: Invalid value: 0: must be positive and less than 1000");
  }

  @Test
  void onlyV1MayHaveAnEmptyGroup() {
    assertThat(messages(create(APISERVICES, apiService("v2.", """
        version: v2
        groupPriorityMinimum: 1
        versionPriority: 1
        """)))).contains("spec.group: Required value: only v1 may have an empty group and it better be legacy kube");
    assertThat(create(APISERVICES, apiService("v1.", """
        version: v1
        groupPriorityMinimum: 18000
        versionPriority: 1
        """))).isEmpty();
  }

  @Test
  void serviceNeedsNamespaceNameAndAValidPort() {
    List<String> m = messages(create(APISERVICES, apiService("v1.x.io", """
        group: x.io
        version: v1
        groupPriorityMinimum: 1
        versionPriority: 1
        service:
          port: 70000
        """)));
    assertThat(m).containsExactly("spec.service.namespace: Required value", "spec.service.name: Required value",
        "spec.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive");
  }

  @Test
  void caBundleAndInsecureSkipTlsVerifyAreExclusive() {
    assertThat(messages(create(APISERVICES, apiService("v1.x.io", """
        group: x.io
        version: v1
        groupPriorityMinimum: 1
        versionPriority: 1
        insecureSkipTLSVerify: true
        caBundle: YWJj
        service: {namespace: ns, name: svc}
        """)))).containsExactly("spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present");
  }

  @Test
  void localApiServicesMayNotCarryTlsSettings() {
    assertThat(messages(create(APISERVICES, apiService("v1.x.io", """
        group: x.io
        version: v1
        groupPriorityMinimum: 1
        versionPriority: 1
        insecureSkipTLSVerify: true
        caBundle: YWJj
        """)))).containsExactly(
        "spec.caBundle: Invalid value: \"3 bytes\": local APIServices may not have a caBundle",
        "spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify");
  }

  @Test
  void statusIsIgnoredOnCreateAndKeptOnUpdate() {
    ObjectNode o = apiService("v1beta1.metrics.k8s.io", REMOTE);
    o.putObject("status").putArray("conditions").addObject().put("type", "Available").put("status", "True");
    assertThat(create(APISERVICES, o)).isEmpty();
    assertThat(o.has("status")).isFalse();

    ObjectNode old = apiService("v1beta1.metrics.k8s.io", REMOTE);
    old.putObject("status").putArray("conditions").addObject().put("type", "Available").put("status", "False");
    ObjectNode next = apiService("v1beta1.metrics.k8s.io", REMOTE);
    next.putObject("status").putArray("conditions").addObject().put("type", "Available").put("status", "True");
    assertThat(update(APISERVICES, next, old)).isEmpty();
    assertThat(next.at("/status/conditions/0/status").asText()).isEqualTo("False");
  }
}
