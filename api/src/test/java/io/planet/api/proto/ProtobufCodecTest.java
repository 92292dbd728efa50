package io.planet.api.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import io.kubernetes.client.proto.Runtime;
import io.planet.api.ApiException;
import io.planet.api.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bodies are built as client-go builds them: the object's message (written here in protobuf text format, with
 * the zero values go-to-protobuf writes for non-pointer fields) wrapped in runtime.Unknown after "k8s\0".
 * client-java-proto's generated builders cannot be used: they fail verification on protobuf-java 3.25.
 */
class ProtobufCodecTest {
  private static final Descriptor UNKNOWN = Runtime.getDescriptor().findMessageTypeByName("Unknown");

  /** The fields go-to-protobuf writes even when unset: empty strings, zero numbers, zero Time. */
  private static final String GO_META_ZEROS =
      "generateName: '' selfLink: '' uid: '' resourceVersion: '' generation: 0 creationTimestamp {}";

  static ByteString message(String apiVersion, String kind, String text) {
    Descriptor type = ProtoKinds.find(apiVersion, kind);
    assertThat(type).as("message type of %s %s", apiVersion, kind).isNotNull();
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    try {
      TextFormat.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new AssertionError(e);
    }
    return b.build().toByteString();
  }

  static byte[] body(String apiVersion, String kind, String text) {
    return wrap(apiVersion, kind, message(apiVersion, kind, text));
  }

