package io.planet.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorTest {
  @Test
  void parsesTheStringFormOfAScaleSelector() {
    Selector s = Selector.parse("app=web,tier!=db,env in (prod, staging),!legacy,track");
    assertThat(s.matches(Map.of("app", "web", "env", "prod", "track", "x"))).isTrue();
    assertThat(s.matches(Map.of("app", "web", "env", "dev", "track", "x"))).isFalse();
    assertThat(s.matches(Map.of("app", "web", "env", "prod", "track", "x", "legacy", "y"))).isFalse();
    assertThat(s.matches(Map.of("app", "web", "env", "prod"))).isFalse();
    assertThat(Selector.parse("").matches(Map.of())).isTrue();
    assertThat(Selector.parse("a==b").toString()).isEqualTo("a=b");
  }

  @Test
  void rejectsGarbage() {
    assertThatThrownBy(() -> Selector.parse("a b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Selector.parse("a in b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void quantitiesRoundTripAsMilliValues() {
    assertThat(Quantities.milli("400m")).isEqualTo(400);
    assertThat(Quantities.milli("1.5")).isEqualTo(1500);
    assertThat(Quantities.milli("1Ki")).isEqualTo(1_024_000);
    assertThat(Quantities.format(1500)).isEqualTo("1500m");
    assertThat(Quantities.format(2000)).isEqualTo("2");
    assertThat(Quantities.format(3_000_000)).isEqualTo("3k");
  }
}
