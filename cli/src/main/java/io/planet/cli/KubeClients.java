package io.planet.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kubernetes clients for the components that are API clients (scheduler, controllers, hollow nodes). */
final class KubeClients {
  private KubeClients() {}

  /** A one-line reason a component cannot start. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** A client from a kubeconfig file; a clear message when the file is missing or not a kubeconfig. */
  static KubernetesClient fromKubeconfig(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UsageException("cannot read kubeconfig " + file + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
    Config config;
    try {
      config = Config.fromKubeconfig(text);
    } catch (RuntimeException e) {
      throw new UsageException("kubeconfig " + file + " is not valid: " + e.getMessage());
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isEmpty()) {
      throw new UsageException("kubeconfig " + file + " names no cluster server");
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Fails with one line when the API server does not answer. */
  static void checkReachable(KubernetesClient client) {
    try {
      client.getKubernetesVersion();
    } catch (RuntimeException e) {
      throw new UsageException("cannot reach the API server at " + client.getConfiguration().getMasterUrl() + ": "
          + rootMessage(e));
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
