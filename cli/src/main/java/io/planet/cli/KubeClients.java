package io.planet.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Kubernetes client configuration for the commands that are API clients (controller-manager, hollow-node). */
final class KubeClients {
  private KubeClients() {}

  /** A one-line reason a component cannot start. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** The client configuration in a kubeconfig file, with short timeouts so a dead server is noticed. */
  static Config config(Path file) {
    String contents;
    try {
      contents = Files.readString(file);
    } catch (IOException e) {
      throw new UsageException("cannot read kubeconfig " + file + ": " + reason(e));
    }
    Config config;
    try {
      config = Config.fromKubeconfig(contents);
    } catch (RuntimeException e) {
      throw new UsageException("invalid kubeconfig " + file + ": " + e.getMessage());
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isEmpty()) {
      throw new UsageException("kubeconfig " + file + " names no cluster server");
    }
    config.setRequestTimeout(10_000);
    config.setConnectionTimeout(5_000);
    return config;
  }

  /** One quick try, without the client's retries, so a wrong address fails now with a clear message. */
  static void checkReachable(Config config) {
    int retries = config.getRequestRetryBackoffLimit();
    config.setRequestRetryBackoffLimit(0);
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(config).build()) {
      probe.getKubernetesVersion();
    } catch (RuntimeException e) {
      throw new UsageException("cannot reach the API server at " + config.getMasterUrl() + ": " + cause(e));
    } finally {
      config.setRequestRetryBackoffLimit(retries);
    }
  }

  static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file";
    if (e instanceof AccessDeniedException) return "permission denied";
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) return "connection refused";
      if (t instanceof UnknownHostException) return "unknown host " + t.getMessage();
      if (t instanceof HttpTimeoutException) return "timed out";
      if (t.getCause() == t) break;
    }
    return e.getMessage();
  }
}