  static byte[] wrap(String apiVersion, String kind, ByteString raw) {
    Descriptor typeMetaType = UNKNOWN.findFieldByName("typeMeta").getMessageType();
    DynamicMessage typeMeta = DynamicMessage.newBuilder(typeMetaType)
        .setField(typeMetaType.findFieldByName("apiVersion"), apiVersion)
        .setField(typeMetaType.findFieldByName("kind"), kind)
        .build();
    DynamicMessage unknown = DynamicMessage.newBuilder(UNKNOWN)
        .setField(UNKNOWN.findFieldByName("typeMeta"), typeMeta)
        .setField(UNKNOWN.findFieldByName("raw"), raw)
        .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'k', '8', 's', 0});
    out.writeBytes(unknown.toByteArray());
    return out.toByteArray();
  }

  static JsonNode json(String text) {
    return Json.parse(text.replace('\'', '"'));
  }

  @Test
  void recognisesProtobufContentType() {
    assertThat(ProtobufCodec.isProtobuf("application/vnd.kubernetes.protobuf")).isTrue();
    assertThat(ProtobufCodec.isProtobuf("Application/VND.Kubernetes.Protobuf; charset=utf-8")).isTrue();
    assertThat(ProtobufCodec.isProtobuf("application/vnd.kubernetes.protobuf;stream=watch")).isTrue();
    assertThat(ProtobufCodec.isProtobuf("application/json")).isFalse();
    assertThat(ProtobufCodec.isProtobuf("application/vnd.kubernetes.protobuf+json")).isFalse();
    assertThat(ProtobufCodec.isProtobuf(null)).isFalse();
  }

  @Test
  void decodesConfigMapWithDataAndLabels() {
    ObjectNode obj = ProtobufCodec.decode(body("v1", "ConfigMap", """
        metadata { name: 'cm1' namespace: 'default' %s
                   labels { key: 'app' value: 'web' } labels { key: 'empty' value: '' } }
        data { key: 'a' value: '1' } data { key: 'b' value: '' }
        binaryData { key: 'bin' value: '\\000\\001\\002\\377' }
        """.formatted(GO_META_ZEROS)));

    assertThat(obj).isEqualTo(json("{'kind':'ConfigMap','apiVersion':'v1',"
        + "'metadata':{'name':'cm1','namespace':'default','creationTimestamp':null,"
        + "'labels':{'app':'web','empty':''}},"
        + "'data':{'a':'1','b':''},'binaryData':{'bin':'AAEC/w=='}}"));
    assertThat(obj.fieldNames().next()).isEqualTo("kind");
  }

  @Test
  void decodesSecretWithBinaryDataAsBase64() {
    ObjectNode obj = ProtobufCodec.decode(body("v1", "Secret", """
        metadata { name: 's1' namespace: '' %s }
        data { key: 'key' value: '\\336\\255\\276\\357' } data { key: 'password' value: 'hunter2' }
        stringData { key: 'plain' value: 'text' }
        type: 'Opaque' immutable: false
        """.formatted(GO_META_ZEROS)));

    assertThat(obj).isEqualTo(json("{'kind':'Secret','apiVersion':'v1',"
        + "'metadata':{'name':'s1','creationTimestamp':null},'immutable':false,"
        + "'data':{'key':'3q2+7w==','password':'aHVudGVyMg=='},'stringData':{'plain':'text'},'type':'Opaque'}"));
  }

  @Test
  void decodesNamespace() {
    ObjectNode obj = ProtobufCodec.decode(body("v1", "Namespace",
        "metadata { name: 'team-a' namespace: '' " + GO_META_ZEROS + " } spec {} status { phase: '' }"));

    assertThat(obj).isEqualTo(json("{'kind':'Namespace','apiVersion':'v1',"
        + "'metadata':{'name':'team-a','creationTimestamp':null},'spec':{},'status':{}}"));
  }

  @Test
  void decodesDeploymentLikeKubectlCreateDeployment() {
    ObjectNode obj = ProtobufCodec.decode(body("apps/v1", "Deployment", """
        metadata { name: 'web' %1$s labels { key: 'app' value: 'web' } }
        spec {
          replicas: 3
          selector { matchLabels { key: 'app' value: 'web' } }
          template {
            metadata { name: '' %1$s labels { key: 'app' value: 'web' } }
            spec {
              volumes { name: 'cache' volumeSource { emptyDir {} } }
              volumes { name: 'conf' volumeSource { configMap {
                localObjectReference { name: 'web-conf' } defaultMode: 0 } } }
              containers {
                name: 'nginx' image: 'nginx:1.27' workingDir: '' terminationMessagePath: ''
                imagePullPolicy: '' stdin: false tty: false
                ports { containerPort: 80 hostPort: 0 protocol: 'TCP' }
                resources { limits { key: 'cpu' value { string: '500m' } }
                            limits { key: 'memory' value { string: '128Mi' } } }
                readinessProbe { handler { httpGet { path: '/healthz' port { type: 1 strVal: 'http' } } }
                                 periodSeconds: 5 timeoutSeconds: 0 }
              }
              restartPolicy: '' terminationGracePeriodSeconds: 0 hostNetwork: false
            }
          }
          strategy { type: 'RollingUpdate'
                     rollingUpdate { maxSurge { type: 1 strVal: '25%%' } maxUnavailable { type: 0 intVal: 0 } } }
          minReadySeconds: 0 paused: false
        }
        status {}
        """.formatted(GO_META_ZEROS)));

    assertThat(obj).isEqualTo(json("{'kind':'Deployment','apiVersion':'apps/v1',"
        + "'metadata':{'name':'web','creationTimestamp':null,'labels':{'app':'web'}},"
        + "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}},"
        + "'template':{'metadata':{'creationTimestamp':null,'labels':{'app':'web'}},"
        + "'spec':{'volumes':[{'name':'cache','emptyDir':{}},"
        + "{'name':'conf','configMap':{'name':'web-conf','defaultMode':0}}],"
        + "'containers':[{'name':'nginx','image':'nginx:1.27',"
        + "'ports':[{'containerPort':80,'protocol':'TCP'}],"
        + "'resources':{'limits':{'cpu':'500m','memory':'128Mi'}},"
        + "'readinessProbe':{'httpGet':{'path':'/healthz','port':'http'},'periodSeconds':5}}],"
        + "'terminationGracePeriodSeconds':0}},"
        + "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':0,'maxSurge':'25%'}}},"
        + "'status':{}}"));
  }

  @Test
  void decodesIntOrStringNumbersAndDropsZeroTargetPort() {
    ObjectNode obj = ProtobufCodec.decode(body("v1", "Service", """
        metadata { name: 'web' }
        spec {
          ports { name: 'a' port: 80 targetPort { type: 0 intVal: 8080 } }
          ports { name: 'b' port: 81 targetPort { type: 0 intVal: 0 } nodePort: 0 }
        }
        """));

    assertThat(obj.at("/spec/ports"))
        .isEqualTo(json("[{'name':'a','port':80,'targetPort':8080},{'name':'b','port':81}]"));
  }

  @Test
  void decodesDeleteOptionsInAnyGroupVersion() {
    String text = "gracePeriodSeconds: 0 propagationPolicy: 'Foreground' dryRun: 'All' preconditions { uid: 'u-1' }";
    ByteString raw = message("meta.k8s.io/v1", "DeleteOptions", text);

    assertThat(ProtobufCodec.decode(wrap("v1", "DeleteOptions", raw))).isEqualTo(json(
        "{'kind':'DeleteOptions','apiVersion':'v1','gracePeriodSeconds':0,'preconditions':{'uid':'u-1'},"
            + "'propagationPolicy':'Foreground','dryRun':['All']}"));
    assertThat(ProtobufCodec.decode(wrap("apps/v1", "DeleteOptions", raw)).get("apiVersion").asText())
        .isEqualTo("apps/v1");
    assertThat(ProtobufCodec.decode(wrap("batch/v1", "DeleteOptions", raw)).get("propagationPolicy").asText())
        .isEqualTo("Foreground");
  }

  @Test
  void decodesEviction() {
    ObjectNode obj = ProtobufCodec.decode(body("policy/v1", "Eviction", """
        metadata { name: 'pod-1' namespace: 'ns' %s }
        deleteOptions { gracePeriodSeconds: 30 }
        """.formatted(GO_META_ZEROS)));

    assertThat(obj).isEqualTo(json("{'kind':'Eviction','apiVersion':'policy/v1',"
        + "'metadata':{'name':'pod-1','namespace':'ns','creationTimestamp':null},"
        + "'deleteOptions':{'gracePeriodSeconds':30}}"));
  }

  @Test
  void decodesSelfSubjectAccessReview() {
    ObjectNode obj = ProtobufCodec.decode(body("authorization.k8s.io/v1", "SelfSubjectAccessReview", """
        metadata { name: '' namespace: '' %s }
        spec { resourceAttributes { namespace: 'default' verb: 'create' group: '' version: ''
                                    resource: 'pods' subresource: '' name: '' } }
        status { allowed: false }
        """.formatted(GO_META_ZEROS)));

    assertThat(obj).isEqualTo(json("{'kind':'SelfSubjectAccessReview','apiVersion':'authorization.k8s.io/v1',"
        + "'metadata':{'creationTimestamp':null},"
        + "'spec':{'resourceAttributes':{'namespace':'default','verb':'create','resource':'pods'}},"
        + "'status':{}}"));
  }

  @Test
  void decodesTokenRequestWithRenamedUid() {
    ObjectNode obj = ProtobufCodec.decode(body("authentication.k8s.io/v1", "TokenRequest", """
        metadata { name: 'builder' %s }
        spec { audiences: 'https://kubernetes.default.svc' expirationSeconds: 3600
               boundObjectRef { kind: 'Pod' apiVersion: 'v1' name: 'p' uID: 'p-uid' } }
        status { token: '' expirationTimestamp {} }
        """.formatted(GO_META_ZEROS)));

    assertThat(obj).isEqualTo(json("{'kind':'TokenRequest','apiVersion':'authentication.k8s.io/v1',"
        + "'metadata':{'name':'builder','creationTimestamp':null},"
        + "'spec':{'audiences':['https://kubernetes.default.svc'],'expirationSeconds':3600,"
        + "'boundObjectRef':{'kind':'Pod','apiVersion':'v1','name':'p','uid':'p-uid'}},"
        + "'status':{'expirationTimestamp':null}}"));
  }

  @Test
  void decodesScale() {
    ObjectNode obj = ProtobufCodec.decode(body("autoscaling/v1", "Scale", """
        metadata { name: 'web' namespace: 'default' resourceVersion: '42' creationTimestamp {} }
        spec { replicas: 5 } status { replicas: 0 selector: '' }
        """));

    assertThat(obj).isEqualTo(json("{'kind':'Scale','apiVersion':'autoscaling/v1',"
        + "'metadata':{'name':'web','namespace':'default','resourceVersion':'42','creationTimestamp':null},"
        + "'spec':{'replicas':5},'status':{}}"));
  }

  @Test
  void rendersTimeWithoutFractionAndMicroTimeWithMicroseconds() {
    ObjectNode obj = ProtobufCodec.decode(body("events.k8s.io/v1", "Event", """
        metadata { name: 'e1' creationTimestamp { seconds: 1704164645 nanos: 999000000 } }
        eventTime { seconds: 1704164645 nanos: 123456789 }
        deprecatedFirstTimestamp { seconds: 0 }
        reportingController: 'kubelet'
        """));

    assertThat(obj.at("/metadata/creationTimestamp").asText()).isEqualTo("2024-01-02T03:04:05Z");
    assertThat(obj.get("eventTime").asText()).isEqualTo("2024-01-02T03:04:05.123456Z");
    assertThat(obj.get("deprecatedFirstTimestamp").asText()).isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void keepsExplicitZerosOfPointerFieldsInLeaderElectionLease() {
    ObjectNode obj = ProtobufCodec.decode(body("coordination.k8s.io/v1", "Lease", """
        metadata { name: 'kube-scheduler' namespace: 'kube-system' }
        spec { holderIdentity: 'node-1' leaseDurationSeconds: 15 leaseTransitions: 0
               renewTime { seconds: 1704164645 nanos: 5000 } }
        """));

    assertThat(obj.get("spec")).isEqualTo(json("{'holderIdentity':'node-1','leaseDurationSeconds':15,"
        + "'renewTime':'2024-01-02T03:04:05.000005Z','leaseTransitions':0}"));
  }

  @Test
  void embedsRawExtensionJson() {
    ObjectNode obj = ProtobufCodec.decode(body("apps/v1", "ControllerRevision", """
        metadata { name: 'web-1' }
        data { raw: '{"spec":{"template":{"x":[1,2]}}}' }
        revision: 1
        """));

    assertThat(obj.get("data")).isEqualTo(json("{'spec':{'template':{'x':[1,2]}}}"));
    assertThat(obj.get("revision").asInt()).isEqualTo(1);
  }

  @Test
  void rendersOwnerReferencesAndManagedFields() {
    ObjectNode obj = ProtobufCodec.decode(body("v1", "ConfigMap", """
        metadata { name: 'p'
          ownerReferences { apiVersion: 'apps/v1' kind: 'ReplicaSet' name: 'rs' uid: 'u' controller: true
                            blockOwnerDeletion: false }
          managedFields { manager: 'kubectl' operation: 'Update' apiVersion: 'v1' fieldsType: 'FieldsV1'
                          fieldsV1 { Raw: '{"f:data":{}}' } time { seconds: 1704164645 } } }
        """));

    assertThat(obj.at("/metadata/ownerReferences")).isEqualTo(json(
        "[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'rs','uid':'u','controller':true,"
            + "'blockOwnerDeletion':false}]"));
    assertThat(obj.at("/metadata/managedFields")).isEqualTo(json(
        "[{'manager':'kubectl','operation':'Update','apiVersion':'v1','time':'2024-01-02T03:04:05Z',"
            + "'fieldsType':'FieldsV1','fieldsV1':{'f:data':{}}}]"));
  }

  @Test
  void rendersUserInfoExtraAsStringLists() {
    ObjectNode obj = ProtobufCodec.decode(body("authorization.k8s.io/v1", "SubjectAccessReview", """
        spec { user: 'alice' groups: 'devs' extra { key: 'scopes' value { items: 'a' items: 'b' } }
               nonResourceAttributes { path: '/healthz' verb: 'get' } }
        """));

    assertThat(obj.get("spec")).isEqualTo(json("{'nonResourceAttributes':{'path':'/healthz','verb':'get'},"
        + "'user':'alice','groups':['devs'],'extra':{'scopes':['a','b']}}"));
  }

  @Test
  void rendersCustomResourceDefinitionSchema() {
    ObjectNode obj = ProtobufCodec.decode(body("apiextensions.k8s.io/v1", "CustomResourceDefinition", """
        metadata { name: 'widgets.example.com' }
        spec { group: 'example.com'
          versions { name: 'v1' served: true storage: true
            schema { openAPIV3Schema {
              type: 'object'
              properties { key: 'size' value { type: 'integer' minimum: 0 maximum: 1.5 } }
              properties { key: 'tags' value { type: 'array' items { schema { type: 'string' } } } }
              additionalProperties { allows: false }
              default { raw: '{"size":1}' }
              xKubernetesPreserveUnknownFields: true
              ref: '#/x'
            } } } }
        """));

    assertThat(obj.at("/spec/versions/0/schema/openAPIV3Schema")).isEqualTo(json("{'$ref':'#/x','type':'object',"
        + "'default':{'size':1},'properties':{'size':{'type':'integer','maximum':1.5,'minimum':0},"
        + "'tags':{'type':'array','items':{'type':'string'}}},'additionalProperties':false,"
        + "'x-kubernetes-preserve-unknown-fields':true}"));
  }

  @Test
  void rejectsBodiesThatAreNotKubernetesProtobuf() {
    assertBadRequest(() -> ProtobufCodec.decode("{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8)), "k8s");
    assertBadRequest(() -> ProtobufCodec.decode(new byte[] {'k', '8', 's', 0, (byte) 0xff, (byte) 0xff, 1}),
        "unable to decode");
    assertBadRequest(() -> ProtobufCodec.decode(new byte[0]), "k8s");
    assertBadRequest(() -> ProtobufCodec.decode(null), "k8s");
  }

  @Test
  void rejectsUnknownKindsAndGarbagePayloads() {
    assertBadRequest(() -> ProtobufCodec.decode(wrap("v1", "Gizmo", ByteString.EMPTY)),
        "no kind \"Gizmo\" is registered for version \"v1\"");
    assertBadRequest(() -> ProtobufCodec.decode(wrap("example.com/v1", "ConfigMap", ByteString.EMPTY)),
        "no kind \"ConfigMap\"");
    assertBadRequest(() -> ProtobufCodec.decode(wrap("v1", "ConfigMap",
        ByteString.copyFrom(new byte[] {0x0a, 0x7f, 0x01}))), "unable to decode protobuf body as ConfigMap");
    assertBadRequest(() -> ProtobufCodec.decode(wrap("", "ConfigMap", ByteString.EMPTY)), "apiVersion");
    assertBadRequest(() -> ProtobufCodec.decode(wrap("v1", "", ByteString.EMPTY)), "Kind");
  }

  @Test
  void rejectsRawExtensionThatIsNotJson() {
    assertBadRequest(() -> ProtobufCodec.decode(body("apps/v1", "ControllerRevision", "data { raw: '{not json' }")),
        "not valid JSON");
  }

  private static void assertBadRequest(ThrowingCallable call, String text) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.code()).isEqualTo(400);
          assertThat(e.reason()).isEqualTo("BadRequest");
        })
        .hasMessageContaining(text);
  }
}
