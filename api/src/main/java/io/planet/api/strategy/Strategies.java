package io.planet.api.strategy;

import io.planet.api.ResourceStrategy;

/** The strategy of each built-in kind. Kinds without special rules get the generic one. */
public final class Strategies {
  private Strategies() {}

  public static ResourceStrategy forKind(String group, String kind) {
    return ResourceStrategy.DEFAULT;
  }
}
