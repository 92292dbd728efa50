package io.planet.node.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The runc command line, with Planet's own state root so its containers never mix with other runc users'. */
public final class Runc {
  private final Path root;

  public Runc(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** Result of a command run in a container: exit code and combined output (first 10 KiB, as probes keep). */
  public record ExecResult(int exitCode, String output, boolean timedOut) {}

  /** {@code runc exec}: runs {@code args} inside the running container, killed after {@code timeout}. */
  public ExecResult exec(String id, List<String> args, java.time.Duration timeout) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of("runc", "--root", root.toString(), "exec", id));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out;
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly();
        return new ExecResult(-1, "", true);
      }
      out = p.getInputStream().readNBytes(10 * 1024);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
    return new ExecResult(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8), false);
  }

  public void kill(String id, String signal) throws IOException {
    Commands.run("runc", "--root", root.toString(), "kill", "--all", id, signal);
  }

  public void delete(String id) throws IOException {
    Commands.run("runc", "--root", root.toString(), "delete", "--force", id);
  }

  /** {@code runc state}: status (creating, created, running, paused, stopped) and pid; empty when unknown to runc. */
  public Optional<JsonNode> state(String id) throws IOException {
    try {
      return Optional.of(OciSpec.JSON.readTree(Commands.run("runc", "--root", root.toString(), "state", id)));
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("does not exist")) return Optional.empty();
      throw e;
    }
  }

  /** Ids of every container runc knows under this root. */
  public List<String> list() throws IOException {
    JsonNode list = OciSpec.JSON.readTree(Commands.run("runc", "--root", root.toString(), "list", "--format", "json"));
    return list == null || list.isNull() ? List.of() : list.findValuesAsText("id");
  }
}
