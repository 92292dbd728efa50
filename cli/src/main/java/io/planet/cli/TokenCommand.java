package io.planet.cli;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet token}: bootstrap tokens for joining nodes, as {@code kubeadm token} manages them. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage bootstrap tokens.",
    subcommands = {TokenCommand.Create.class})
final class TokenCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code planet token create}: a new bootstrap token Secret in kube-system; the token alone goes to stdout. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a bootstrap token (<id>.<secret>) on the server and print it.")
  static final class Create implements Callable<Integer> {
    private static final String NAME = "planet token create: ";
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Option(names = "--kubeconfig", defaultValue = "/var/lib/planet/admin.kubeconfig",
        description = "kubeconfig of a user allowed to create Secrets in kube-system (default: ${DEFAULT-VALUE})")
    Path kubeconfig;

    @Option(names = "--ttl", defaultValue = "24h",
        description = "How long the token is valid; 0 means it never expires (default: ${DEFAULT-VALUE})")
    String ttl;

    @Option(names = "--description", description = "A human-friendly description of what the token is for")
    String description;

    @Option(names = "--groups", split = ",", defaultValue = "system:bootstrappers:kubeadm:default-node-token",
        description = "Extra groups the token authenticates as (default: ${DEFAULT-VALUE})")
    List<String> groups;

    @Option(names = "--usages", split = ",", defaultValue = "signing,authentication",
        description = "What the token may be used for (default: ${DEFAULT-VALUE})")
    List<String> usages;

    @Option(names = "--print-join-command",
        description = "print the whole planet join command (server, token, CA hash) instead of the token alone")
    boolean printJoinCommand;

    @Override
    public Integer call() {
      Duration lifetime;
      try {
        lifetime = Durations.parse(ttl);
      } catch (IllegalArgumentException e) {
        System.err.println(NAME + "--ttl: " + e.getMessage());
        return 2;
      }
      for (String g : groups) {
        if (!g.matches("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")) {
          System.err.println(NAME + "--groups: \"" + g + "\" must match ^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$");
          return 2;
        }
      }
      for (String u : usages) {
        if (!u.equals("signing") && !u.equals("authentication")) {
          System.err.println(NAME + "--usages: unknown usage \"" + u + "\" (known: signing, authentication)");
          return 2;
        }
      }
      String id = random(6);
      String secret = random(16);
      Map<String, String> data = new LinkedHashMap<>();
      data.put("token-id", id);
      data.put("token-secret", secret);
      if (!lifetime.isZero()) data.put("expiration", Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS).toString());
      for (String u : usages) data.put("usage-bootstrap-" + u, "true");
      if (!groups.isEmpty()) data.put("auth-extra-groups", String.join(",", groups));
      if (description != null) data.put("description", description);
      String join = null;
      try (KubernetesClient client = KubeClients.client(KubeClients.config(kubeconfig))) {
        if (printJoinCommand) join = joinCommand(client);
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder()
            .withNewMetadata().withName("bootstrap-token-" + id).withNamespace("kube-system").endMetadata()
            .withType("bootstrap.kubernetes.io/token").withStringData(data).build()).create();
      } catch (java.io.IOException e) {
        System.err.println(NAME + e.getMessage());
        return 1;
      } catch (KubeClients.UsageException e) {
        System.err.println(NAME + e.getMessage());
        return 1;
      } catch (KubernetesClientException e) {
        String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        System.err.println(NAME + "cannot create the token Secret: " + why);
        return 1;
      }
      System.out.println(join == null ? id + "." + secret : join.replace("<token>", id + "." + secret));
      return 0;
    }

    /** kubeadm's join command from the published cluster-info: the server it names and its CA's public-key hash. */
    static String joinCommand(KubernetesClient client) throws java.io.IOException {
      var info = client.configMaps().inNamespace("kube-public").withName("cluster-info").get();
      if (info == null || info.getData() == null || !info.getData().containsKey("kubeconfig")) {
        throw new java.io.IOException("kube-public/cluster-info is not published (is this cluster started by planet start?)");
      }
      com.fasterxml.jackson.databind.JsonNode kc = io.planet.api.Json.YAML.readTree(info.getData().get("kubeconfig"));
      com.fasterxml.jackson.databind.JsonNode cluster = kc.path("clusters").path(0).path("cluster");
      byte[] ca = java.util.Base64.getDecoder().decode(cluster.path("certificate-authority-data").asText(""));
      String hash = io.planet.node.bootstrap.ClusterInfoDiscovery.publicKeyHash(
          io.planet.node.bootstrap.Pem.certificates(ca).get(0));
      return "planet join " + cluster.path("server").asText() + " --token <token> --discovery-token-ca-cert-hash " + hash;
    }

    static String random(int n) {
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
      return b.toString();
    }
  }
}
