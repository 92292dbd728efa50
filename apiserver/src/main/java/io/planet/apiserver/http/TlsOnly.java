package io.planet.apiserver.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of an HTTPS port: a connection that starts with a TLS record continues with TLS; one that starts
 * with plain text (a client given http:// for an https:// server) gets upstream's answer, a 400 with
 * "Client sent an HTTP request to an HTTPS server.", instead of a connection closed without a word.
 */
final class TlsOnly extends ByteToMessageDecoder {
  private static final byte[] ANSWER = ("HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
      + "Connection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n").getBytes(StandardCharsets.US_ASCII);

  private final SslContext ssl;
  private final ChannelHandler afterTls;

  TlsOnly(SslContext ssl, ChannelHandler afterTls) {
    this.ssl = ssl;
    this.afterTls = afterTls;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // SslHandler.isEncrypted needs the 5-byte record header
    if (in.readableBytes() < 5) return;
    if (SslHandler.isEncrypted(in, false)) {
      ctx.pipeline().replace(this, "tls", ssl.newHandler(ctx.alloc()));
      ctx.pipeline().addAfter("tls", null, afterTls);
      return;
    }
    in.skipBytes(in.readableBytes());
    ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
  }
}
