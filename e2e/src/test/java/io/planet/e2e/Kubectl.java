package io.planet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.planet.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one kubectl binary against one server: always with an explicit {@code --kubeconfig} and this binary's own
 * {@code --cache-dir}, so no user configuration and no other version's discovery cache leaks in.
 */
public final class Kubectl {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final KubectlBinary binary;
  private final Path kubeconfig;
  private final Path cacheDir;
  private final Path workDir;

  public Kubectl(KubectlBinary binary, Path kubeconfig, Path workDir) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.workDir = workDir;
    this.cacheDir = workDir.resolve("cache-" + binary.token());
  }

  public KubectlBinary binary() {
    return binary;
  }

  /** What a user sees from one command. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public String output() {
      return stdout + stderr;
    }

    public Result assertSuccess() {
      if (exitCode != 0) throw new AssertionError("expected success: " + this);
      return this;
    }

    public Result assertFailure() {
      if (exitCode == 0) throw new AssertionError("expected failure: " + this);
      return this;
    }

    public JsonNode json() {
      assertSuccess();
      try {
        return Json.MAPPER.readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + this, e);
      }
    }

    @Override
    public String toString() {
      return String.join(" ", command) + "\n  exit " + exitCode + "\n  stdout: " + stdout.strip()
          + "\n  stderr: " + stderr.strip();
    }
  }

  /** The full command line a run with these arguments executes (for running kubectl under another tool). */
  public List<String> commandLine(String... args) {
    return command(args);
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.path().toString());
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.add("--cache-dir=" + cacheDir);
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  private ProcessBuilder builder(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    pb.environment().remove("KUBECONFIG");
    return pb;
  }

  /** Runs to completion (at most a minute) and returns exit code and output. */
  public Result run(String... args) {
    return runWithEnv(Map.of(), args);
  }

  /** Like {@link #run} with extra environment variables (e.g. {@code KUBE_EDITOR}). */
  public Result runWithEnv(Map<String, String> env, String... args) {
    return runWithInput(env, null, args);
  }

  /** Like {@link #run} with {@code input} on kubectl's standard input (then end of input). */
  public Result runWithInput(String input, String... args) {
    return runWithInput(Map.of(), input, args);
  }

  private Result runWithInput(Map<String, String> env, String input, String... args) {
    List<String> cmd = command(args);
    Process p = null;
    try {
      ProcessBuilder pb = builder(cmd);
      pb.environment().putAll(env);
      p = pb.start();
      if (input != null) p.getOutputStream().write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      p.getOutputStream().close();
      StreamCollector out = new StreamCollector(p.getInputStream());
      StreamCollector err = new StreamCollector(p.getErrorStream());
      if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("timed out after " + TIMEOUT + ": " + String.join(" ", cmd) + "\n" + out.text()
            + err.text());
      }
      out.join();
      err.join();
      return new Result(cmd, p.exitValue(), out.text(), err.text());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (p != null && p.isAlive()) p.destroyForcibly();
    }
  }

  /** {@code kubectl get ... -o json} of one object, failing the test if kubectl fails. */
  public JsonNode getJson(String... args) {
    String[] full = new String[args.length + 3];
    full[0] = "get";
    System.arraycopy(args, 0, full, 1, args.length);
    full[args.length + 1] = "-o";
    full[args.length + 2] = "json";
    return run(full).json();
  }

  /** Writes a manifest into the work directory and returns its path, for {@code -f}. */
  public Path manifest(String name, String yaml) {
    try {
      Path f = workDir.resolve(binary.token() + "-" + name);
      Files.writeString(f, yaml);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a long-running kubectl (e.g. {@code get -w}); close it in a finally block. */
  public Background start(String... args) {
    List<String> cmd = command(args);
    try {
      return new Background(cmd, builder(cmd).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A background kubectl whose output lines are collected as they arrive. */
  public static final class Background implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final StreamCollector out;
    private final StreamCollector err;

    Background(List<String> command, Process process) {
      this.command = command;
      this.process = process;
      this.out = new StreamCollector(process.getInputStream());
      this.err = new StreamCollector(process.getErrorStream());
    }

    public List<String> stdoutLines() {
      return out.lines();
    }

    public String stderr() {
      return err.text();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** Waits for the process to end and its output to be read; returns the exit code, or fails after the timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + timeout + ": " + this);
      }
      out.join();
      err.join();
      return process.exitValue();
    }

    @Override
    public String toString() {
      return String.join(" ", command) + "\n  stdout: " + out.text() + "\n  stderr: " + err.text();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Drains a process stream on its own thread so the process never blocks on a full pipe; keeps the exact text. */
  private static final class StreamCollector {
    private final StringBuffer text = new StringBuffer();
    private final Thread thread;

    StreamCollector(InputStream in) {
      thread = new Thread(() -> {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
          char[] buf = new char[8192];
          int n;
          while ((n = r.read(buf)) >= 0) text.append(buf, 0, n);
        } catch (IOException closed) {
          // the process ended or was killed
        }
      }, "kubectl-output");
      thread.setDaemon(true);
      thread.start();
    }

    void join() throws InterruptedException {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    String text() {
      return text.toString();
    }

    /** Complete lines so far (a partial last line is left out until its newline arrives). */
    List<String> lines() {
      String t = text();
      int end = t.lastIndexOf('\n');
      return end < 0 ? List.of() : List.of(t.substring(0, end).split("\n", -1));
    }
  }
}
