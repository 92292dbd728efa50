package io.planet.api.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/** Robustness over the whole generated API rather than hand-picked kinds. */
class EveryKindTest {

  @Test
  void decodesWidelyUsedKindsWithEveryFieldSet() {
    for (String[] gvk : new String[][] {
        {"v1", "Pod"}, {"v1", "Service"}, {"v1", "Node"}, {"v1", "PersistentVolume"}, {"v1", "Event"},
        {"apps/v1", "Deployment"}, {"apps/v1", "StatefulSet"}, {"batch/v1", "CronJob"},
        {"networking.k8s.io/v1", "Ingress"}, {"rbac.authorization.k8s.io/v1", "ClusterRole"},
        {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"},
        {"apiextensions.k8s.io/v1", "CustomResourceDefinition"}, {"autoscaling/v2", "HorizontalPodAutoscaler"}}) {
      Descriptor type = ProtoKinds.find(gvk[0], gvk[1]);
      byte[] body = ProtobufCodecTest.wrap(gvk[0], gvk[1], populated(type, 0).toByteString());

      ObjectNode obj = ProtobufCodec.decode(body);

      assertThat(obj.get("kind").asText()).isEqualTo(gvk[1]);
      assertThat(obj.get("metadata").get("name").asText()).isEqualTo("name");
      assertNoProtoOnlyNames(obj, gvk[1]);
    }
  }

  @Test
  void populatedPodHasInlinedVolumeSourcesAndProbeHandlers() {
    Descriptor pod = ProtoKinds.find("v1", "Pod");
    ObjectNode obj = ProtobufCodec.decode(ProtobufCodecTest.wrap("v1", "Pod", populated(pod, 0).toByteString()));

    JsonNode volume = obj.at("/spec/volumes/0");
    assertThat(volume.has("volumeSource")).isFalse();
    assertThat(volume.has("emptyDir")).isTrue();
    assertThat(volume.at("/configMap/name").asText()).isEqualTo("name");
    assertThat(obj.at("/spec/containers/0/livenessProbe").has("httpGet")).isTrue();
    assertThat(obj.at("/spec/containers/0/resources/limits/key").asText()).isEqualTo("1");
    assertThat(obj.at("/metadata/creationTimestamp").asText()).isEqualTo("1970-01-01T00:00:01Z");
  }

  @Test
  void decodesAnEmptyMessageOfEveryKnownKind() {
    int decoded = 0;
    for (String apiVersion : new String[] {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1",
        "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1", "networking.k8s.io/v1", "coordination.k8s.io/v1",
        "discovery.k8s.io/v1", "events.k8s.io/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1",
        "certificates.k8s.io/v1", "scheduling.k8s.io/v1", "node.k8s.io/v1", "resource.k8s.io/v1",
        "flowcontrol.apiserver.k8s.io/v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1"}) {
      for (Descriptor type : firstOf(apiVersion).getFile().getMessageTypes()) {
        ObjectNode obj = ProtobufCodec.decode(ProtobufCodecTest.wrap(apiVersion, type.getName(), ByteString.EMPTY));
        assertThat(obj.get("apiVersion").asText()).isEqualTo(apiVersion);
        decoded++;
      }
    }
    assertThat(decoded).isGreaterThan(300);
  }

  /** A known kind of the group version, whose proto file lists all the others. */
  private static Descriptor firstOf(String apiVersion) {
    for (String kind : new String[] {"Pod", "Deployment", "Job", "Eviction", "Scale", "Role", "StorageClass",
        "Ingress", "Lease", "EndpointSlice", "Event", "TokenRequest", "SelfSubjectAccessReview",
        "CertificateSigningRequest", "PriorityClass", "RuntimeClass", "ResourceClaim", "FlowSchema",
        "ValidatingWebhookConfiguration", "CustomResourceDefinition"}) {
      Descriptor d = ProtoKinds.find(apiVersion, kind);
      if (d != null) return d;
    }
    throw new AssertionError("no known kind in " + apiVersion);
  }

  /** Every field set to a non-zero value, nested messages to a small depth; one element per list or map. */
  static DynamicMessage populated(Descriptor type, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    switch (type.getFullName()) {
      case "k8s.io.apimachinery.pkg.runtime.RawExtension":
      case "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON":
        return b.setField(type.findFieldByName("raw"), ByteString.copyFromUtf8("{\"a\":1}")).build();
      case "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1":
        return b.setField(type.findFieldByName("Raw"), ByteString.copyFromUtf8("{\"f:a\":{}}")).build();
      case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        return b.setField(type.findFieldByName("type"), 0L).setField(type.findFieldByName("intVal"), 1).build();
      case "k8s.io.apimachinery.pkg.api.resource.Quantity":
        return b.setField(type.findFieldByName("string"), "1").build();
      default:
        break;
    }
    for (FieldDescriptor f : type.getFields()) {
      Object v = sample(f, depth);
      if (v == null) continue;
      if (f.isRepeated()) b.addRepeatedField(f, v);
      else b.setField(f, v);
    }
    return b.build();
  }

  private static Object sample(FieldDescriptor f, int depth) {
    switch (f.getJavaType()) {
      case STRING: return f.getName().equals("key") ? "key" : "name";
      case BYTE_STRING: return ByteString.copyFromUtf8("x");
      case BOOLEAN: return true;
      case INT: return 1;
      case LONG: return 1L;
      case DOUBLE: return 1.5d;
      case FLOAT: return 1.5f;
      case MESSAGE:
        if (f.isMapField()) return populated(f.getMessageType(), depth);
        return depth < 7 ? populated(f.getMessageType(), depth + 1) : null;
      default: return null;
    }
  }

  /** No proto-only spellings or inline wrapper names leak into the JSON. */
  private static void assertNoProtoOnlyNames(JsonNode node, String where) {
    if (node.isArray()) {
      for (JsonNode e : node) assertNoProtoOnlyNames(e, where);
    } else if (node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
        String name = it.next();
        assertThat(name).as(where).isNotIn("volumeSource", "handler", "localObjectReference", "uID", "Webhooks",
            "ingressRuleValue", "ephemeralContainerCommon", "persistentVolumeSource", "xKubernetesListType");
        assertNoProtoOnlyNames(node.get(name), where + "." + name);
      }
    }
  }
}
