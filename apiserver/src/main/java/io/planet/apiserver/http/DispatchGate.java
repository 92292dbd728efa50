package io.planet.apiserver.http;

import io.planet.api.ApiException;

/**
 * Decides, on the event loop and without blocking, whether a request may be handed to a worker at all (max
 * in-flight limits): returns the seat it holds until its handler returns, or throws the error to answer at once.
 */
@FunctionalInterface
public interface DispatchGate {
  /** A held seat; {@link #release()} exactly once. */
  interface Seat {
    Seat NONE = () -> {};

    void release();
  }

  Seat enter(ApiRequest req) throws ApiException;
}
