package io.planet.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.admission.PodSecurityChecks.Level;
import io.planet.apiserver.admission.PodSecurityChecks.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodSecurityChecksTest {
  /** A pod that passes restricted: the baseline for every case below, which then breaks one thing. */
  private static final String RESTRICTED_POD = """
      {"metadata": {"name": "p"},
       "spec": {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": "busybox",
          "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}
      """;

  private static ObjectNode pod() {
    return (ObjectNode) Json.parse(RESTRICTED_POD);
  }

  private static ObjectNode container(ObjectNode pod) {
    return (ObjectNode) pod.at("/spec/containers/0");
  }

  private static String eval(Level level, JsonNode pod) {
    return PodSecurity.describe(PodSecurityChecks.evaluate(level, pod.path("metadata"), pod.path("spec")));
  }

  @Test
  void compliantPodPassesEveryLevel() {
    for (Level l : Level.values()) assertThat(eval(l, pod())).isEmpty();
  }

  @Test
  void plainPodPassesBaselineAndFailsRestrictedWithUpstreamsMessage() {
    ObjectNode p = (ObjectNode) Json.parse("{\"metadata\":{\"name\":\"nginx\"},\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\"}]}}");
    assertThat(eval(Level.BASELINE, p)).isEmpty();
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo(
        "allowPrivilegeEscalation != false (container \"nginx\" must set securityContext.allowPrivilegeEscalation=false), "
            + "unrestricted capabilities (container \"nginx\" must set securityContext.capabilities.drop=[\"ALL\"]), "
            + "runAsNonRoot != true (pod or container \"nginx\" must set securityContext.runAsNonRoot=true), "
            + "seccompProfile (pod or container \"nginx\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
    assertThat(eval(Level.PRIVILEGED, p)).isEmpty();
  }

  @Test
  void privilegedContainerBaselineFirstThenRestricted() {
    ObjectNode p = pod();
    ((ObjectNode) container(p).get("securityContext")).put("privileged", true);
    assertThat(eval(Level.BASELINE, p)).isEqualTo("privileged (container \"c\" must not set securityContext.privileged=true)");
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo("privileged (container \"c\" must not set securityContext.privileged=true)");
  }

  @Test
  void hostNamespacesAreSortedAndJoined() {
    ObjectNode p = pod();
    ((ObjectNode) p.get("spec")).put("hostNetwork", true).put("hostPID", true).put("hostIPC", true);
    assertThat(eval(Level.BASELINE, p)).isEqualTo("host namespaces (hostIPC=true, hostNetwork=true, hostPID=true)");
  }

  @Test
  void hostPathIsBaselineAndARestrictedVolumeType() {
    ObjectNode p = pod();
    ((ObjectNode) p.get("spec")).set("volumes", Json.parse("[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}},{\"name\":\"e\",\"emptyDir\":{}}]"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo("hostPath volumes (volume \"h\")");
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo("hostPath volumes (volume \"h\"), "
        + "restricted volume types (volume \"h\" uses restricted volume type \"hostPath\")");
  }

  @Test
  void restrictedVolumeTypesPluralize() {
    ObjectNode p = pod();
    ((ObjectNode) p.get("spec")).set("volumes", Json.parse("[{\"name\":\"a\",\"nfs\":{}},{\"name\":\"b\",\"gitRepo\":{}},"
        + "{\"name\":\"ok1\",\"secret\":{}},{\"name\":\"ok2\",\"projected\":{}},{\"name\":\"ok3\",\"persistentVolumeClaim\":{}}]"));
    assertThat(eval(Level.BASELINE, p)).isEmpty();
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo(
        "restricted volume types (volumes \"a\", \"b\" use restricted volume types \"gitRepo\", \"nfs\")");
  }

  @Test
  void hostPortsListEveryPort() {
    ObjectNode p = pod();
    container(p).set("ports", Json.parse("[{\"containerPort\":80,\"hostPort\":8080},{\"containerPort\":443,\"hostPort\":8443}]"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo("hostPort (container \"c\" uses hostPorts 8080, 8443)");
  }

  @Test
  void capabilitiesBeyondTheDefaultSet() {
    ObjectNode p = pod();
    ((ObjectNode) container(p).at("/securityContext/capabilities")).set("add", Json.parse("[\"NET_ADMIN\",\"CHOWN\",\"SYS_TIME\"]"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo(
        "non-default capabilities (container \"c\" must not include \"NET_ADMIN\", \"SYS_TIME\" in securityContext.capabilities.add)");
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo("unrestricted capabilities (container \"c\" must not include \"CHOWN\", "
        + "\"NET_ADMIN\", \"SYS_TIME\" in securityContext.capabilities.add)");
  }

  @Test
  void netBindServiceIsTheOnlyRestrictedAddition() {
    ObjectNode p = pod();
    ((ObjectNode) container(p).at("/securityContext/capabilities")).set("add", Json.parse("[\"NET_BIND_SERVICE\"]"));
    assertThat(eval(Level.RESTRICTED, p)).isEmpty();
  }

  @Test
  void restrictedCapabilitiesNeedDropAll() {
    ObjectNode p = pod();
    ((ObjectNode) container(p).at("/securityContext/capabilities")).set("drop", Json.parse("[\"NET_RAW\"]"));
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo(
        "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"])");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Unmasked|procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\")",
      "Default|"})
  void procMount(String value, String expected) {
    ObjectNode p = pod();
    ((ObjectNode) container(p).get("securityContext")).put("procMount", value);
    assertThat(eval(Level.BASELINE, p)).isEqualTo(expected == null ? "" : expected);
  }

  @Test
  void procMountAllowedInAUserNamespace() {
    ObjectNode p = pod();
    ((ObjectNode) p.get("spec")).put("hostUsers", false);
    ((ObjectNode) container(p).get("securityContext")).put("procMount", "Unmasked");
    assertThat(eval(Level.RESTRICTED, p)).isEmpty();
  }

  @Test
  void seLinuxTypeUserAndRole() {
    ObjectNode p = pod();
    ((ObjectNode) p.at("/spec/securityContext")).set("seLinuxOptions", Json.parse("{\"type\":\"spc_t\",\"user\":\"u\"}"));
    ((ObjectNode) container(p).get("securityContext")).set("seLinuxOptions", Json.parse("{\"role\":\"r\"}"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo("seLinuxOptions (pod and container \"c\" set forbidden "
        + "securityContext.seLinuxOptions: type \"spc_t\"; user may not be set; role may not be set)");
    ObjectNode ok = pod();
    ((ObjectNode) ok.at("/spec/securityContext")).set("seLinuxOptions", Json.parse("{\"type\":\"container_t\",\"level\":\"s0:c1\"}"));
    assertThat(eval(Level.RESTRICTED, ok)).isEmpty();
  }

  @Test
  void unsafeSysctls() {
    ObjectNode p = pod();
    ((ObjectNode) p.at("/spec/securityContext")).set("sysctls",
        Json.parse("[{\"name\":\"kernel.msgmax\",\"value\":\"1\"},{\"name\":\"net.ipv4.tcp_syncookies\",\"value\":\"1\"}]"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo("forbidden sysctls (kernel.msgmax)");
  }

  @Test
  void appArmorUnconfinedAnnotation() {
    ObjectNode p = pod();
    ((ObjectNode) p.get("metadata")).set("annotations", Json.parse(
        "{\"container.apparmor.security.beta.kubernetes.io/c\":\"unconfined\",\"container.apparmor.security.beta.kubernetes.io/d\":\"runtime/default\"}"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo(
        "forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c=\"unconfined\")");
  }

  @Test
  void seccompUnconfinedIsBaselineTheRestrictedMessageForRestricted() {
    ObjectNode p = pod();
    ((ObjectNode) container(p).get("securityContext")).set("seccompProfile", Json.parse("{\"type\":\"Unconfined\"}"));
    assertThat(eval(Level.BASELINE, p)).isEqualTo(
        "seccompProfile (container \"c\" must not set securityContext.seccompProfile.type to \"Unconfined\")");
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo(
        "seccompProfile (container \"c\" must not set securityContext.seccompProfile.type to \"Unconfined\")");
  }

  @Test
  void runAsNonRootFalseAndRunAsUserZero() {
    ObjectNode p = pod();
    ((ObjectNode) p.at("/spec/securityContext")).put("runAsNonRoot", false).put("runAsUser", 0);
    assertThat(eval(Level.BASELINE, p)).isEmpty();
    assertThat(eval(Level.RESTRICTED, p)).isEqualTo("runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), "
        + "runAsUser=0 (pod must not set runAsUser=0)");
  }

  @Test
  void containerLevelSettingsCoverAMissingPodLevel() {
    ObjectNode p = pod();
    ((ObjectNode) p.get("spec")).remove("securityContext");
    ObjectNode sc = (ObjectNode) container(p).get("securityContext");
    sc.put("runAsNonRoot", true);
    sc.set("seccompProfile", Json.parse("{\"type\":\"Localhost\",\"localhostProfile\":\"x.json\"}"));
    assertThat(eval(Level.RESTRICTED, p)).isEmpty();
  }

  @Test
  void initAndEphemeralContainersAreCheckedAndPluralized() {
    ObjectNode p = pod();
    ObjectNode spec = (ObjectNode) p.get("spec");
    spec.set("initContainers", Json.parse("[{\"name\":\"i\",\"securityContext\":{\"privileged\":true}}]"));
    spec.set("ephemeralContainers", Json.parse("[{\"name\":\"dbg\",\"securityContext\":{\"privileged\":true}}]"));
    List<Violation> v = PodSecurityChecks.evaluate(Level.BASELINE, p.path("metadata"), spec);
    assertThat(PodSecurity.describe(v)).isEqualTo(
        "privileged (containers \"i\", \"dbg\" must not set securityContext.privileged=true)");
  }

  @Test
  void windowsPodsSkipLinuxOnlyRestrictedChecks() {
    ObjectNode p = (ObjectNode) Json.parse("{\"metadata\":{},\"spec\":{\"os\":{\"name\":\"windows\"},"
        + "\"securityContext\":{\"runAsNonRoot\":true},\"containers\":[{\"name\":\"w\"}]}}");
    assertThat(eval(Level.RESTRICTED, p)).isEmpty();
  }

  @Test
  void labelsPickThePolicyInvalidMeansRestrictedLatest() {
    JsonNode labels = Json.parse("{\"pod-security.kubernetes.io/enforce\":\"baseline\",\"pod-security.kubernetes.io/enforce-version\":\"v1.30\","
        + "\"pod-security.kubernetes.io/warn\":\"bogus\",\"pod-security.kubernetes.io/audit-version\":\"1.2\"}");
    assertThat(PodSecurity.policy(labels, "enforce", "privileged", "latest").toString()).isEqualTo("baseline:v1.30");
    assertThat(PodSecurity.policy(labels, "warn", "privileged", "latest").toString()).isEqualTo("restricted:latest");
    assertThat(PodSecurity.policy(labels, "audit", "privileged", "latest").toString()).isEqualTo("privileged:latest");
  }
}
