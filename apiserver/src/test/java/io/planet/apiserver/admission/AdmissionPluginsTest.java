package io.planet.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of the plugins that need no cluster: plugin selection, quantities, limits, token volume, tolerations. */
class AdmissionPluginsTest {
  @Test
  void upstreamsDefaultSetInUpstreamsOrderEnableAndDisableAsTheFlags() {
    List<String> certs = List.of("CertificateApproval", "CertificateSigning", "CertificateSubjectRestriction");
    List<String> webhooks = List.of("MutatingAdmissionWebhook", "ValidatingAdmissionWebhook");
    assertThat(AdmissionConfig.DEFAULT.plugins()).containsExactly("NamespaceLifecycle", "LimitRanger", "ServiceAccount",
        "PodSecurity", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection", "RuntimeClass", certs.get(0),
        certs.get(1), certs.get(2), "DefaultIngressClass", webhooks.get(0), webhooks.get(1), "ResourceQuota");
    assertThat(AdmissionConfig.DEFAULT.disabling("ServiceAccount", "ResourceQuota", "DefaultIngressClass", webhooks.get(0),
        webhooks.get(1)).plugins())
        .containsExactly("NamespaceLifecycle", "LimitRanger", "PodSecurity", "Priority", "DefaultTolerationSeconds",
            "DefaultStorageClass", "StorageObjectInUseProtection", "RuntimeClass", certs.get(0), certs.get(1), certs.get(2));
    assertThat(AdmissionConfig.DEFAULT.enabling("NodeRestriction").plugins()).containsExactly("NamespaceLifecycle", "LimitRanger",
        "ServiceAccount", "NodeRestriction", "PodSecurity", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass",
        "StorageObjectInUseProtection", "RuntimeClass", certs.get(0), certs.get(1), certs.get(2), "DefaultIngressClass", webhooks.get(0), webhooks.get(1),
        "ResourceQuota");
    assertThatThrownBy(() -> new AdmissionConfig(List.of("AlwaysPullImagez"), List.of(), null).plugins())
        .hasMessage("enable-admission-plugins plugin \"AlwaysPullImagez\" is unknown");
    assertThatThrownBy(() -> new AdmissionConfig(List.of("Priority"), List.of("Priority"), null).plugins())
        .hasMessageContaining("conflict");
  }

  @Test
  void quantitiesParseAndPrintCanonically() {
    assertThat(Quantities.parse("100m")).isEqualByComparingTo("0.1");
    assertThat(Quantities.parse("1Gi")).isEqualByComparingTo(BigDecimal.valueOf(1L << 30));
    assertThat(Quantities.parse("1e3")).isEqualByComparingTo("1000");
    assertThat(Quantities.format(new BigDecimal("0.5"))).isEqualTo("500m");
    assertThat(Quantities.format(new BigDecimal("2"))).isEqualTo("2");
    assertThat(Quantities.format(BigDecimal.valueOf(1536L << 20))).isEqualTo("1536Mi");
    assertThat(Quantities.format(BigDecimal.valueOf(3000))).isEqualTo("3k");
    assertThat(Quantities.format(BigDecimal.ZERO)).isEqualTo("0");
  }

  @Test
  void limitRangeMessagesAsUpstream() {
    LimitRanger.Amount req = new LimitRanger.Amount("50m", new BigDecimal("0.05"));
    LimitRanger.Amount lim = new LimitRanger.Amount("2", new BigDecimal("2"));
    assertThat(LimitRanger.min("Container", "cpu", "100m", req, lim)).isEqualTo("minimum cpu usage per Container is 100m, but request is 50m");
    assertThat(LimitRanger.min("Container", "cpu", "100m", null, lim)).isEqualTo("minimum cpu usage per Container is 100m.  No request is specified");
    assertThat(LimitRanger.max("Pod", "cpu", "1", req, lim)).isEqualTo("maximum cpu usage per Pod is 1, but limit is 2");
    assertThat(LimitRanger.max("Pod", "memory", "1Gi", null, null)).isEqualTo("maximum memory usage per Pod is 1Gi.  No limit is specified");
    assertThat(LimitRanger.ratio("Container", "cpu", "4", req, lim))
        .isEqualTo("cpu max limit to request ratio per Container is 4, but provided ratio is 40.000000");
    assertThat(LimitRanger.ratio("Container", "cpu", "4", null, lim))
        .isEqualTo("cpu max limit to request ratio per Container is 4, but no request is specified or request is 0");
    assertThat(LimitRanger.max("Container", "cpu", "3", req, lim)).isNull();
  }

  @Test
  void limitRangeItemDefaultsAsTheApiDefaultsThem() {
    ObjectNode item = (ObjectNode) Json.parse("{\"type\":\"Container\",\"max\":{\"cpu\":\"1\"},\"min\":{\"memory\":\"64Mi\"},"
        + "\"default\":{\"memory\":\"256Mi\"}}");
    var d = LimitRanger.withContainerDefaults(item);
    assertThat(d.at("/default").toString()).isEqualTo("{\"memory\":\"256Mi\",\"cpu\":\"1\"}");
    assertThat(d.at("/defaultRequest").toString()).isEqualTo("{\"memory\":\"256Mi\",\"cpu\":\"1\"}");
  }

