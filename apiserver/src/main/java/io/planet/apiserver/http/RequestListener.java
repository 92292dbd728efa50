package io.planet.apiserver.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Follows one request's response as it leaves the server (audit): called on the connection's event loop, so
 * implementations must be quick and must not block.
 */
public interface RequestListener {
  /**
   * The response head was written; {@code content} is the whole body of a non-streamed response (valid only during
   * the call), null for a streamed one.
   */
  default void responseStarted(HttpResponse head, ByteBuf content) {}

  /** The last byte of the response was written, or the connection closed before it was. */
  default void responseComplete() {}

  /** The handler failed with an unexpected exception (answered 500): upstream's Panic stage. */
  default void panicked(Throwable cause) {}
}
