package io.planet.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs one CNI plugin binary per the CNI execution protocol: the plugin is found by its {@code type} in the plugin
 * directories, gets CNI_COMMAND/CNI_CONTAINERID/CNI_NETNS/CNI_IFNAME/CNI_ARGS/CNI_PATH in its environment and its
 * network configuration on stdin, and answers with a result (success) or an error object (non-zero exit) on stdout.
 */
public final class CniExec {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Debian's containernetworking-plugins install here; upstream release tarballs conventionally in /opt/cni/bin. */
  public static final List<Path> DEFAULT_PLUGIN_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final List<Path> pluginDirs;

  public CniExec(List<Path> pluginDirs) {
    if (pluginDirs.isEmpty()) throw new IllegalArgumentException("no CNI plugin directories");
    this.pluginDirs = List.copyOf(pluginDirs);
  }

  public CniExec() {
    this(DEFAULT_PLUGIN_DIRS);
  }

  public List<Path> pluginDirs() {
    return pluginDirs;
  }

  /** The executable for plugin {@code type}, first match in the plugin directories. */
  public Path find(String type) throws CniException {
    if (type.isEmpty() || type.contains("/") || type.startsWith(".")) {
      throw new CniException(type, "find", CniException.INVALID_CONFIG, "invalid plugin type '" + type + "'", null);
    }
    for (Path dir : pluginDirs) {
      Path p = dir.resolve(type);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
    }
    throw new CniException(type, "find", 0, "CNI plugin binary '" + type + "' not found in " + cniPath()
        + "; run scripts/setup (installs Debian's containernetworking-plugins)", null);
  }

  /**
   * Runs {@code command} (ADD, DEL or CHECK) of the plugin named by {@code config.type} with {@code config} (already
   * carrying name, cniVersion and, where due, prevResult/runtimeConfig) on stdin. Returns the printed result, empty
   * when the plugin printed nothing (normal for DEL and CHECK).
   */
  public Optional<ObjectNode> run(String command, ObjectNode config, CniRuntimeConf rt) throws IOException {
    String type = config.path("type").asText("");
    Map<String, String> env = Map.of(
        "CNI_COMMAND", command,
        "CNI_CONTAINERID", rt.containerId(),
        "CNI_NETNS", rt.netns() == null ? "" : rt.netns().toString(),
        "CNI_IFNAME", rt.ifName(),
        "CNI_ARGS", rt.cniArgs(),
        "CNI_PATH", cniPath());
    String out = exec(type, command, env, JSON.writeValueAsBytes(config));
    if (out.isBlank()) return Optional.empty();
    JsonNode json = parse(type, command, out);
    if (!json.isObject()) throw new CniException(type, command, CniException.DECODE_FAILURE, "result is not an object: " + out, null);
    return Optional.of((ObjectNode) json);
  }

  /** The CNI spec versions the plugin speaks (VERSION command). */
  public List<String> supportedVersions(String type) throws IOException {
    String out = exec(type, "VERSION", Map.of("CNI_COMMAND", "VERSION", "CNI_PATH", cniPath()),
        "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    List<String> versions = new ArrayList<>();
    for (JsonNode v : parse(type, "VERSION", out).path("supportedVersions")) versions.add(v.asText());
    return versions;
  }

  private String exec(String type, String command, Map<String, String> env, byte[] stdin) throws IOException {
    Path binary = find(type);
    // the inherited environment matters: plugins run iptables, ip and friends through PATH
    ProcessBuilder pb = new ProcessBuilder(binary.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
    String stdout;
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // a plugin may exit before reading its config; its output says why
    }
    try (InputStream out = p.getInputStream()) {
      stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    int exit;
    try {
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new CniException(type, command, 0, "timed out after " + TIMEOUT.toSeconds() + "s", null);
      }
      exit = p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new CniException(type, command, 0, "interrupted", null);
    }
    if (exit == 0) return stdout;
    throw error(type, command, exit, stdout, stderr.join().trim());
  }

  /** The spec's error object {code, msg, details}; plugins that print none are reported with their raw output. */
  private static CniException error(String type, String command, int exit, String stdout, String stderr) {
    try {
      JsonNode e = JSON.readTree(stdout);
      if (e != null && e.has("code") && e.has("msg")) {
        return new CniException(type, command, e.get("code").asInt(), e.get("msg").asText(), e.path("details").asText(""));
      }
    } catch (IOException notJson) {
      // fall through to the raw output
    }
    String text = (stdout + "\n" + stderr).trim();
    return new CniException(type, command, 0, "exit " + exit + (text.isEmpty() ? "" : ": " + text), null);
  }

  private static JsonNode parse(String type, String command, String out) throws CniException {
    try {
      return JSON.readTree(out);
    } catch (IOException e) {
      throw new CniException(type, command, CniException.DECODE_FAILURE, "unparseable output: " + out, null);
    }
  }

  private String cniPath() {
    return pluginDirs.stream().map(Path::toString).collect(Collectors.joining(":"));
  }

  private static String readQuietly(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
