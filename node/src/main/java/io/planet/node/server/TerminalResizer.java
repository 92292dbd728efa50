package io.planet.node.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the resize stream of a tty exec (channel 4, {@code {"Width":W,"Height":H}}) to the pseudo-terminal the
 * command runs on. That terminal is the one {@code script} opened for its child: the child holds its slave side as
 * fd 0, and {@code stty -F /proc/<child>/fd/0 cols W rows H} sets the window size there, which makes the kernel send
 * SIGWINCH to the terminal's foreground process group as it would for a local terminal. The first size usually
 * arrives before the child exists: it is applied as soon as the terminal is there. Only the latest size matters.
 * An attach to a container with a tty resizes the container's own terminal the same way ({@link #of}).
 */
final class TerminalResizer {
  private static final Logger log = LoggerFactory.getLogger(TerminalResizer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FIND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Columns and rows. */
  record Size(int width, int height) {}

  private final Supplier<Optional<Path>> find;
  private final BooleanSupplier alive;
  private final Executor executor;
  private volatile Size wanted;
  private Size applied;
  private Path terminal;

  /** For the terminal {@code script} opens for its child. */
  TerminalResizer(Process script, Executor executor) {
    this(() -> script.toHandle().children().map(c -> Path.of("/proc/" + c.pid() + "/fd/0"))
        .filter(TerminalResizer::isPseudoTerminal).findFirst(), script::isAlive, executor);
  }

  private TerminalResizer(Supplier<Optional<Path>> find, BooleanSupplier alive, Executor executor) {
    this.find = find;
    this.alive = alive;
    this.executor = executor;
  }

  /** For the terminal {@code find} names (e.g. a container's), looked for while {@code alive} holds. */
  static TerminalResizer of(Supplier<Optional<Path>> find, BooleanSupplier alive, Executor executor) {
    return new TerminalResizer(find, alive, executor);
  }

  /** The size a resize message asks for; empty when it is not one (ignored, as upstream logs and goes on). */
  static Optional<Size> parse(byte[] message) {
    try {
      JsonNode n = JSON.readTree(message);
      int w = n.path("Width").asInt(-1);
      int h = n.path("Height").asInt(-1);
      if (w < 0 || h < 0 || w > 0xffff || h > 0xffff) return Optional.empty();
      return Optional.of(new Size(w, h));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Asks for {@code size}; applied off the caller's thread, in order (a later size wins). */
  void resize(Size size) {
    wanted = size;
    executor.execute(this::apply);
  }

  private synchronized void apply() {
    Size size = wanted;
    if (size == null || size.equals(applied)) return;
    Path tty = terminal();
    if (tty == null) return;
    try {
      Process stty = new ProcessBuilder("stty", "-F", tty.toString(), "cols", Integer.toString(size.width()), "rows",
          Integer.toString(size.height())).redirectErrorStream(true).start();
      stty.getOutputStream().close();
      String out = new String(stty.getInputStream().readAllBytes());
      if (stty.waitFor() == 0) applied = size;
      else log.debug("resizing {} to {}: {}", tty, size, out.trim());
    } catch (IOException e) {
      log.debug("resizing {} to {}: {}", tty, size, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The terminal, once it is there (for exec: once {@code script} has started its child); null if it never is. */
  private Path terminal() {
    if (terminal != null && Files.exists(terminal)) return terminal;
    long deadline = System.nanoTime() + FIND_TIMEOUT_NANOS;
    while (alive.getAsBoolean() && System.nanoTime() < deadline) {
      Optional<Path> found = find.get();
      if (found.isPresent()) {
        terminal = found.get();
        return terminal;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private static boolean isPseudoTerminal(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().startsWith("/dev/pts/");
    } catch (IOException e) {
      return false;
    }
  }
}
