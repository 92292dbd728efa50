package io.planet.controllers.podautoscaler;

/** A metric could not be read or used; the message becomes the FailedGet... condition and event text. */
public final class MetricsUnavailable extends Exception {
  public MetricsUnavailable(String message) {
    super(message, null, false, false);
  }
}
