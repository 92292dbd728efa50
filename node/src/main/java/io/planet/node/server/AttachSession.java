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
import io.planet.node.kubelet.PodWorkers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * {@code attach} over the remote-command WebSocket protocol: the container's output from now on (read back from its
 * CRI log as it is written, stdout and stderr apart), and stdin frames written to the container's stdin when its spec
 * keeps stdin open. Ends with a Success Status when the container exits or the client leaves. The end of the
 * client's input (v5's close of stdin) closes a stdinOnce container's stdin, and ends the session otherwise.
 */
final class AttachSession extends SimpleChannelInboundHandler<WebSocketFrame> {
  private final PodWorkers.AttachTarget target;
  private final boolean v5;
  private final boolean input;
  private volatile boolean closed;

  /** {@code input}: the client sends stdin (attach's {@code stdin=true}). */
  AttachSession(PodWorkers.AttachTarget target, boolean v5, boolean input) {
    this.target = target;
    this.v5 = v5;
    this.input = input;
  }

  /** Streams the log from its current end until the container exits. */
  void pump(Channel ch, boolean wantStdout, boolean wantStderr, boolean tty, ExecutorService pumps) {
    pumps.execute(() -> {
      try (FileChannel log = FileChannel.open(target.log())) {
        log.position(log.size());
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (!closed && ch.isActive()) {
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
            boolean err = !tty && e.timestamp().length() > 0 && isStderr(e);
            byte[] out = (e.content() + (e.full() ? "\n" : "")).getBytes(StandardCharsets.UTF_8);
            if (err ? wantStderr : wantStdout) send(ch, err ? ExecSession.STDERR : ExecSession.STDOUT, out);
          }
        }
      } catch (IOException e) {
        // the log went away with the container
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      send(ch, ExecSession.ERROR, "{\"metadata\":{},\"status\":\"Success\"}".getBytes(StandardCharsets.UTF_8));
      ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
    });
  }

  private static boolean isStderr(ContainerLogs.Entry e) {
    return e.stream().equals("stderr");
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
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame) {
      closed = true;
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
    if (stream == ExecSession.STDIN && target.stdinOpen()) {
      byte[] data = new byte[c.readableBytes()];
      c.readBytes(data);
      try {
        target.stdin().write(data);
        target.stdin().flush();
      } catch (IOException e) {
        // the container no longer reads stdin
      }
    } else if (v5 && stream == ExecSession.CLOSE && c.isReadable() && c.readByte() == ExecSession.STDIN) {
      inputEnded();
    }
  }

  /**
   * This client's input ended. As upstream's runtimes: a stdinOnce container's stdin closes and the session goes on
   * until it exits; otherwise the session ends (its stdin stays open for the next attach).
   */
  private void inputEnded() {
    if (!input) return;
    if (target.stdinOnce()) {
      target.container().closeStdin();
    } else {
      closed = true;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    inputEnded();
  }
}
