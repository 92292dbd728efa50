package io.planet.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import org.junit.jupiter.api.Test;

class JsonPatchTest {
  /** JSON with single quotes, for readable test data. */
  static JsonNode j(String json) {
    return Json.parse(json.replace('\'', '"'));
  }

  private static JsonNode apply(String doc, String patch) {
    return JsonPatch.apply(j(doc), j(patch));
  }

  private static ApiException failure(String doc, String patch) {
    try {
      apply(doc, patch);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected the patch to fail");
  }

  @Test
  void addsMembersAndArrayElements() {
    assertThat(apply("{'a':1}", "[{'op':'add','path':'/b','value':{'c':[1]}}]")).isEqualTo(j("{'a':1,'b':{'c':[1]}}"));
    assertThat(apply("{'l':[1,3]}", "[{'op':'add','path':'/l/1','value':2}]")).isEqualTo(j("{'l':[1,2,3]}"));
    assertThat(apply("{'l':[1]}", "[{'op':'add','path':'/l/-','value':2}]")).isEqualTo(j("{'l':[1,2]}"));
    assertThat(apply("{'l':[1]}", "[{'op':'add','path':'/l/1','value':2}]")).isEqualTo(j("{'l':[1,2]}"));
    // add replaces an existing member
    assertThat(apply("{'a':1}", "[{'op':'add','path':'/a','value':2}]")).isEqualTo(j("{'a':2}"));
  }

  @Test
  void negativeIndicesCountFromTheEndAsJsonPatchV4Does() {
    // add counts from len+1, so -1 appends and -2 inserts before the last element
    assertThat(apply("{'l':[1,2]}", "[{'op':'add','path':'/l/-1','value':9}]")).isEqualTo(j("{'l':[1,2,9]}"));
    assertThat(apply("{'l':[1,2]}", "[{'op':'add','path':'/l/-2','value':9}]")).isEqualTo(j("{'l':[1,9,2]}"));
    assertThat(apply("{'l':[1,2,3]}", "[{'op':'remove','path':'/l/-1'}]")).isEqualTo(j("{'l':[1,2]}"));
  }

  @Test
  void removesMembersAndElements() {
    assertThat(apply("{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]")).isEqualTo(j("{'b':2}"));
    assertThat(apply("{'l':['x','y','z']}", "[{'op':'remove','path':'/l/1'}]")).isEqualTo(j("{'l':['x','z']}"));
  }

  @Test
  void replacesValues() {
    assertThat(apply("{'a':{'b':1}}", "[{'op':'replace','path':'/a/b','value':'x'}]")).isEqualTo(j("{'a':{'b':'x'}}"));
    assertThat(apply("{'l':[1,2]}", "[{'op':'replace','path':'/l/0','value':7}]")).isEqualTo(j("{'l':[7,2]}"));
    assertThat(apply("{'a':1}", "[{'op':'replace','path':'','value':{'z':0}}]")).isEqualTo(j("{'z':0}"));
  }

  @Test
  void replaceOfMissingObjectMemberAddsItLikeUpstream() {
    assertThat(apply("{'a':{}}", "[{'op':'replace','path':'/a/new','value':1}]")).isEqualTo(j("{'a':{'new':1}}"));
  }

  @Test
  void movesAndCopies() {
    assertThat(apply("{'a':{'x':1},'b':{}}", "[{'op':'move','from':'/a/x','path':'/b/y'}]"))
        .isEqualTo(j("{'a':{},'b':{'y':1}}"));
    assertThat(apply("{'l':[1,2,3]}", "[{'op':'move','from':'/l/0','path':'/l/-'}]")).isEqualTo(j("{'l':[2,3,1]}"));
    JsonNode copied = apply("{'a':{'x':[1]}}", "[{'op':'copy','from':'/a','path':'/b'}]");
    assertThat(copied).isEqualTo(j("{'a':{'x':[1]},'b':{'x':[1]}}"));
    assertThat(copied.get("a")).isNotSameAs(copied.get("b"));
  }

  @Test
  void testOperationComparesValues() {
    assertThat(apply("{'a':{'b':[1,'x']}}",
        "[{'op':'test','path':'/a','value':{'b':[1,'x']}},{'op':'add','path':'/ok','value':true}]"))
        .isEqualTo(j("{'a':{'b':[1,'x']},'ok':true}"));
    // a missing member tests equal to null
    assertThat(apply("{'a':1}", "[{'op':'test','path':'/missing','value':null}]")).isEqualTo(j("{'a':1}"));
  }

  @Test
  void pointerEscapesAreDecoded() {
    JsonNode doc = j("{'metadata':{'annotations':{'example.com/a~b':'1'}}}");
    JsonNode out = JsonPatch.apply(doc,
        j("[{'op':'replace','path':'/metadata/annotations/example.com~1a~0b','value':'2'},"
            + "{'op':'add','path':'/metadata/annotations/x~01','value':'3'}]"));
    assertThat(out.at("/metadata/annotations")).isEqualTo(j("{'example.com/a~b':'2','x~1':'3'}"));
    assertThat(JsonPatch.unescape("~01")).isEqualTo("~1");
  }

  @Test
  void failedTestIsUnprocessableWithUpstreamsGenericMessage() {
    ApiException e = failure("{'a':1}", "[{'op':'test','path':'/a','value':2}]");
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.reason()).isEqualTo("Invalid");
    assertThat(e.getMessage()).isEqualTo("the server rejected our request due to an error in our request");
    assertThat(e.getCause()).hasMessage("testing value /a failed");
  }