  @Test
  void podUsageIsTheSumOfContainersOrTheLargestInitContainer() {
    var spec = Json.parse("{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}},"
        + "{\"resources\":{\"requests\":{\"cpu\":\"200m\"}}}],\"initContainers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}");
    Map<String, LimitRanger.Amount> u = LimitRanger.podUsage(spec, "requests");
    assertThat(u.get("cpu").text()).isEqualTo("1");
    assertThat(u.get("memory").text()).isEqualTo("64Mi");
  }

  @Test
  void tokenVolumeIsProjectedAndMountedInEveryContainerOnce() {
    ObjectNode spec = (ObjectNode) Json.parse("{\"initContainers\":[{\"name\":\"i\"}],\"containers\":[{\"name\":\"a\"},"
        + "{\"name\":\"b\",\"volumeMounts\":[{\"name\":\"own\",\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}]}]}");
    ServiceAccountAdmission.mountToken(spec);
    String name = spec.at("/volumes/0/name").asText();
    assertThat(name).matches("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(spec.at("/volumes/0/projected").toString()).isEqualTo(("{'sources':["
        + "{'serviceAccountToken':{'expirationSeconds':3607,'path':'token'}},"
        + "{'configMap':{'name':'kube-root-ca.crt','items':[{'key':'ca.crt','path':'ca.crt'}]}},"
        + "{'downwardAPI':{'items':[{'fieldRef':{'apiVersion':'v1','fieldPath':'metadata.namespace'},'path':'namespace'}]}}],"
        + "'defaultMode':420}").replace('\'', '"'));
    String mount = "[{\"name\":\"" + name + "\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}]";
    assertThat(spec.at("/initContainers/0/volumeMounts").toString()).isEqualTo(mount);
    assertThat(spec.at("/containers/0/volumeMounts").toString()).isEqualTo(mount);
    assertThat(spec.at("/containers/1/volumeMounts").size()).isEqualTo(1);
    ServiceAccountAdmission.mountToken(spec);
    assertThat(spec.at("/volumes").size()).isEqualTo(1);
  }

  @Test
  void newPodsTolerateNotReadyAndUnreachableNodesForFiveMinutes() {
    ObjectNode plain = (ObjectNode) Json.parse("{\"containers\":[{\"name\":\"c\"}]}");
    DefaultTolerationSeconds.admit(plain);
    assertThat(plain.at("/tolerations").toString()).isEqualTo(Json.parse("""
        [{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
         {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]
        """).toString());
    // a pod that already tolerates unreachable (here: for 2 s) keeps its own; an empty key tolerates every taint
    ObjectNode own = (ObjectNode) Json.parse("{\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
        + "\"effect\":\"NoExecute\",\"tolerationSeconds\":2}]}");
    DefaultTolerationSeconds.admit(own);
    assertThat(own.at("/tolerations").size()).isEqualTo(2);
    assertThat(own.at("/tolerations/0/tolerationSeconds").asInt()).isEqualTo(2);
    assertThat(own.at("/tolerations/1/key").asText()).isEqualTo("node.kubernetes.io/not-ready");
    ObjectNode all = (ObjectNode) Json.parse("{\"tolerations\":[{\"operator\":\"Exists\"}]}");
    DefaultTolerationSeconds.admit(all);
    assertThat(all.at("/tolerations").size()).isEqualTo(1);
  }

  @Test
  void mergedTolerationsDropTheOnesAnotherCovers() {
    List<com.fasterxml.jackson.databind.JsonNode> all = List.of(
        Json.parse("{\"key\":\"a\",\"operator\":\"Equal\",\"value\":\"1\",\"effect\":\"NoSchedule\"}"),
        Json.parse("{\"key\":\"b\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}"),
        // the runtime class's: a covers the pod's first one; b with a shorter window is covered by the pod's
        Json.parse("{\"key\":\"a\",\"operator\":\"Exists\"}"),
        Json.parse("{\"key\":\"b\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":60}"),
        Json.parse("{\"key\":\"b\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}"));
    assertThat(Tolerations.merge(all).stream().map(Object::toString)).containsExactly(
        "{\"key\":\"b\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}",
        "{\"key\":\"a\",\"operator\":\"Exists\"}");
  }

  @Test
  void theNewestDefaultClassWins() {
    List<ObjectNode> classes = List.of(
        cls("old", "2024-01-01T00:00:00Z", true), cls("new", "2024-06-01T00:00:00Z", true),
        cls("newer-but-not-default", "2025-01-01T00:00:00Z", false), cls("also-new", "2024-06-01T00:00:00Z", true));
    java.util.function.Predicate<Map<String, String>> isDefault = a -> "true".equals(a.get("d"));
    assertThat(DefaultClasses.newest(classes, isDefault, true)).isEqualTo("also-new");
    assertThat(DefaultClasses.newest(classes, isDefault, false)).isEqualTo("new");
    assertThat(DefaultClasses.newest(classes.subList(2, 3), isDefault, true)).isNull();
  }

  private static ObjectNode cls(String name, String created, boolean dflt) {
    ObjectNode o = Json.object();
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name).put("creationTimestamp", created);
    meta.putObject("annotations").put("d", String.valueOf(dflt));
    return o;
  }
}
