package io.planet.apiserver.http;

/** Serves requests; runs on a worker thread, may block on etcd, writes its response through {@link Responses}. */
@FunctionalInterface
public interface Handler {
  void handle(ApiRequest request) throws Exception;
}
