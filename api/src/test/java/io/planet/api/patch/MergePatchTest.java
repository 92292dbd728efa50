package io.planet.api.patch;

import static io.planet.api.patch.JsonPatchTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ApiException;
import org.junit.jupiter.api.Test;

class MergePatchTest {
  private static JsonNode apply(String doc, String patch) {
    return MergePatch.apply(j(doc), j(patch));
  }

  @Test
  void rfc7386Examples() {
    assertThat(apply("{'a':'b'}", "{'a':'c'}")).isEqualTo(j("{'a':'c'}"));
    assertThat(apply("{'a':'b'}", "{'b':'c'}")).isEqualTo(j("{'a':'b','b':'c'}"));
    assertThat(apply("{'a':'b'}", "{'a':null}")).isEqualTo(j("{}"));
    assertThat(apply("{'a':'b','b':'c'}", "{'a':null}")).isEqualTo(j("{'b':'c'}"));
    assertThat(apply("{'a':['b']}", "{'a':'c'}")).isEqualTo(j("{'a':'c'}"));
    assertThat(apply("{'a':'c'}", "{'a':['b']}")).isEqualTo(j("{'a':['b']}"));
    assertThat(apply("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}")).isEqualTo(j("{'a':{'b':'d'}}"));
    assertThat(apply("{'a':[{'b':'c'}]}", "{'a':[1]}")).isEqualTo(j("{'a':[1]}"));
    assertThat(apply("{'e':null}", "{'a':1}")).isEqualTo(j("{'e':null,'a':1}"));
    assertThat(apply("{}", "{'a':{'bb':{'ccc':null}}}")).isEqualTo(j("{'a':{'bb':{}}}"));
  }

  @Test
  void mergesNestedObjectsAndReplacesLists() {
    JsonNode out = apply(
        "{'metadata':{'labels':{'app':'web','tier':'fe'}},'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
        "{'metadata':{'labels':{'tier':null,'env':'prod'}},'spec':{'containers':[{'name':'c'}]}}");
    assertThat(out).isEqualTo(
        j("{'metadata':{'labels':{'app':'web','env':'prod'}},'spec':{'containers':[{'name':'c'}]}}"));
  }

  @Test
  void nullsAreDroppedFromNewValuesIncludingArrayElementsAsJsonPatchDoes() {
    assertThat(apply("{}", "{'l':['x',null,{'a':null,'b':1}]}")).isEqualTo(j("{'l':['x',{'b':1}]}"));
  }

  @Test
  void nullOrScalarPatchIsBadRequest() {
    for (String patch : new String[] {"null", "1", "'s'", "true"}) {
      assertThatThrownBy(() -> apply("{}", patch))
          .isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo("Invalid JSON Patch");
          });
    }
  }

  @Test
  void arrayPatchReplacesTheDocument() {
    assertThat(apply("{'a':1}", "[1,null,2]")).isEqualTo(j("[1,2]"));
  }

  @Test
  void documentIsNotModified() {
    JsonNode doc = j("{'a':{'b':1}}");
    MergePatch.apply(doc, j("{'a':{'b':2}}"));
    assertThat(doc).isEqualTo(j("{'a':{'b':1}}"));
  }
}
