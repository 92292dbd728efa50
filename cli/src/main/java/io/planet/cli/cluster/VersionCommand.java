package io.planet.cli.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.apiserver.handlers.ApiHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code planet version}: planet's version and commit, and the versions of what it runs. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version of planet and its components.")
public final class VersionCommand implements Callable<Integer> {
  public static final String VERSION = "0.1.0";

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  String output;

  @Override
  public Integer call() throws Exception {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("planet", VERSION);
    Path home = PlanetHome.find();
    v.put("commit", home == null ? "unknown" : firstLine(home.toFile(), "git", "rev-parse", "--short", "HEAD"));
    v.put("kubernetes", ApiHandler.GIT_VERSION);
    v.put("java", System.getProperty("java.version"));
    v.put("etcd", firstLine(null, "etcd", "--version").replace("etcd Version: ", ""));
    v.put("runc", firstLine(null, "runc", "--version").replace("runc version ", ""));
    v.put("kubectl", firstLine(null, "kubectl", "version", "--client", "-o", "yaml").isEmpty() ? "not installed"
        : kubectl());
    if (output.equals("json")) {
      ObjectNode o = ClusterConfig.JSON.createObjectNode();
      v.forEach(o::put);
      System.out.println(ClusterConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    } else if (output.equals("text")) {
      v.forEach((k, val) -> System.out.println(k + ": " + val));
    } else {
      System.err.println("planet version: --output must be text or json");
      return 2;
    }
    return 0;
  }

  private static String kubectl() {
    String out = all("kubectl", "version", "--client");
    for (String line : out.split("\n")) if (line.startsWith("Client Version: ")) return line.substring(16).trim();
    return "unknown";
  }

  private static String firstLine(java.io.File dir, String... cmd) {
    String out = all(dir, cmd);
    return out.isEmpty() ? "" : out.split("\n")[0].trim();
  }

  private static String all(String... cmd) {
    return all(null, cmd);
  }

  private static String all(java.io.File dir, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return "";
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
