package io.planet.api.patch;

import static io.planet.api.patch.JsonPatchTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ApiException;
import io.planet.api.schema.Schema;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strategic merge patch on Pod/Deployment-shaped objects, as kubectl patch and client-side apply send them. */
class StrategicMergePatchTest {
  private static final Schema POD = TestSchemas.pod();
  private static final Schema DEPLOYMENT = TestSchemas.deployment();

  private static final String POD_DOC = "{'apiVersion':'v1','kind':'Pod',"
      + "'metadata':{'name':'p','labels':{'app':'web','tier':'fe'},'finalizers':['a','b','c'],"
      + "'ownerReferences':[{'uid':'u1','kind':'ReplicaSet','name':'rs1'}]},"
      + "'spec':{'containers':["
      + "{'name':'c1','image':'busybox:1.35','args':['sleep','1'],"
      + "'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}],"
      + "'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443,'protocol':'TCP'}]},"
      + "{'name':'c2','image':'nginx'}],"
      + "'volumes':[{'name':'data','emptyDir':{}}],"
      + "'tolerations':[{'key':'k1','operator':'Exists'}],"
      + "'nodeSelector':{'disk':'ssd','zone':'a'}}}";

  private static JsonNode patchPod(String patch) {
    return StrategicMergePatch.apply(j(POD_DOC), j(patch), POD);
  }

  private static List<String> names(JsonNode list, String key) {
    List<String> out = new ArrayList<>();
    list.forEach(e -> out.add(e.get(key).asText()));
    return out;
  }