  @Test
  void operationsThatDoNotApplyAreUnprocessable() {
    assertThat(failure("{'a':1}", "[{'op':'remove','path':'/b'}]").code()).isEqualTo(422);
    assertThat(failure("{'a':1}", "[{'op':'add','path':'/x/y','value':1}]").code()).isEqualTo(422);
    assertThat(failure("{'l':[1]}", "[{'op':'add','path':'/l/5','value':1}]").code()).isEqualTo(422);
    assertThat(failure("{'l':[1]}", "[{'op':'replace','path':'/l/1','value':1}]").code()).isEqualTo(422);
    assertThat(failure("{'a':1}", "[{'op':'move','from':'/nope','path':'/b'}]").code()).isEqualTo(422);
    assertThat(failure("{'a':'s'}", "[{'op':'add','path':'/a/b','value':1}]").code()).isEqualTo(422);
    ApiException unknown = failure("{}", "[{'op':'frobnicate','path':'/a'}]");
    assertThat(unknown.code()).isEqualTo(422);
    assertThat(unknown.getCause()).hasMessage("Unexpected kind: frobnicate");
    assertThat(failure("{}", "[{'op':'add','value':1}]").code()).isEqualTo(422);
  }

  @Test
  void malformedPatchDocumentIsBadRequest() {
    ApiException notArray = failure("{}", "{'op':'add'}");
    assertThat(notArray.code()).isEqualTo(400);
    assertThat(notArray.reason()).isEqualTo("BadRequest");
    assertThat(notArray.getMessage()).isEqualTo("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    ApiException notObject = failure("{}", "[1]");
    assertThat(notObject.code()).isEqualTo(400);
    assertThat(notObject.getMessage())
        .isEqualTo("json: cannot unmarshal number into Go value of type jsonpatch.Operation");
  }

  @Test
  void tooManyOperationsIsRequestEntityTooLarge() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i <= JsonPatch.MAX_OPERATIONS; i++) {
      if (i > 0) b.append(',');
      b.append("{'op':'test','path':'/a','value':1}");
    }
    ApiException e = failure("{'a':1}", b.append(']').toString());
    assertThat(e.code()).isEqualTo(413);
    assertThat(e.getMessage()).isEqualTo(
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
  }

  @Test
  void documentIsNotModifiedEvenWhenALaterOperationFails() {
    JsonNode doc = j("{'a':1}");
    assertThatThrownBy(() -> JsonPatch.apply(doc,
        j("[{'op':'add','path':'/b','value':2},{'op':'test','path':'/a','value':3}]")))
        .isInstanceOf(ApiException.class);
    assertThat(doc).isEqualTo(j("{'a':1}"));
  }
}
