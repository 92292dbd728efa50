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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * A {@link RemoteCommand} over the Kubernetes remote-command WebSocket protocol ({@code v4.channel.k8s.io} and
 * {@code v5.channel.k8s.io}): each binary message starts with its stream — 0 stdin, 1 stdout, 2 stderr, 3 error
 * (the final Status), 4 resize; v5 adds 255 to close a stream (stdin's EOF). After the Status the WebSocket closes.
 */
final class RemoteCommandWebSocket extends SimpleChannelInboundHandler<WebSocketFrame> {
  static final byte STDIN = 0;
  static final byte STDOUT = 1;
  static final byte STDERR = 2;
  static final byte ERROR = 3;
  static final byte RESIZE = 4;
  static final byte CLOSE = (byte) 255;

  private final RemoteCommand command;
  private final boolean v5;

  RemoteCommandWebSocket(RemoteCommand command, boolean v5) {
    this.command = command;
    this.v5 = v5;
  }

  /** Sends the command's output once the handshake is done: stdout/stderr, then its Status, then the close. */
  void pump(Channel ch, boolean wantStdout, boolean wantStderr, ExecutorService pumps) {
    command.start(new RemoteCommand.Output() {
      @Override
      public void stdout(byte[] data) {
        send(ch, STDOUT, data);
      }

      @Override
      public void stderr(byte[] data) {
        send(ch, STDERR, data);
      }

      @Override
      public void finished(RemoteCommand.Status status) {
        send(ch, ERROR, status.json().getBytes(StandardCharsets.UTF_8));
        ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
      }
    }, wantStdout, wantStderr, pumps);
  }

  private static void send(Channel ch, byte stream, byte[] data) {
    if (!ch.isActive()) return;
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
      command.clientGone();
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
      Channel ch = ctx.channel();
      if (!command.stdin(data, () -> ch.config().setAutoRead(true))) ch.config().setAutoRead(false);
    } else if (stream == RESIZE) {
      byte[] data = new byte[c.readableBytes()];
      c.readBytes(data);
      TerminalResizer.parse(data).ifPresent(command::resize);
    } else if (v5 && stream == CLOSE && c.isReadable() && c.readByte() == STDIN) {
      command.stdinEnded();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    command.clientGone();
  }
}