  private static ApiException failure(String doc, String patch, Schema schema) {
    try {
      StrategicMergePatch.apply(j(doc), j(patch), schema);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected the patch to fail");
  }

  @Test
  void mergesListElementsByMergeKey() {
    JsonNode out = patchPod("{'spec':{'containers':[{'name':'c2','image':'nginx:1.27'}]}}");
    JsonNode containers = out.at("/spec/containers");
    assertThat(names(containers, "name")).containsExactly("c1", "c2");
    assertThat(containers.get(1)).isEqualTo(j("{'name':'c2','image':'nginx:1.27'}"));
    assertThat(containers.get(0).get("image").asText()).isEqualTo("busybox:1.35");
  }

  @Test
  void mergesNestedListsByTheirOwnKeys() {
    JsonNode out = patchPod("{'spec':{'containers':[{'name':'c1',"
        + "'ports':[{'containerPort':443,'protocol':'UDP'}],'env':[{'name':'B','value':'two'}]}]}}");
    JsonNode c1 = out.at("/spec/containers/0");
    assertThat(c1.get("ports")).isEqualTo(j("[{'containerPort':80,'protocol':'TCP'},{'containerPort':443,'protocol':'UDP'}]"));
    assertThat(c1.get("env")).isEqualTo(j("[{'name':'A','value':'1'},{'name':'B','value':'two'}]"));
  }

  @Test
  void newElementsWithoutOrderDirectiveGoBeforeServerOnlyOnesAsUpstream() {
    JsonNode out = patchPod("{'spec':{'containers':[{'name':'c3','image':'redis'}]}}");
    assertThat(names(out.at("/spec/containers"), "name")).containsExactly("c3", "c1", "c2");
  }

  @Test
  void setElementOrderFromClientSideApply() {
    JsonNode out = patchPod("{'spec':{'$setElementOrder/containers':[{'name':'c1'},{'name':'c2'}],"
        + "'containers':[{'image':'busybox:1.36','name':'c1'}]}}");
    JsonNode containers = out.at("/spec/containers");
    assertThat(names(containers, "name")).containsExactly("c1", "c2");
    assertThat(containers.get(0).get("image").asText()).isEqualTo("busybox:1.36");
    assertThat(out.get("spec").has("$setElementOrder/containers")).isFalse();
  }

  @Test
  void setElementOrderPlacesNewAndReordersExistingElements() {
    JsonNode out = patchPod("{'spec':{'$setElementOrder/containers':[{'name':'c2'},{'name':'c3'},{'name':'c1'}],"
        + "'containers':[{'name':'c3','image':'redis'}]}}");
    assertThat(names(out.at("/spec/containers"), "name")).containsExactly("c2", "c3", "c1");
  }

  @Test
  void setElementOrderAloneReordersAList() {
    JsonNode out = patchPod("{'spec':{'containers':[{'name':'c1',"
        + "'$setElementOrder/env':[{'name':'B'},{'name':'A'}]}]}}");
    assertThat(names(out.at("/spec/containers/0/env"), "name")).containsExactly("B", "A");
  }

  @Test
  void patchDeleteDirectiveRemovesElement() {
    JsonNode out = patchPod("{'spec':{'$setElementOrder/containers':[{'name':'c1'}],"
        + "'containers':[{'$patch':'delete','name':'c2'}]}}");
    assertThat(out.at("/spec/containers")).hasSize(1);
    assertThat(out.at("/spec/containers/0/name").asText()).isEqualTo("c1");
  }

  @Test
  void patchReplaceDirectiveReplacesList() {
    JsonNode out = patchPod("{'spec':{'containers':[{'name':'only','image':'x'},{'$patch':'replace'}]}}");
    assertThat(out.at("/spec/containers")).isEqualTo(j("[{'name':'only','image':'x'}]"));
  }

  @Test
  void patchReplaceAndDeleteDirectivesOnMaps() {
    JsonNode replaced = patchPod("{'spec':{'nodeSelector':{'$patch':'replace','gpu':'true'}}}");
    assertThat(replaced.at("/spec/nodeSelector")).isEqualTo(j("{'gpu':'true'}"));
    JsonNode deleted = patchPod("{'metadata':{'labels':{'$patch':'delete'}}}");
    assertThat(deleted.at("/metadata/labels")).isEqualTo(j("{}"));
  }

  @Test
  void primitiveListWithMergeStrategyIsUnionedAndDeleteListRemoves() {
    JsonNode union = patchPod("{'metadata':{'finalizers':['c','d']}}");
    assertThat(union.at("/metadata/finalizers")).isEqualTo(j("['a','b','c','d']"));
    JsonNode removed = patchPod("{'metadata':{'$deleteFromPrimitiveList/finalizers':['b','zz']}}");
    assertThat(removed.at("/metadata/finalizers")).isEqualTo(j("['a','c']"));
    JsonNode both = patchPod("{'metadata':{'$setElementOrder/finalizers':['a','x','c'],"
        + "'$deleteFromPrimitiveList/finalizers':['b'],'finalizers':['x']}}");
    assertThat(both.at("/metadata/finalizers")).isEqualTo(j("['a','x','c']"));
  }

  @Test
  void atomicListsAreReplaced() {
    JsonNode out = patchPod("{'spec':{'tolerations':[{'key':'k2','operator':'Equal','value':'v'}],"
        + "'containers':[{'name':'c1','args':['sleep','99']}]}}");
    assertThat(out.at("/spec/tolerations")).isEqualTo(j("[{'key':'k2','operator':'Equal','value':'v'}]"));
    assertThat(out.at("/spec/containers/0/args")).isEqualTo(j("['sleep','99']"));
  }

  @Test
  void nullDeletesMapKeysAtAnyDepthAndUnmatchedNullsAreIgnored() {
    JsonNode out = patchPod("{'metadata':{'labels':{'tier':null,'env':'prod','nothere':null}},"
        + "'spec':{'nodeSelector':null}}");
    assertThat(out.at("/metadata/labels")).isEqualTo(j("{'app':'web','env':'prod'}"));
    assertThat(out.get("spec").has("nodeSelector")).isFalse();
  }

  @Test
  void retainKeysClearsUnlistedKeysOfVolumeSource() {
    JsonNode out = patchPod("{'spec':{'$setElementOrder/volumes':[{'name':'data'}],"
        + "'volumes':[{'$retainKeys':['hostPath','name'],'hostPath':{'path':'/x'},'name':'data'}]}}");
    assertThat(out.at("/spec/volumes")).isEqualTo(j("[{'name':'data','hostPath':{'path':'/x'}}]"));
  }

  @Test
  void retainKeysOnDeploymentStrategy() {
    String doc = "{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}";
    JsonNode out = StrategicMergePatch.apply(j(doc),
        j("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}"), DEPLOYMENT);
    assertThat(out.at("/spec/strategy")).isEqualTo(j("{'type':'Recreate'}"));
    // without the directive the map merges as usual
    JsonNode merged = StrategicMergePatch.apply(j(doc), j("{'spec':{'strategy':{'type':'Recreate'}}}"), DEPLOYMENT);
    assertThat(merged.at("/spec/strategy")).isEqualTo(j("{'type':'Recreate','rollingUpdate':{'maxSurge':1}}"));
  }

  @Test
  void retainKeysMustListEveryPatchedKey() {
    ApiException e = failure("{'spec':{'strategy':{'type':'RollingUpdate'}}}",
        "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':{}}}}", DEPLOYMENT);
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("invalid patch format of retainKeys");
    ApiException notList = failure("{'spec':{}}", "{'spec':{'$retainKeys':'type'}}", DEPLOYMENT);
    assertThat(notList.code()).isEqualTo(400);
  }

  @Test
  void deploymentTemplateContainersMergeThroughNestedSchemas() {
    String doc = "{'spec':{'template':{'spec':{'containers':[{'name':'app','image':'v1','env':[{'name':'X','value':'1'}]}]}}}}";
    JsonNode out = StrategicMergePatch.apply(j(doc),
        j("{'spec':{'template':{'spec':{'containers':[{'name':'app','env':[{'name':'Y','value':'2'}]}]}}}}"),
        DEPLOYMENT);
    assertThat(names(out.at("/spec/template/spec/containers/0/env"), "name")).containsExactly("Y", "X");
    assertThat(out.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("v1");
  }

  @Test
  void ownerReferencesMergeOnUid() {
    JsonNode out = patchPod("{'metadata':{'ownerReferences':[{'uid':'u1','name':'rs1b'},{'uid':'u2','kind':'Job','name':'j'}]}}");
    assertThat(names(out.at("/metadata/ownerReferences"), "uid")).containsExactly("u1", "u2");
    assertThat(out.at("/metadata/ownerReferences/0")).isEqualTo(j("{'uid':'u1','kind':'ReplicaSet','name':'rs1b'}"));
  }

  @Test
  void withoutSchemaMapsMergeAndListsAreReplaced() {
    JsonNode out = StrategicMergePatch.apply(j(POD_DOC),
        j("{'metadata':{'labels':{'x':'y'}},'spec':{'containers':[{'name':'c9'}]}}"), null);
    assertThat(out.at("/metadata/labels")).isEqualTo(j("{'app':'web','tier':'fe','x':'y'}"));
    assertThat(out.at("/spec/containers")).isEqualTo(j("[{'name':'c9'}]"));
  }

  @Test
  void fieldsUnknownToTheSchemaBehaveAsWithoutSchema() {
    JsonNode out = patchPod("{'spec':{'extra':{'l':[2]},'containers':[{'name':'c1','extraList':[1]}]},"
        + "'status':{'phase':'Running'}}");
    assertThat(out.at("/spec/extra")).isEqualTo(j("{'l':[2]}"));
    assertThat(out.at("/status/phase").asText()).isEqualTo("Running");
    JsonNode again = StrategicMergePatch.apply(out, j("{'spec':{'extra':{'l':[3],'m':1}}}"), POD);
    assertThat(again.at("/spec/extra")).isEqualTo(j("{'l':[3],'m':1}"));
  }

  @Test
  void directiveKeysAndNullsNeverReachTheResult() {
    JsonNode out = patchPod("{'spec':{'containers':[{'name':'c3','image':'x','$setElementOrder/env':[{'name':'E'}],"
        + "'env':[{'name':'E','value':null}],'resources':{'limits':{'cpu':null}}}],"
        + "'newMap':{'$patch':'replace','a':1,'b':null}}}");
    JsonNode c3 = out.at("/spec/containers/0");
    assertThat(c3).isEqualTo(j("{'name':'c3','image':'x','env':[{'name':'E'}],'resources':{'limits':{}}}"));
    assertThat(out.at("/spec/newMap")).isEqualTo(j("{'a':1}"));
  }

  @Test
  void documentIsNotModified() {
    JsonNode doc = j(POD_DOC);
    StrategicMergePatch.apply(doc, j("{'spec':{'containers':[{'name':'c1','image':'z'}]},'metadata':{'labels':null}}"),
        POD);
    assertThat(doc).isEqualTo(j(POD_DOC));
  }

  @Test
  void nullPatchIsANoOpAndNonObjectPatchIsBadRequest() {
    assertThat(StrategicMergePatch.apply(j(POD_DOC), j("null"), POD)).isEqualTo(j(POD_DOC));
    ApiException e = failure(POD_DOC, "[1]", POD);
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("json: cannot unmarshal array into Go value of type map[string]interface {}");
  }

  @Test
  void unknownPatchDirectiveIsPassedThroughAsUpstreamsPlainError() {
    ApiException onMap = failure(POD_DOC, "{'metadata':{'labels':{'$patch':'foo','a':'b'}}}", POD);
    assertThat(onMap.code()).isEqualTo(500);
    assertThat(onMap.reason()).isEmpty();
    assertThat(onMap.getMessage()).isEqualTo("unknown patch type: foo in map: map[$patch:foo a:b]");
    ApiException onElement = failure(POD_DOC, "{'spec':{'containers':[{'name':'c1','$patch':'merge'}]}}", POD);
    assertThat(onElement.getMessage()).isEqualTo("merging lists cannot yet be specified in the patch");
  }

  @Test
  void missingMergeKeyIsAnError() {
    ApiException e = failure(POD_DOC, "{'spec':{'containers':[{'image':'x'}]}}", POD);
    assertThat(e.code()).isEqualTo(500);
    assertThat(e.getMessage()).isEqualTo("map: map[image:x] does not contain declared merge key: name");
  }

  @Test
  void malformedDirectiveKeysAreBadRequest() {
    ApiException delete = failure(POD_DOC, "{'metadata':{'$deleteFromPrimitiveListfinalizers':['a']}}", POD);
    assertThat(delete.code()).isEqualTo(400);
    assertThat(delete.getMessage()).isEqualTo("invalid patch format of primitive list");
    ApiException order = failure(POD_DOC, "{'spec':{'$setElementOrdercontainers':[]}}", POD);
    assertThat(order.code()).isEqualTo(400);
    assertThat(order.getMessage()).isEqualTo("invalid patch format of setElementOrder list");
  }

  @Test
  void listsOfListsAreUnprocessable() {
    ApiException e = failure("{'metadata':{'finalizers':[['a']]}}", "{'metadata':{'finalizers':[['b']]}}", POD);
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.getMessage()).isEqualTo("the server rejected our request due to an error in our request");
  }
}
