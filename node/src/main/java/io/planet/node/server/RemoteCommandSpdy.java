package io.planet.node.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RemoteCommand} over a SPDY/3.1 session, as upstream's kubelet serves kubectl &lt; 1.30 and client-go's SPDY
 * executor: the client opens one stream per part, named by its {@code streamType} header (error, stdin, stdout,
 * stderr and, with a tty on v3 and later, resize); each is accepted with a SYN_REPLY. Once all the streams the
 * request asked for are there (within upstream's 30 s) the command starts: its output goes out as data frames, the
 * client's FIN on stdin ends the input, resize carries {@code {"Width":W,"Height":H}} objects one after the other.
 * At the end the error stream carries the Status (v4: the metav1.Status JSON; v1–v3: a failure's message as text,
 * nothing for success), every stream is finished with FIN, and the connection closes once the client has let go.
 * Frames arrive decoded by Netty's {@code SpdyFrameCodec}.
 */
final class RemoteCommandSpdy extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RemoteCommandSpdy.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Upstream's remote-command protocols over SPDY, preferred first ({@code channel.k8s.io} is v1). */
  static final List<String> PROTOCOLS = List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
      "channel.k8s.io");
  /** Upstream's default stream creation timeout. */
  private static final long STREAM_CREATION_TIMEOUT_SECONDS = 30;
  /** How long the client has to close the connection after the last frame before the server closes it. */
  private static final long LINGER_SECONDS = 10;

  /** Makes the command once its streams are there. */
  interface Starter {
    RemoteCommand start() throws IOException;
  }

  /** What the request asked for (exec's and attach's {@code input}, {@code output}, {@code error}, {@code tty}). */
  record Streams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {}

  private final String protocol;
  private final Streams wanted;
  private final Starter starter;
  private final ExecutorService pumps;
  /** Stream id by type, as the client named them. */
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final ByteArrayOutputStream resizes = new ByteArrayOutputStream();
  private final List<byte[]> earlyStdin = new ArrayList<>();
  private boolean earlyStdinEnded;
  private volatile RemoteCommand command;
  private int expected;
  private int received;
  private ScheduledFuture<?> timeout;

  /** {@code protocol}: the one negotiated in the upgrade, one of {@link #PROTOCOLS}. */
  RemoteCommandSpdy(String protocol, Streams wanted, Starter starter, ExecutorService pumps) {
    this.protocol = protocol;
    this.wanted = wanted;
    this.starter = starter;
    this.pumps = pumps;
    expected = 1 + (wanted.stdin() ? 1 : 0) + (wanted.stdout() ? 1 : 0) + (wanted.stderr() ? 1 : 0)
        + (wanted.tty() && resizing() ? 1 : 0);
  }

  /** v3 added the resize stream; v4 the Status JSON on the error stream. */
  private boolean resizing() {
    return protocol.equals("v4.channel.k8s.io") || protocol.equals("v3.channel.k8s.io");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> {
      if (command == null) {
        log.debug("remote command on {}: timed out waiting for client to create streams", ctx.channel());
        ctx.close();
      }
    }, STREAM_CREATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof SpdySynStreamFrame syn) {
        synStream(ctx, syn);
      } else if (msg instanceof SpdyDataFrame data) {
        data(ctx.channel(), data.streamId(), ByteBufUtil.getBytes(data.content()), data.isLast());
      } else if (msg instanceof SpdyRstStreamFrame rst) {
        if (isStream("stdin", rst.streamId())) stdinEnded();
      } else if (msg instanceof SpdyPingFrame ping) {
        // client pings have odd ids; answering is echoing
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
    String type = syn.headers().getAsString("streamtype");
    DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
    // Netty encodes an empty header set as no header block at all, which Go's SPDY framer cannot read: the reply
    // names the stream's type instead
    reply.headers().set("streamtype", type == null ? "" : type);
    ctx.writeAndFlush(reply);
    if (command != null) return;
    boolean known = switch (type == null ? "" : type) {
      case "error", "stdin", "stdout", "stderr" -> true;
      case "resize" -> resizing();
      default -> false;
    };
    if (!known) {
      // upstream logs it and goes on waiting for the streams it knows
      log.debug("remote command: unexpected stream type {}", type);
      return;
    }
    ids.put(type, syn.streamId());
    if (++received == expected) start(ctx.channel());
  }

  private void start(Channel ch) {
    if (timeout != null) timeout.cancel(false);
    RemoteCommand c;
    try {
      c = starter.start();
    } catch (IOException e) {
      output(ch).finished(internalError("error executing command in container: " + e.getMessage()));
      return;
    }
    command = c;
    for (byte[] b : earlyStdin) {
      if (!c.stdin(b, () -> ch.config().setAutoRead(true))) ch.config().setAutoRead(false);
    }
    earlyStdin.clear();
    if (earlyStdinEnded) c.stdinEnded();
    c.start(output(ch), wanted.stdout(), wanted.stderr(), pumps);
  }

  private void data(Channel ch, int stream, byte[] bytes, boolean last) {
    if (isStream("stdin", stream)) {
      RemoteCommand c = command;
      if (c == null) {
        earlyStdin.add(bytes);
        earlyStdinEnded |= last;
        return;
      }
      if (bytes.length > 0 && !c.stdin(bytes, () -> ch.config().setAutoRead(true))) ch.config().setAutoRead(false);
      if (last) c.stdinEnded();
    } else if (isStream("resize", stream)) {
      resize(bytes);
    }
    // the client writes nothing else: the error stream is the server's
  }

  private void stdinEnded() {
    RemoteCommand c = command;
    if (c == null) earlyStdinEnded = true;
    else c.stdinEnded();
  }

  /** The resize stream is a sequence of JSON objects, cut anywhere by the frames; each complete one applies. */
  private void resize(byte[] bytes) {
    resizes.writeBytes(bytes);
    byte[] all = resizes.toByteArray();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] != '}') continue;
      byte[] one = java.util.Arrays.copyOfRange(all, start, i + 1);
      start = i + 1;
      RemoteCommand c = command;
      if (c != null) TerminalResizer.parse(one).ifPresent(c::resize);
    }
    resizes.reset();
    resizes.write(all, start, all.length - start);
  }

  private boolean isStream(String type, int id) {
    Integer known = ids.get(type);
    return known != null && known == id;
  }

  private RemoteCommand.Output output(Channel ch) {
    return new RemoteCommand.Output() {
      @Override
      public void stdout(byte[] data) {
        send(ch, "stdout", data, false);
      }

      @Override
      public void stderr(byte[] data) {
        send(ch, "stderr", data, false);
      }

      @Override
      public void finished(RemoteCommand.Status status) {
        send(ch, "stdout", new byte[0], true);
        send(ch, "stderr", new byte[0], true);
        String report = protocol.equals("v4.channel.k8s.io") ? status.json() : status.failureMessage();
        if (report != null) send(ch, "error", report.getBytes(StandardCharsets.UTF_8), false);
        send(ch, "error", new byte[0], true);
        send(ch, "stdin", new byte[0], true);
        send(ch, "resize", new byte[0], true);
        // the client closes the connection once it has read everything; a client that does not is let go
        ch.eventLoop().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
      }
    };
  }

  /** Upstream's InternalError Status for a command that could not run. */
  private static RemoteCommand.Status internalError(String message) {
    ObjectNode status = JSON.createObjectNode();
    status.putObject("metadata");
    status.put("status", "Failure").put("message", "Internal error occurred: " + message).put("reason", "InternalError");
    status.putObject("details").putArray("causes").addObject().put("message", message);
    status.put("code", 500);
    return new RemoteCommand.Status(status.toString(), "Internal error occurred: " + message);
  }

  /** Writes a data frame on the stream of {@code type} (if the client opened one), waiting while the client is slow. */
  private void send(Channel ch, String type, byte[] data, boolean last) {
    Integer id = ids.get(type);
    if (id == null || !ch.isActive()) return;
    DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(data));
    frame.setLast(last);
    ChannelFuture f = ch.writeAndFlush(frame);
    if (!ch.isWritable() && !ch.eventLoop().inEventLoop()) f.awaitUninterruptibly(30, TimeUnit.SECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timeout != null) timeout.cancel(false);
    RemoteCommand c = command;
    if (c != null) c.clientGone();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("remote command session error: {}", cause.toString());
    ctx.close();
  }
}
