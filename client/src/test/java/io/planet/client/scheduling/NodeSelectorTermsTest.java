package io.planet.client.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSelectorTermsTest {
  static NodeSelectorTerm expr(String key, String op, String... values) {
    return new NodeSelectorTermBuilder().withMatchExpressions(new NodeSelectorRequirementBuilder().withKey(key)
        .withOperator(op).withValues(values).build()).build();
  }

  static NodeSelectorTerm field(String key, String op, String... values) {
    return new NodeSelectorTermBuilder().withMatchFields(new NodeSelectorRequirementBuilder().withKey(key)
        .withOperator(op).withValues(values).build()).build();
  }

  @Test
  void operatorsOnLabels() {
    Map<String, String> labels = Map.of("zone", "a", "cores", "8");
    assertThat(NodeSelectorTerms.matches(expr("zone", "In", "a", "b"), labels, "n1")).isTrue();
    assertThat(NodeSelectorTerms.matches(expr("zone", "NotIn", "a"), labels, "n1")).isFalse();
    assertThat(NodeSelectorTerms.matches(expr("disk", "NotIn", "ssd"), labels, "n1")).isTrue();
    assertThat(NodeSelectorTerms.matches(expr("zone", "Exists"), labels, "n1")).isTrue();
    assertThat(NodeSelectorTerms.matches(expr("zone", "DoesNotExist"), labels, "n1")).isFalse();
    assertThat(NodeSelectorTerms.matches(expr("cores", "Gt", "4"), labels, "n1")).isTrue();
    assertThat(NodeSelectorTerms.matches(expr("cores", "Lt", "4"), labels, "n1")).isFalse();
    assertThat(NodeSelectorTerms.matches(expr("zone", "Gt", "4"), labels, "n1")).as("not an integer").isFalse();
  }

  @Test
  void fieldsKnowOnlyTheNodeNameAndEmptyTermsMatchNothing() {
    assertThat(NodeSelectorTerms.matches(field("metadata.name", "In", "n1"), Map.of(), "n1")).isTrue();
    assertThat(NodeSelectorTerms.matches(field("metadata.uid", "NotIn", "x"), Map.of(), "n1")).isFalse();
    assertThat(NodeSelectorTerms.matches(new NodeSelectorTerm(), Map.of(), "n1")).isFalse();
    assertThat(NodeSelectorTerms.matchesAny(List.of(new NodeSelectorTerm(), field("metadata.name", "In", "n1")), null, "n1"))
        .as("terms are ORed").isTrue();
    assertThat(NodeSelectorTerms.matchesAny(List.of(), Map.of(), "n1")).isFalse();
  }
}
