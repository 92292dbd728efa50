package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KnownControllersTest {
  @Test
  void starEnablesAllAndMinusDisables() {
    assertThat(KnownControllers.select(List.of("*")).keySet()).containsExactlyElementsOf(KnownControllers.names());
    assertThat(KnownControllers.select(List.of("*", "-garbagecollector")).keySet())
        .doesNotContain("garbage-collector-controller").contains("replicaset-controller");
  }

  @Test
  void namedControllersAloneRunWithoutStar() {
    assertThat(KnownControllers.select(List.of("replicaset-controller", "namespace")).keySet())
        .containsExactly("namespace-controller", "replicaset-controller");
  }

  @Test
  void anUnknownNameIsRejected() {
    assertThatThrownBy(() -> KnownControllers.select(List.of("*", "-bogus")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("\"bogus\" is not in the list of known controllers");
  }
}
