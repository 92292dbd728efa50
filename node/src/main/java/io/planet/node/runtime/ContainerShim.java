package io.planet.node.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small process that runs one container and outlives the agent: {@code runc run --keep} in the foreground under a
 * shell of its own session, so neither the agent's death nor its terminal reaches it. The container's stdout and
 * stderr go to named pipes in the container's directory that the shell holds open read-write: while no agent reads
 * them the container blocks once a pipe is full instead of dying of EPIPE, and a new agent reopens them. When the
 * container exits, its exit status (128+signal when killed) is written to {@code exit}, since runc keeps none; with
 * {@code --keep} runc leaves the container (and its cgroup, where the OOM kills are counted) until it is deleted.
 * Then the shim waits for a reader (an agent whose pid is in {@code agent.pid}) before letting go of the pipes:
 * a pipe nobody holds loses what is still in it, the container's last words. It waits a minute at most, so a node
 * whose agent is gone for good keeps no shims.
 *
 * <p>A container with stdin reads its pipe read-only; the write end is held by a holder process (pid in
 * {@code stdin.holder}) so that the container sees no end of input while no one is attached, as upstream's runtimes.
 * For {@code stdinOnce} the agent ends the holder when the first attach closes its input: the container then reads
 * EOF. The shim ends the holder when the container exits.
 *
 * <p>A container with a tty ({@code process.terminal} in its spec) gets from runc a pseudo-terminal of its own, made
 * in the container and set as its controlling terminal, as with upstream's runtimes; runc in the foreground relays it
 * to its own stdio but insists on having a terminal there (it sets it raw and follows its window size). So runc runs
 * under {@code script}, on a second pseudo-terminal whose other end {@code script} copies to the stdout pipe: the
 * container's output is one stream, as a terminal's is. {@code script -e} exits with runc's status. Such a container
 * always has the stdin pipe and its holder, even without stdin: {@code script} would pass the end of its input on
 * as a character, where upstream's terminal simply never sees input. The window size is set on the container's own
 * terminal ({@code /proc/<pid>/fd/0}), which the outer one does not touch while its size stays as it is.
 */
final class ContainerShim {
  static final String STDOUT = "stdout";
  static final String STDERR = "stderr";
  static final String STDIN = "stdin";
  static final String STDIN_HOLDER = "stdin.holder";
  static final String EXIT = "exit";
  static final String PID = "pid";
  static final String READER = "agent.pid";
  static final int READER_WAIT_SECONDS = 60;

  /** $1 runc root, $2 bundle (the container's directory), $3 container id, $4 "tty" for a container with a tty. */
  private static final String SCRIPT = String.join("\n",
      "cd \"$2\" || exit 125",
      "exec 3<>" + STDOUT + " 4<>" + STDERR,
      // read-write first so that the read-only open does not wait for a writer; the holder keeps the write end
      "if [ -p " + STDIN + " ]; then exec 6<>" + STDIN + " 5<" + STDIN + "; sleep infinity 3>&- 4>&- 5>&- &",
      "  echo $! > " + STDIN_HOLDER + "; exec 6>&-; else exec 5</dev/null; fi",
      "if [ \"$4\" = tty ]; then",
      // script takes the command as text: the paths reach it through the environment, never quoted into it
      "  RUNC_ROOT=\"$1\" BUNDLE=\"$2\" ID=\"$3\" SHELL=/bin/sh script -qfec 'exec runc --root \"$RUNC_ROOT\" run --keep"
          + " --bundle \"$BUNDLE\" --pid-file \"$BUNDLE/" + PID + "\" \"$ID\"' /dev/null <&5 >&3 2>&4 3>&- 4>&- 5>&-",
      "else runc --root \"$1\" run --keep --bundle \"$2\" --pid-file \"$2/" + PID + "\" \"$3\" <&5 >&3 2>&4 3>&- 4>&- 5>&-; fi",
      "echo $? > " + EXIT,
      "if read -r holder < " + STDIN_HOLDER + "; then kill \"$holder\"; fi 2>/dev/null",
      // a minute for an agent to come back and read the last output; then the shim goes (the exit file stays)
      "n=0",
      "until { read -r reader < " + READER + "; kill -0 \"$reader\"; } 2>/dev/null || [ $n -ge " + READER_WAIT_SECONDS
          + " ]; do n=$((n+1)); sleep 1; done",
      "");

  private ContainerShim() {}

  /**
   * Makes the container's pipes in {@code dir}: stdout, stderr, and stdin when the container keeps one open or has
   * a tty.
   */
  static void makePipes(Path dir, boolean stdin) throws IOException {
    Commands.run("mkfifo", "-m", "0600", dir.resolve(STDOUT).toString(), dir.resolve(STDERR).toString());
    if (stdin) Commands.run("mkfifo", "-m", "0600", dir.resolve(STDIN).toString());
  }

  /** Starts the shim of container {@code id} whose bundle is {@code dir}; its own errors go to {@code dir/shim.log}. */
  static Process start(Runc runc, Path dir, String id, boolean tty) throws IOException {
    Files.deleteIfExists(dir.resolve(EXIT));
    return new ProcessBuilder("setsid", "/bin/sh", "-c", SCRIPT, "planet-shim", runc.root().toString(), dir.toString(), id,
        tty ? "tty" : "")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("shim.log").toFile()))
        .start();
  }
}
