package io.planet.controllers.resourcequota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaUsageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void podsCountComputeUnlessTerminal() throws Exception {
    JsonNode pod = json("{'spec':{'containers':[{'resources':{'requests':{'cpu':'250m','memory':'64Mi'},'limits':{'cpu':'1'}}},"
        + "{'resources':{'requests':{'cpu':'250m'}}}]}}");
    Map<String, BigDecimal> u = QuotaUsage.of("", "pods", pod);
    assertThat(QuotaUsage.format(u.get("requests.cpu"))).isEqualTo("500m");
    assertThat(QuotaUsage.format(u.get("cpu"))).isEqualTo("500m");
    assertThat(QuotaUsage.format(u.get("requests.memory"))).isEqualTo("64Mi");
    assertThat(QuotaUsage.format(u.get("limits.cpu"))).isEqualTo("1");
    assertThat(u.get("pods")).isEqualByComparingTo("1");
    assertThat(u.get("count/pods")).isEqualByComparingTo("1");
    ((com.fasterxml.jackson.databind.node.ObjectNode) pod).putObject("status").put("phase", "Succeeded");
    assertThat(QuotaUsage.of("", "pods", pod)).isEmpty();
  }

  @Test
  void servicesClaimsAndGenericCounts() throws Exception {
    Map<String, BigDecimal> svc = QuotaUsage.of("", "services", json("{'spec':{'type':'LoadBalancer','ports':[{'port':80},{'port':443}]}}"));
    assertThat(svc).containsKeys("services", "count/services", "services.loadbalancers");
    assertThat(svc.get("services.nodeports")).isEqualByComparingTo("2");
    Map<String, BigDecimal> pvc = QuotaUsage.of("", "persistentvolumeclaims",
        json("{'spec':{'storageClassName':'fast','resources':{'requests':{'storage':'1Gi'}}}}"));
    assertThat(QuotaUsage.format(pvc.get("fast.storageclass.storage.k8s.io/requests.storage"))).isEqualTo("1Gi");
    assertThat(QuotaUsage.of("apps", "deployments", json("{}"))).containsOnlyKeys("count/deployments.apps");
  }

  @Test
  void scopesSelectPods() throws Exception {
    JsonNode bestEffort = json("{'spec':{'containers':[{}]}}");
    JsonNode terminating = json("{'spec':{'activeDeadlineSeconds':30,'containers':[{'resources':{'requests':{'cpu':'1'}}}]}}");
    JsonNode q = json("{'spec':{'scopes':['BestEffort']}}");
    assertThat(QuotaUsage.matchesScopes(q, "", "pods", bestEffort)).isTrue();
    assertThat(QuotaUsage.matchesScopes(q, "", "pods", terminating)).isFalse();
    assertThat(QuotaUsage.matchesScopes(q, "", "services", bestEffort)).isFalse();
    JsonNode t = json("{'spec':{'scopeSelector':{'matchExpressions':[{'scopeName':'Terminating','operator':'Exists'}]}}}");
    assertThat(QuotaUsage.matchesScopes(t, "", "pods", terminating)).isTrue();
    assertThat(QuotaUsage.matchesScopes(t, "", "pods", bestEffort)).isFalse();
  }
}
