package io.planet.node.server;

import io.planet.node.kubelet.PodWorkers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * {@code attach} to a running container: its output from now on (read back from its CRI log as it is written,
 * stdout and stderr apart unless it has a tty), and the client's input written to the container's stdin when its
 * spec keeps stdin open. Ends with Success when the container exits or the client leaves. The end of the client's
 * input closes a stdinOnce container's stdin (unless it has a tty), and ends the attach otherwise. With a tty, the
 * client's window size is set on the container's terminal.
 */
final class AttachedContainer implements RemoteCommand {
  private final PodWorkers.AttachTarget target;
  private final boolean input;
  private final boolean tty;
  private final StdinPipe stdin;
  /** Null without a tty. */
  private final TerminalResizer resizer;
  /** Where the container's log ended when the attach began: output to the client's input comes after it. */
  private final long logStart;
  private volatile boolean closed;

  /** {@code input}: the client sends stdin (attach's {@code stdin=true}); {@code tty}: attach's {@code tty=true}. */
  AttachedContainer(PodWorkers.AttachTarget target, boolean input, boolean tty, java.util.concurrent.Executor executor) {
    this.target = target;
    this.stdin = new StdinPipe(target.stdin(), executor);
    this.input = input;
    this.tty = tty;
    this.resizer = tty ? TerminalResizer.of(() -> target.container().terminal(), () -> target.container().running(),
        executor) : null;
    // taken now, before any input can reach the container: its answer must not fall before the start
    long size;
    try {
      size = java.nio.file.Files.size(target.log());
    } catch (IOException e) {
      size = 0;
    }
    this.logStart = size;
  }

  /** Streams the log from where it ended when the attach began until the container exits or the attach ends. */
  @Override
  public void start(Output out, boolean wantStdout, boolean wantStderr, ExecutorService pumps) {
    pumps.execute(() -> {
      try (FileChannel log = FileChannel.open(target.log())) {
        log.position(Math.min(logStart, log.size()));
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (!closed) {
          buf.clear();
          int n = log.read(buf);
          if (n <= 0) {
            if (!target.container().running()) break;
            Thread.sleep(50);
            continue;
          }
          buf.flip();
          while (buf.hasRemaining()) {
            byte b = buf.get();
            if (b != '\n') {
              line.write(b);
              continue;
            }
            ContainerLogs.Entry e = ContainerLogs.Entry.parse(line.toString(StandardCharsets.UTF_8));
            line.reset();
            boolean err = !tty && e.timestamp().length() > 0 && e.stream().equals("stderr");
            byte[] data = (e.content() + (e.full() ? "\n" : "")).getBytes(StandardCharsets.UTF_8);
            if (err && wantStderr) out.stderr(data);
            if (!err && wantStdout) out.stdout(data);
          }
        }
      } catch (IOException e) {
        // the log went away with the container
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.finished(Status.SUCCESS);
    });
  }

  @Override
  public boolean stdin(byte[] data, Runnable resume) {
    if (!target.stdinOpen()) return true;
    return stdin.write(data, resume);
  }

  /**
   * This client's input ended. As upstream's runtimes: a stdinOnce container's stdin closes and the attach goes on
   * until it exits; otherwise the attach ends (the container's stdin stays open for the next one).
   */
  @Override
  public void stdinEnded() {
    if (!input) return;
    if (target.stdinOnce()) {
      // after what the client sent before its end
      stdin.end(() -> target.container().closeStdin());
    } else {
      closed = true;
    }
  }

  @Override
  public void resize(TerminalResizer.Size size) {
    // the container's own terminal, as upstream's runtimes resize it; a container without one ignores it
    if (resizer != null) resizer.resize(size);
  }

  @Override
  public void clientGone() {
    closed = true;
    stdinEnded();
  }
}
