package io.planet.node.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * One {@code exec} over the Kubernetes remote-command WebSocket protocol ({@code v4.channel.k8s.io} and
 * {@code v5.channel.k8s.io}): each binary message starts with its stream — 0 stdin, 1 stdout, 2 stderr, 3 error
 * (the final Status, with the exit code), 4 resize; v5 adds 255 to close a stream (stdin's EOF). The command runs
 * with {@code runc exec} in the container, or for a tty under {@code script} on a pseudo-terminal whose window size
 * follows the resize stream ({@link TerminalResizer}).
 */
final class ExecSession extends SimpleChannelInboundHandler<WebSocketFrame> {
  static final byte STDIN = 0;
  static final byte STDOUT = 1;
  static final byte STDERR = 2;
  static final byte ERROR = 3;
  static final byte RESIZE = 4;
  static final byte CLOSE = (byte) 255;

  private final Process process;
  private final OutputStream stdin;
  private final boolean v5;
  /** Null without a tty: then resize messages have nothing to apply to. */
  private final TerminalResizer resizer;

  private ExecSession(Process process, boolean v5, TerminalResizer resizer) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.v5 = v5;
    this.resizer = resizer;
  }

  /**
   * Starts the command; its output flows once {@link #pump} is called (after the handshake). With {@code tty}
   * ({@code runcExec} then runs it on a terminal under {@code script}), resizes are applied on {@code executor}.
   */
  static ExecSession start(List<String> runcExec, java.util.Map<String, String> env, boolean wantStdin, boolean v5,
      boolean tty, java.util.concurrent.Executor executor) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(runcExec);
    if (env != null) {
      pb.environment().clear();
      pb.environment().putAll(env);
    }
    Process p = pb.start();
    if (!wantStdin) p.getOutputStream().close();
    return new ExecSession(p, v5, tty ? new TerminalResizer(p, executor) : null);
  }

  /** Sends stdout/stderr to the WebSocket, then the final Status on the error stream, then closes. */
  void pump(Channel ch, List<String> command, boolean wantStdout, boolean wantStderr, ExecutorService pumps) {
    Process p = process;
    Runnable out = pump(ch, p.getInputStream(), STDOUT, wantStdout);
    Runnable err = pump(ch, p.getErrorStream(), STDERR, wantStderr);
    pumps.execute(() -> {
      var errDone = java.util.concurrent.CompletableFuture.runAsync(err, pumps);
      out.run();
      errDone.join();
      int code;
      try {
        code = p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        code = -1;
      }
      send(ch, ERROR, status(command, code).getBytes(StandardCharsets.UTF_8));
      ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
    });
  }

  /** Upstream's Status on the error stream: Success, or NonZeroExitCode with the code as an ExitCode cause. */
  static String status(List<String> command, int code) {
    if (code == 0) return "{\"metadata\":{},\"status\":\"Success\"}";
    String cmd = String.join(" ", command).replace("\\", "\\\\").replace("\"", "\\\"");
    return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: error "
        + "executing command [" + cmd + "], exit code " + code + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
        + "[{\"reason\":\"ExitCode\",\"message\":\"" + code + "\"}]}}";
  }

  private static Runnable pump(Channel ch, InputStream in, byte stream, boolean forward) {
    return () -> {
      byte[] buf = new byte[32 * 1024];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (forward && ch.isActive()) send(ch, stream, java.util.Arrays.copyOf(buf, n));
        }
      } catch (IOException e) {
        // the process ended
      }
    };
  }

  private static void send(Channel ch, byte stream, byte[] data) {
    ByteBuf b = Unpooled.buffer(data.length + 1);
    b.writeByte(stream);
    b.writeBytes(data);
    try {
      ch.writeAndFlush(new BinaryWebSocketFrame(b)).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // the client went away
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws IOException {
    if (frame instanceof CloseWebSocketFrame) {
      process.destroy();
      ctx.close();
      return;
    }
    if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      return;
    }
    ByteBuf c = frame.content();
    if (!c.isReadable()) return;
    byte stream = c.readByte();
    if (stream == STDIN) {
      byte[] data = new byte[c.readableBytes()];
      c.readBytes(data);
      try {
        stdin.write(data);
        stdin.flush();
      } catch (IOException e) {
        // the command does not read stdin any more
      }
    } else if (stream == RESIZE) {
      byte[] data = new byte[c.readableBytes()];
      c.readBytes(data);
      if (resizer != null) TerminalResizer.parse(data).ifPresent(resizer::resize);
    } else if (v5 && stream == CLOSE && c.isReadable() && c.readByte() == STDIN) {
      stdin.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (process.isAlive()) process.destroy();
  }
}
