package io.planet.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.ApiException;
import io.planet.api.Json;
import io.planet.api.schema.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cases adapted from k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go (patch application: the two-way patch
 * applied to "original" yields "modified", the three-way patch applied to "current" yields "result"), run against a
 * schema shaped like upstream's MergeItem test struct.
 */
class StrategicMergePatchUpstreamCasesTest {
  private static final Schema MERGE_ITEM = TestSchemas.mergeItem();

  static JsonNode yaml(String text) {
    try {
      JsonNode n = Json.YAML.readTree(text);
      return n == null || n.isMissingNode() ? Json.object() : n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("unique scalars when merging lists",
            "mergingIntList: [1, 2]", "mergingIntList: [2, 3]", "mergingIntList: [1, 2, 3]"),
        Arguments.of("delete map from nested map",
            "simpleMap: {key1: '1', key2: '1'}", "simpleMap: {$patch: delete}", "simpleMap: {}"),
        Arguments.of("delete all items from merging list",
            "mergingList: [{name: '1'}, {name: '2'}]", "mergingList: [{$patch: replace}]", "mergingList: []"),
        Arguments.of("merge empty merging lists", "mergingList: []", "mergingList: []", "mergingList: []"),
        Arguments.of("delete all keys from map", "{name: '1', value: '1'}", "$patch: replace", "{}"),
        Arguments.of("add key and delete all keys from map",
            "{name: '1', value: '1'}", "{other: a, $patch: replace}", "other: a"),
        Arguments.of("delete all duplicate entries in a merging list",
            """
            mergingList:
              - name: '1'
              - name: '1'
              - name: '2'
                value: a
              - name: '3'
              - name: '3'
            """,
            "mergingList: [{name: '1', $patch: delete}, {name: '3', $patch: delete}]",
            "mergingList: [{name: '2', value: a}]"),
        Arguments.of("retainKeys map can add a field when no retainKeys directive present",
            "retainKeysMap: {name: foo}", "retainKeysMap: {value: bar}", "retainKeysMap: {name: foo, value: bar}"),
        Arguments.of("retainKeys map can delete a field when no retainKeys directive present",
            "retainKeysMap: {name: foo, value: a}", "retainKeysMap: {value: null}", "retainKeysMap: {name: foo}"),
        Arguments.of("retainKeys map merge an empty map",
            "retainKeysMap: {name: foo, value: a}", "retainKeysMap: {}", "retainKeysMap: {name: foo, value: a}"),
        Arguments.of("retainKeys map with directive clears unlisted keys",
            "retainKeysMap: {name: foo, value: a, other: b}",
            "retainKeysMap: {$retainKeys: [name, value], value: c}",
            "retainKeysMap: {name: foo, value: c}"),
        Arguments.of("retainKeys list can change a field when no retainKeys directive present",
            "retainKeysMergingList: [{name: bar}, {name: foo, value: a}]",
            "retainKeysMergingList: [{name: foo, value: b}]",
            "retainKeysMergingList: [{name: bar}, {name: foo, value: b}]"),
        Arguments.of("preserve the order from the patch in a merging list",
            "mergingList: [{name: '1'}, {name: '2', value: b}, {name: '3'}]",
            "mergingList: [{name: '3', value: c}, {name: '1', value: a}, {name: '2', other: x}]",
            "mergingList: [{name: '3', value: c}, {name: '1', value: a}, {name: '2', value: b, other: x}]"),
        Arguments.of("preserve the order from the patch in a merging list 2",
            "mergingList: [{name: '1'}, {name: '2', value: b}, {name: '3'}]",
            "mergingList: [{name: '3', value: c}, {name: '1', value: a}]",
            "mergingList: [{name: '2', value: b}, {name: '3', value: c}, {name: '1', value: a}]"),
        Arguments.of("preserve the order from the patch in a merging int list",
            "mergingIntList: [1, 2, 3]", "mergingIntList: [3, 1, 2]", "mergingIntList: [3, 1, 2]"),
        Arguments.of("preserve the order from the patch in a merging int list 2",
            "mergingIntList: [1, 2, 3]", "mergingIntList: [3, 1]", "mergingIntList: [2, 3, 1]"),
        Arguments.of("$setElementOrder contains item that is not present in the list to be merged",
            "mergingList: [{name: '1'}, {name: '3'}]",
            """
            $setElementOrder/mergingList: [{name: '3'}, {name: '2'}, {name: '1'}]
            mergingList: [{name: '3', value: '3'}, {name: '1', value: '1'}]
            """,
            "mergingList: [{name: '3', value: '3'}, {name: '1', value: '1'}]"),
        Arguments.of("$setElementOrder contains item that is not present in the int list to be merged",
            "mergingIntList: [1, 3]", "$setElementOrder/mergingIntList: [3, 2, 1]", "mergingIntList: [3, 1]"),
        Arguments.of("delete items in lists of scalars (three-way)",
            "mergingIntList: [1, 2, 3, 4]",
            """
            $setElementOrder/mergingIntList: [1, 2]
            $deleteFromPrimitiveList/mergingIntList: [3]
            """,
            "mergingIntList: [1, 2, 4]"),
        Arguments.of("delete all duplicate items in lists of scalars (three-way)",
            "mergingIntList: [1, 2, 3, 3, 4]",
            """
            $setElementOrder/mergingIntList: [1, 2]
            $deleteFromPrimitiveList/mergingIntList: [3]
            """,
            "mergingIntList: [1, 2, 4]"),
        Arguments.of("add and delete items in lists of scalars",
            "mergingIntList: [1, 2, 3]",
            """
            $setElementOrder/mergingIntList: [1, 2, 4]
            $deleteFromPrimitiveList/mergingIntList: [3]
            mergingIntList: [4]
            """,
            "mergingIntList: [1, 2, 4]"),
        Arguments.of("merge lists of maps (three-way)",
            "mergingList: [{name: '1', other: a}, {name: '2', value: '2', other: b}]",
            """
            $setElementOrder/mergingList: [{name: '4'}, {name: '1'}, {name: '2'}, {name: '3'}]
            mergingList: [{name: '4', value: '4'}, {name: '3', value: '3'}]
            """,
            """
            mergingList:
              - {name: '4', value: '4'}
              - {name: '1', other: a}
              - {name: '2', value: '2', other: b}
              - {name: '3', value: '3'}
            """),
        Arguments.of("delete map from merging list by merge key",
            "mergingList: [{name: '1', other: a}, {name: '2', other: b}]",
            """
            $setElementOrder/mergingList: [{name: '2'}]
            mergingList: [{name: '1', $patch: delete}]
            """,
            "mergingList: [{name: '2', other: b}]"),
        Arguments.of("nested merging lists merge recursively",
            "mergingList: [{name: '1', mergingList: [{name: a, value: x}]}]",
            "mergingList: [{name: '1', mergingList: [{name: a, other: y}, {name: b}]}]",
            "mergingList: [{name: '1', mergingList: [{name: a, value: x, other: y}, {name: b}]}]"),
        Arguments.of("replace list of scalars",
            "nonMergingIntList: [1, 2]", "nonMergingIntList: [2, 3]", "nonMergingIntList: [2, 3]"),
        Arguments.of("replace list of maps",
            "nonMergingList: [{name: '1'}, {name: '2'}]", "nonMergingList: [{name: '3'}]",
            "nonMergingList: [{name: '3'}]"),
        Arguments.of("field with replace patch strategy is replaced, not merged",
            "replacingItem: {a: 1, b: 2}", "replacingItem: {c: 3}", "replacingItem: {c: 3}"),
        Arguments.of("add field and delete field from map (three-way)",
            "{name: '1', other: a}", "{name: null, value: '1'}", "{value: '1', other: a}"),
        Arguments.of("defined null values do not propagate into the result",
            "{name: a, other: a}", "{name: '1', value: '1', other: null}", "{name: '1', value: '1'}"),
        Arguments.of("nil patch", "name: '1'", "{}", "name: '1'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void appliesLikeUpstream(String description, String original, String patch, String expected) {
    JsonNode out = StrategicMergePatch.apply(yaml(original), yaml(patch), MERGE_ITEM);
    assertThat(out).as(description).isEqualTo(yaml(expected));
  }

  static Stream<Arguments> errorCases() {
    return Stream.of(
        Arguments.of("should check if order in $setElementOrder and patch list match",
            "mergingList: [{name: '1'}, {name: '3'}, {name: '2'}]",
            """
            $setElementOrder/mergingList: [{name: '1'}, {name: '2'}, {name: '3'}]
            mergingList: [{name: '3', value: '3'}, {name: '1', value: '1'}]
            """,
            "doesn't match"),
        Arguments.of("should check if order in $setElementOrder and patch int list match",
            "mergingIntList: [1, 3, 2]",
            """
            $setElementOrder/mergingIntList: [1, 2, 3]
            mergingIntList: [3, 1]
            """,
            "doesn't match"),
        Arguments.of("missing merge key should error out",
            "mergingList: [{name: '1', value: a}]", "mergingList: [{value: b}]",
            "does not contain declared merge key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorCases")
  void failsLikeUpstream(String description, String original, String patch, String message) {
    assertThatThrownBy(() -> StrategicMergePatch.apply(yaml(original), yaml(patch), MERGE_ITEM))
        .as(description)
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(message);
  }
}
