package io.planet.node.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.planet.node.runtime.PodSandbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kubelet's port-forward over the WebSocket channel protocol ({@code v4.channel.k8s.io}, what fabric8 and other
 * non-Go clients use) with {@code ?ports=a,b}: one connection per requested port for the life of the WebSocket, on
 * channels 2i (data) and 2i+1 (error). Each channel first carries its port as two little-endian bytes, as upstream
 * writes it; every message starts with its channel byte. The WebSocket closes once every connection has ended.
 */
final class ChannelPortForwardSession extends SimpleChannelInboundHandler<WebSocketFrame> {
  private final PodSandbox sandbox;
  private final List<Integer> ports;
  private final PodPortConnection[] connections;
  private final AtomicInteger open;
  /** Client bytes that came before their port was dialed (the client may write as soon as it has the 101). */
  private final List<List<byte[]>> early = new ArrayList<>();
  private final boolean[] dialed;

  ChannelPortForwardSession(PodSandbox sandbox, List<Integer> ports) {
    this.sandbox = sandbox;
    this.ports = ports;
    this.connections = new PodPortConnection[ports.size()];
    this.dialed = new boolean[ports.size()];
    this.open = new AtomicInteger(ports.size());
    for (int i = 0; i < ports.size(); i++) early.add(new ArrayList<>());
  }

  /** Sends the port prefixes and dials every port (after the handshake). */
  void start(Channel ch, ExecutorService pumps) {
    for (int i = 0; i < ports.size(); i++) {
      int port = ports.get(i);
      byte[] prefix = {(byte) (port & 0xff), (byte) ((port >> 8) & 0xff)};
      send(ch, 2 * i, prefix);
      send(ch, 2 * i + 1, prefix);
    }
    for (int i = 0; i < ports.size(); i++) {
      int index = i;
      PodPortConnection c = PodPortConnection.open(sandbox, ports.get(i), ch, new PodPortConnection.Sink() {
        @Override
        public void data(byte[] bytes) {
          send(ch, 2 * index, bytes);
        }

        @Override
        public void end(String error) {
          if (error != null) send(ch, 2 * index + 1, error.getBytes(StandardCharsets.UTF_8));
          if (open.decrementAndGet() == 0) {
            ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
          }
        }
      }, pumps);
      synchronized (this) {
        connections[i] = c;
        dialed[i] = true;
        if (c != null) early.get(i).forEach(c::write);
        early.get(i).clear();
      }
    }
  }

  private static void send(Channel ch, int channel, byte[] data) {
    if (!ch.isActive()) return;
    ByteBuf b = Unpooled.buffer(data.length + 1);
    b.writeByte(channel);
    b.writeBytes(data);
    ChannelFuture f = ch.writeAndFlush(new BinaryWebSocketFrame(b));
    if (!ch.isWritable() && !ch.eventLoop().inEventLoop()) f.awaitUninterruptibly(30, TimeUnit.SECONDS);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame) {
      killAll();
      ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      return;
    }
    if (!(frame instanceof BinaryWebSocketFrame) && !(frame instanceof TextWebSocketFrame)) return;
    ByteBuf c = frame.content();
    if (!c.isReadable()) return;
    int channel = c.readUnsignedByte();
    // only data channels are writable by the client; upstream ignores writes beyond the known channels
    if (channel % 2 != 0 || channel / 2 >= ports.size()) return;
    byte[] data = ByteBufUtil.getBytes(c);
    synchronized (this) {
      PodPortConnection conn = connections[channel / 2];
      if (conn != null) conn.write(data);
      else if (!dialed[channel / 2]) early.get(channel / 2).add(data);
    }
  }

  private synchronized void killAll() {
    for (PodPortConnection c : connections) {
      if (c != null) c.kill();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    killAll();
    ctx.fireChannelInactive();
  }
}
