package io.planet.node.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The process of one {@code exec}: {@code runc exec} in the container, or for a tty the command under {@code script}
 * on a pseudo-terminal whose window size follows the client's ({@link TerminalResizer}). Its stdout and stderr are
 * pumped to the transport until they end, then its exit status becomes upstream's Status.
 */
final class ExecProcess implements RemoteCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final StdinPipe stdin;
  private final List<String> command;
  /** Null without a tty: then resizes have nothing to apply to. */
  private final TerminalResizer resizer;

  private ExecProcess(Process process, List<String> command, TerminalResizer resizer, Executor executor) {
    this.process = process;
    this.stdin = new StdinPipe(process.getOutputStream(), executor);
    this.command = command;
    this.resizer = resizer;
  }

  /**
   * Starts {@code argv} (the runc exec, or with {@code tty} the terminal wrapper around it) with {@code env} (null:
   * inherited); {@code command} is what the client asked for, for the Status message. Resizes are applied on
   * {@code executor}.
   */
  static ExecProcess start(List<String> argv, Map<String, String> env, List<String> command, boolean wantStdin,
      boolean tty, Executor executor) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (env != null) {
      pb.environment().clear();
      pb.environment().putAll(env);
    }
    Process p = pb.start();
    if (!wantStdin) p.getOutputStream().close();
    return new ExecProcess(p, command, tty ? new TerminalResizer(p, executor) : null, executor);
  }

  @Override
  public void start(Output out, boolean wantStdout, boolean wantStderr, ExecutorService pumps) {
    Runnable stdout = pump(process.getInputStream(), wantStdout ? out::stdout : null);
    Runnable stderr = pump(process.getErrorStream(), wantStderr ? out::stderr : null);
    pumps.execute(() -> {
      CompletableFuture<Void> errDone = CompletableFuture.runAsync(stderr, pumps);
      stdout.run();
      errDone.join();
      int code;
      try {
        code = process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        code = -1;
      }
      out.finished(status(command, code));
    });
  }

  /** Upstream's Status for an exit code: Success, or NonZeroExitCode with the code as an ExitCode cause. */
  static Status status(List<String> command, int code) {
    if (code == 0) return Status.SUCCESS;
    String cmd = String.join(" ", command);
    String message = "command terminated with non-zero exit code: error executing command [" + cmd + "], exit code "
        + code;
    ObjectNode status = JSON.createObjectNode();
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", "NonZeroExitCode");
    status.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(code));
    return new Status(status.toString(), message);
  }

  /** Reads {@code in} to its end, handing chunks to {@code sink} (null: read and dropped). */
  private static Runnable pump(InputStream in, Consumer<byte[]> sink) {
    return () -> {
      byte[] buf = new byte[32 * 1024];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (sink != null) sink.accept(java.util.Arrays.copyOf(buf, n));
        }
      } catch (IOException e) {
        // the process ended
      }
    };
  }

  @Override
  public boolean stdin(byte[] data, Runnable resume) {
    return stdin.write(data, resume);
  }

  @Override
  public void stdinEnded() {
    stdin.end(() -> {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // already gone with the process
      }
    });
  }

  @Override
  public void resize(TerminalResizer.Size size) {
    if (resizer != null) resizer.resize(size);
  }

  @Override
  public void clientGone() {
    if (process.isAlive()) process.destroy();
  }
}
