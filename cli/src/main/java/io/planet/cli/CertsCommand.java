package io.planet.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.api.Json;
import io.planet.apiserver.pki.CertStatus;
import io.planet.apiserver.pki.ClusterCertificates;
import io.planet.apiserver.pki.ClusterPki;
import io.planet.apiserver.pki.Kubeconfigs;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code planet certs check|rotate}: the cluster PKI's expiry dates, and renewing every leaf under the same CA. */
@Command(name = "certs", mixinStandardHelpOptions = true, description = "Check and renew the cluster's certificates.",
    subcommands = {CertsCommand.Check.class, CertsCommand.Rotate.class})
final class CertsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The PKI lives in {@code <data-dir>/pki}, the kubeconfigs in {@code <data-dir>}. */
  static final class DataDir {
    @Option(names = "--data-dir", defaultValue = "/var/lib/planet", description = "Planet's data directory (default: ${DEFAULT-VALUE})")
    Path dataDir;

    ClusterPki pki() {
      ClusterPki pki = ClusterPki.at(dataDir.resolve("pki"));
      if (!pki.exists()) {
        throw new IllegalStateException("no cluster CA in " + pki.dir() + " (`planet apiserver --data-dir " + dataDir
            + "` creates the PKI)");
      }
      return pki;
    }
  }

  /** The certificates every cluster has, whichever nodes it has: missing ones fail the check. */
  static final List<String> EXPECTED = List.of(ClusterCertificates.API_SERVER, ClusterCertificates.API_SERVER_KUBELET_CLIENT,
      ClusterCertificates.ADMIN, ClusterCertificates.CONTROLLER_MANAGER, ClusterCertificates.SCHEDULER, ClusterCertificates.PROXY);

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "List every certificate with its expiry; exit 1 when one is missing, expired or expires within "
          + CertStatus.WARN_DAYS + " days.")
  static final class Check implements Callable<Integer> {
    private static final DateTimeFormatter EXPIRES = DateTimeFormatter.ofPattern("MMM dd, yyyy HH:mm 'UTC'", Locale.ROOT)
        .withZone(ZoneOffset.UTC);

    @Mixin DataDir dir;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
    String output;

    @Override
    public Integer call() {
      if (!output.equals("table") && !output.equals("json")) {
        System.err.println("planet certs check: --output must be table or json");
        return 2;
      }
      List<CertStatus> all;
      try {
        ClusterPki pki = dir.pki();
        all = new ArrayList<>(pki.status(EXPECTED));
        if (!Files.exists(pki.serviceAccountKeyFile()) || !Files.exists(pki.serviceAccountPublicKeyFile())) {
          all.add(CertStatus.missing(ClusterPki.SERVICE_ACCOUNT_KEY, false));
        }
        all.addAll(Kubeconfigs.status(dir.dataDir, Clock.systemUTC()));
      } catch (IllegalStateException | UncheckedIOException e) {
        System.err.println("planet certs check: " + e.getMessage());
        return 1;
      }
      if (output.equals("json")) printJson(all, System.out);
      else printTable(all, System.out);
      List<String> bad = all.stream().filter(s -> !s.healthy()).map(s -> s.name() + " " + s.state().name().toLowerCase(Locale.ROOT)).toList();
      if (bad.isEmpty()) return 0;
      System.err.println("planet certs check: " + String.join(", ", bad)
          + " (run `planet certs rotate` to renew; the CA is kept)");
      return 1;
    }

    static void printTable(List<CertStatus> all, PrintStream out) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"CERTIFICATE", "SUBJECT", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "STATUS"});
      for (CertStatus s : all) {
        rows.add(new String[] {s.name(), s.subject().isEmpty() ? "<none>" : s.subject(),
            s.notAfter() == null ? "<none>" : EXPIRES.format(s.notAfter()), residual(s), s.authority() ? "yes" : "no",
            s.state().name().toLowerCase(Locale.ROOT)});
      }
      Tables.print(rows, out);
    }

    static void printJson(List<CertStatus> all, PrintStream out) {
      ObjectNode root = Json.object();
      ArrayNode certs = root.putArray("certificates");
      for (CertStatus s : all) {
        ObjectNode o = certs.addObject();
        o.put("name", s.name());
        o.put("subject", s.subject());
        if (s.notAfter() != null) {
          o.put("expires", s.notAfter().toString());
          o.put("daysLeft", s.daysLeft());
        }
        o.put("authority", s.authority());
        o.put("status", s.state().name().toLowerCase(Locale.ROOT));
      }
      try {
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** kubeadm's residual time: years past a year, else days; "invalid" once expired. */
    private static String residual(CertStatus s) {
      if (s.notAfter() == null) return "<none>";
      if (s.state() == CertStatus.State.EXPIRED) return "<invalid>";
      return s.daysLeft() >= 365 ? s.daysLeft() / 365 + "y" : s.daysLeft() + "d";
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Renew every leaf certificate (the CA is kept, so credentials it signed keep working) and rewrite "
          + "the kubeconfigs in the data directory with the new client certificates.")
  static final class Rotate implements Callable<Integer> {
    @Mixin DataDir dir;

    @Override
    public Integer call() {
      try {
        ClusterPki pki = dir.pki();
        for (String name : pki.rotate()) System.out.println("certificate " + name + " renewed");
        for (Path kc : Kubeconfigs.refresh(dir.dataDir, pki)) System.out.println("kubeconfig " + kc.getFileName() + " renewed");
        System.out.println("Done renewing certificates. Restart the API server and the components so they serve "
            + "and present the new certificates.");
        return 0;
      } catch (IllegalStateException | UncheckedIOException e) {
        System.err.println("planet certs rotate: " + e.getMessage());
        return 1;
      }
    }
  }
}
