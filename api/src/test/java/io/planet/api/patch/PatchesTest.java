package io.planet.api.patch;

import static io.planet.api.patch.JsonPatchTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ApiException;
import io.planet.api.schema.Schema;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PatchesTest {
  private static final Schema POD = TestSchemas.pod();
  private static final JsonNode DOC = j("{'metadata':{'name':'p','labels':{'a':'1'}},"
      + "'spec':{'containers':[{'name':'c1','image':'x'}]}}");

  private static byte[] body(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static ApiException failure(String contentType, String body, boolean customResource) {
    try {
      Patches.apply(contentType, DOC, body == null ? null : body(body), POD, customResource);
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("expected the patch to fail");
  }

  @Test
  void recognisesPatchTypesIgnoringParameters() {
    assertThat(PatchType.fromContentType("application/json-patch+json")).contains(PatchType.JSON);
    assertThat(PatchType.fromContentType("application/merge-patch+json; charset=utf-8")).contains(PatchType.MERGE);
    assertThat(PatchType.fromContentType("application/strategic-merge-patch+json"))
        .contains(PatchType.STRATEGIC_MERGE);
    assertThat(PatchType.fromContentType("application/apply-patch+yaml")).contains(PatchType.APPLY_YAML);
    assertThat(PatchType.fromContentType("application/json")).isEmpty();
    assertThat(PatchType.fromContentType(null)).isEmpty();
    assertThat(PatchType.STRATEGIC_MERGE.mediaType()).isEqualTo("application/strategic-merge-patch+json");
  }

  @Test
  void dispatchesOnContentType() {
    JsonNode json = Patches.apply("application/json-patch+json", DOC,
        body("[{'op':'replace','path':'/metadata/labels/a','value':'2'}]"), POD, false);
    assertThat(json.at("/metadata/labels/a").asText()).isEqualTo("2");

    JsonNode merge = Patches.apply("application/merge-patch+json", DOC,
        body("{'spec':{'containers':[{'name':'c2'}]}}"), POD, false);
    assertThat(merge.at("/spec/containers")).isEqualTo(j("[{'name':'c2'}]"));

    JsonNode strategic = Patches.apply("application/strategic-merge-patch+json", DOC,
        body("{'spec':{'containers':[{'name':'c2'}]}}"), POD, false);
    assertThat(strategic.at("/spec/containers")).hasSize(2);
    assertThat(DOC.at("/spec/containers")).hasSize(1);
  }

  @Test
  void mergeAndJsonPatchWorkOnCustomResources() {
    JsonNode out = Patches.apply("application/merge-patch+json", j("{'spec':{'x':1}}"), body("{'spec':{'y':2}}"),
        null, true);
    assertThat(out).isEqualTo(j("{'spec':{'x':1,'y':2}}"));
  }

  @Test
  void strategicMergePatchOnCustomResourceIsUnsupportedMediaType() {
    ApiException e = failure("application/strategic-merge-patch+json", "{}", true);
    assertThat(e.code()).isEqualTo(415);
    assertThat(e.reason()).isEqualTo("UnsupportedMediaType");
    assertThat(e.getMessage()).isEqualTo("the body of the request was in an unknown format - accepted media types "
        + "include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  }

  @Test
  void unknownPatchTypeIsUnsupportedMediaType() {
    ApiException e = failure("application/json", "{}", false);
    assertThat(e.code()).isEqualTo(415);
    assertThat(e.getMessage()).isEqualTo("the body of the request was in an unknown format - accepted media types "
        + "include: application/json-patch+json, application/merge-patch+json, "
        + "application/strategic-merge-patch+json, application/apply-patch+yaml");
    assertThat(Patches.acceptedMediaTypes(true)).doesNotContain(PatchType.STRATEGIC_MERGE.mediaType());
  }

  @Test
  void applyPatchesAreLeftToServerSideApply() {
    assertThat(Patches.patchType("application/apply-patch+yaml", true)).isEqualTo(PatchType.APPLY_YAML);
    assertThatThrownBy(() -> Patches.apply("application/apply-patch+yaml", DOC, body("{}"), POD, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedBodiesAreBadRequest() {
    for (String type : new String[] {"application/json-patch+json", "application/strategic-merge-patch+json"}) {
      ApiException syntax = failure(type, "{not json", false);
      assertThat(syntax.code()).isEqualTo(400);
      assertThat(syntax.reason()).isEqualTo("BadRequest");
      assertThat(syntax.getMessage()).isNotBlank();
      assertThat(failure(type, "", false).getMessage()).isEqualTo("unexpected end of JSON input");
      assertThat(failure(type, "{} {}", false).code()).isEqualTo(400);
    }
    ApiException merge = failure("application/merge-patch+json", "{not json", false);
    assertThat(merge.code()).isEqualTo(400);
    assertThat(merge.getMessage()).isEqualTo("Invalid JSON Patch");
    assertThat(failure("application/merge-patch+json", "", false).getMessage()).isEqualTo("Invalid JSON Patch");
  }

  @Test
  void patchThatDoesNotApplyIsUnprocessable() {
    ApiException e = failure("application/json-patch+json", "[{'op':'remove','path':'/nope'}]", false);
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.reason()).isEqualTo("Invalid");
  }

  @Test
  void resultThatIsNotAnObjectIsInvalid() {
    ApiException e = failure("application/merge-patch+json", "[1]", false);
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.getMessage()).startsWith(" \"\" is invalid: patch: Invalid value: \"[1]\"");
    ApiException root = failure("application/json-patch+json", "[{'op':'replace','path':'','value':[]}]", false);
    assertThat(root.code()).isEqualTo(422);
  }
}
