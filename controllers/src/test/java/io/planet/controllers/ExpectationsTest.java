package io.planet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpectationsTest {
  private final Expectations expectations = new Expectations();

  @Test
  void unsatisfiedUntilEveryCreateIsSeen() {
    assertThat(expectations.satisfied("ns/rs")).isTrue();
    expectations.expectCreations("ns/rs", 2);
    assertThat(expectations.satisfied("ns/rs")).isFalse();
    expectations.creationObserved("ns/rs");
    assertThat(expectations.satisfied("ns/rs")).isFalse();
    expectations.creationObserved("ns/rs");
    assertThat(expectations.satisfied("ns/rs")).isTrue();
  }

  @Test
  void deletionsAreTrackedByPodUid() {
    expectations.expectDeletions("ns/rs", Set.of("a", "b"));
    expectations.deletionObserved("ns/rs", "a");
    expectations.deletionObserved("ns/rs", "a");
    assertThat(expectations.satisfied("ns/rs")).isFalse();
    expectations.deletionObserved("ns/rs", "b");
    assertThat(expectations.satisfied("ns/rs")).isTrue();
  }

  @Test
  void forgettingAnOwnerClearsItsExpectations() {
    expectations.expectCreations("ns/rs", 3);
    expectations.forget("ns/rs");
    assertThat(expectations.satisfied("ns/rs")).isTrue();
  }
}
