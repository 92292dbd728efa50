package io.planet.node.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.planet.node.runtime.PodSandbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's port-forward over a SPDY/3.1 session ({@code portforward.k8s.io}), as upstream's httpstream handler:
 * for every forwarded connection the client opens an {@code error} and a {@code data} stream carrying the same
 * {@code port} and {@code requestID} headers. Each stream is accepted with a SYN_REPLY; once both are there the pod's
 * port is dialed and the data stream carries the connection both ways (the client's FIN half-closes it, a reset ends
 * it). A connection that cannot be made is reported as text on the error stream; both streams then end with FIN.
 * Frames arrive decoded by Netty's {@code SpdyFrameCodec}, raw or from a {@link WebSocketTunnel}.
 */
final class SpdyPortForwardSession extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SpdyPortForwardSession.class);
  /** Upstream's default stream creation timeout for the second stream of a pair. */
  private static final long STREAM_CREATION_TIMEOUT_SECONDS = 30;

  private final PodSandbox sandbox;
  private final ExecutorService pumps;
  private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
  private final Map<Integer, Pair> byStream = new ConcurrentHashMap<>();

  SpdyPortForwardSession(PodSandbox sandbox, ExecutorService pumps) {
    this.sandbox = sandbox;
    this.pumps = pumps;
  }

  /** One forwarded connection: its two streams and, once dialed, the connection in the pod. */
  private final class Pair {
    final String requestId;
    final int port;
    int dataStream;
    int errorStream;
    private PodPortConnection connection;
    private final List<byte[]> early = new ArrayList<>();
    private boolean clientDone;
    private boolean reset;
    private boolean started;

    Pair(String requestId, int port) {
      this.requestId = requestId;
      this.port = port;
    }

    synchronized void fromClient(byte[] data, boolean last) {
      if (connection != null) {
        connection.write(data);
        if (last) connection.closeWrite();
        return;
      }
      early.add(data);
      clientDone |= last;
    }

    synchronized void reset() {
      reset = true;
      if (connection != null) connection.kill();
    }

    synchronized void connected(PodPortConnection c) {
      connection = c;
      if (c == null) return;
      for (byte[] b : early) c.write(b);
      early.clear();
      if (clientDone) c.closeWrite();
      if (reset) c.kill();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof SpdySynStreamFrame syn) {
        synStream(ctx, syn);
      } else if (msg instanceof SpdyDataFrame data) {
        Pair p = byStream.get(data.streamId());
        if (p != null && data.streamId() == p.dataStream) p.fromClient(ByteBufUtil.getBytes(data.content()), data.isLast());
        // the client writes nothing on the error stream: it only half-closes it
      } else if (msg instanceof SpdyRstStreamFrame rst) {
        Pair p = byStream.get(rst.streamId());
        if (p != null) p.reset();
      } else if (msg instanceof SpdyPingFrame ping) {
        // client pings have odd ids (client-go pings every few seconds); answering is echoing
        if ((ping.id() & 1) == 1) ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
      } else if (msg instanceof SpdyGoAwayFrame) {
        ctx.close();
      }
      // SETTINGS, WINDOW_UPDATE, HEADERS: client-go's spdystream does no flow control, nothing to do
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void synStream(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
    int id = syn.streamId();
    SpdyHeaders h = syn.headers();
    String portText = h.getAsString("port");
    String type = h.getAsString("streamtype");
    int port;
    try {
      port = portText == null ? -1 : Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535 || !("data".equals(type) || "error".equals(type))) {
      // upstream's stream handler refuses it and spdystream resets the stream
      ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.CANCEL));
      return;
    }
    DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
    // Netty encodes an empty header set as no header block at all, which Go's SPDY framer cannot read (it wants
    // a compressed count of 0): the reply names the stream's type instead, a header no client objects to
    reply.headers().set("streamtype", type);
    ctx.writeAndFlush(reply);
    String requestId = h.getAsString("requestid");
    if (requestId == null || requestId.isEmpty()) {
      // clients without request ids: upstream pairs consecutive stream ids (error first, data next)
      requestId = Integer.toString("error".equals(type) ? id : id - 2);
    }
    int finalPort = port;
    Pair p = pairs.computeIfAbsent(requestId, r -> {
      Pair created = new Pair(r, finalPort);
      ctx.executor().schedule(() -> timeout(ctx.channel(), created), STREAM_CREATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return created;
    });
    boolean start;
    synchronized (p) {
      boolean taken = "data".equals(type) ? p.dataStream != 0 : p.errorStream != 0;
      if (taken) {
        String msg = "error processing stream for request " + requestId + ": " + type + " stream already assigned";
        if (p.errorStream != 0) send(ctx.channel(), p.errorStream, msg.getBytes(StandardCharsets.UTF_8), false);
        return;
      }
      if ("data".equals(type)) p.dataStream = id;
      else p.errorStream = id;
      byStream.put(id, p);
      start = p.dataStream != 0 && p.errorStream != 0 && !p.started;
      if (start) p.started = true;
    }
    if (start) {
      pairs.remove(requestId);
      Channel ch = ctx.channel();
      pumps.execute(() -> p.connected(PodPortConnection.open(sandbox, p.port, ch, sink(ch, p), pumps)));
    }
  }

  private PodPortConnection.Sink sink(Channel ch, Pair p) {
    return new PodPortConnection.Sink() {
      @Override
      public void data(byte[] bytes) {
        send(ch, p.dataStream, bytes, false);
      }

      @Override
      public void end(String error) {
        if (error != null) {
          log.info("port-forward to pod sandbox {}: {}", sandbox.id(), error);
          send(ch, p.errorStream, error.getBytes(StandardCharsets.UTF_8), false);
        }
        // the error stream's end is what the client waits for before it lets go of the local connection
        send(ch, p.errorStream, new byte[0], true);
        send(ch, p.dataStream, new byte[0], true);
        byStream.remove(p.dataStream);
        byStream.remove(p.errorStream);
      }
    };
  }

  private void timeout(Channel ch, Pair p) {
    synchronized (p) {
      if (p.started || pairs.get(p.requestId) != p) return;
    }
    pairs.remove(p.requestId);
    if (p.errorStream != 0) {
      String msg = "(conn=" + ch.id() + ", request=" + p.requestId + ") timed out waiting for streams";
      send(ch, p.errorStream, msg.getBytes(StandardCharsets.UTF_8), true);
    }
    byStream.remove(p.dataStream);
    byStream.remove(p.errorStream);
  }

  /** Writes a data frame, waiting while the client is slow to read (the pod's side then waits too). */
  private static void send(Channel ch, int stream, byte[] data, boolean last) {
    if (!ch.isActive()) return;
    DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(stream, Unpooled.wrappedBuffer(data));
    frame.setLast(last);
    ChannelFuture f = ch.writeAndFlush(frame);
    if (!ch.isWritable() && !ch.eventLoop().inEventLoop()) f.awaitUninterruptibly(30, TimeUnit.SECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (Pair p : byStream.values()) p.reset();
    for (Pair p : pairs.values()) p.reset();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("port-forward session error: {}", cause.toString());
    ctx.close();
  }
}
