package io.planet.node.server;

import java.util.concurrent.ExecutorService;

/**
 * What a remote-command connection drives, whatever carries it (WebSocket channels or SPDY streams): an {@code exec}'s
 * process ({@link ExecProcess}) or an {@code attach} to a container's own streams ({@link AttachedContainer}). The
 * transport hands over the client's input, end of input, window sizes and departure; the command sends its output
 * and, last, its final {@link Status}.
 */
interface RemoteCommand {
  /** Where the command's output goes; calls may block while the client is slow to read. */
  interface Output {
    void stdout(byte[] data);

    void stderr(byte[] data);

    /** The command is over: no output follows. */
    void finished(Status status);
  }

  /**
   * The outcome as upstream's remote-command servers report it: the metav1.Status JSON (the error stream of v4/v5)
   * and, for a failure, its message (what v1–v3 write on the error stream as plain text).
   */
  record Status(String json, String failureMessage) {
    static final Status SUCCESS = new Status("{\"metadata\":{},\"status\":\"Success\"}", null);

    boolean success() {
      return failureMessage == null;
    }
  }

  /** Starts sending output (only the streams asked for) on {@code pumps}; ends with {@link Output#finished}. */
  void start(Output out, boolean wantStdout, boolean wantStderr, ExecutorService pumps);

  /**
   * The client's input, queued for the command ({@link StdinPipe}); false when the transport should stop reading
   * until {@code resume} runs.
   */
  boolean stdin(byte[] data, Runnable resume);

  /** The client's input ended (v5's close of stdin, SPDY's FIN on the stdin stream). */
  void stdinEnded();

  void resize(TerminalResizer.Size size);

  /** The client left (closed the connection or said goodbye). */
  void clientGone();
}
