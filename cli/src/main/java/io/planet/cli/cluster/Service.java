package io.planet.cli.cluster;

/** What {@code planet start} runs in its process: a whole cluster, or a node joined to one. */
interface Service extends AutoCloseable {
  /** Starts every component in order and returns once the node is Ready. */
  void start() throws Exception;

  /** Stops the pods and every component and resets the node. */
  @Override
  void close();
}
