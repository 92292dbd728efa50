package io.planet.apiserver.registry;

import io.planet.api.selector.FieldSelector;
import io.planet.api.selector.LabelSelector;

/** Query options of a list or watch (upstream's metav1.ListOptions). */
public record ListOptions(
    LabelSelector labelSelector,
    FieldSelector fieldSelector,
    long limit,
    String continueToken,
    String resourceVersion,
    String resourceVersionMatch,
    boolean allowWatchBookmarks,
    Long timeoutSeconds,
    Boolean sendInitialEvents) {

  public static ListOptions all() {
    return new ListOptions(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING, 0, "", "", "", false, null, null);
  }
}
