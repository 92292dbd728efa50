package io.planet.node.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * DNS over UDP and TCP on one address and port: each query is handed to a handler on a worker thread. UDP answers
 * larger than the client's buffer (512 bytes, or its EDNS0 size) are truncated with TC set, so the client retries
 * over TCP.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
  private static final int OUR_EDNS_SIZE = 1232;
  /** Root name, type, class, TTL and rdlength of an OPT record without options. */
  private static final int OPT_WIRE_LENGTH = 11;
  private static final int TCP_IDLE_MILLIS = 10_000;

  private final UnaryOperator<Message> handler;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final ExecutorService workers = Executors.newFixedThreadPool(8, daemon("dns-worker"));
  private final ExecutorService connections = Executors.newCachedThreadPool(daemon("dns-tcp"));
  private volatile boolean closed;

  /** Binds both sockets; port 0 picks one free for both (tests). */
  public DnsServer(InetSocketAddress listen, UnaryOperator<Message> handler) throws IOException {
    this.handler = handler;
    Sockets sockets = bind(listen);
    this.udp = sockets.udp();
    this.tcp = sockets.tcp();
    start();
  }

  private record Sockets(DatagramSocket udp, ServerSocket tcp) {}

  /** UDP first, then TCP on the same port; a picked port taken for TCP is tried again. */
  private static Sockets bind(InetSocketAddress listen) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      DatagramSocket u = new DatagramSocket(listen);
      try {
        ServerSocket t = new ServerSocket();
        t.setReuseAddress(true);
        try {
          t.bind(new InetSocketAddress(listen.getAddress(), u.getLocalPort()), 128);
        } catch (IOException e) {
          t.close();
          throw e;
        }
        return new Sockets(u, t);
      } catch (IOException e) {
        u.close();
        last = e;
        if (listen.getPort() != 0) break;
      }
    }
    throw last;
  }

  public int port() {
    return udp.getLocalPort();
  }

  private void start() {
    Thread u = daemon("dns-udp").newThread(this::serveUdp);
    u.start();
    Thread t = daemon("dns-accept").newThread(this::acceptTcp);
    t.start();
  }

  private void serveUdp() {
    while (!closed) {
      byte[] buf = new byte[65535];
      DatagramPacket packet = new DatagramPacket(buf, buf.length);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        if (!closed) log.warn("DNS UDP receive failed", e);
        continue;
      }
      byte[] data = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
      var from = packet.getSocketAddress();
      workers.execute(() -> {
        byte[] out = respond(data, true);
        if (out == null) return;
        try {
          udp.send(new DatagramPacket(out, out.length, from));
        } catch (IOException e) {
          if (!closed) log.debug("DNS UDP send to {} failed: {}", from, e.toString());
        }
      });
    }
  }

  private void acceptTcp() {
    while (!closed) {
      try {
        Socket s = tcp.accept();
        connections.execute(() -> serveTcp(s));
      } catch (IOException e) {
        if (!closed) log.warn("DNS TCP accept failed", e);
      }
    }
  }

  /** RFC 1035 §4.2.2 / RFC 7766: two-byte length prefix; several queries may share a connection. */
  private void serveTcp(Socket s) {
    try (s) {
      s.setSoTimeout(TCP_IDLE_MILLIS);
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (!closed) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException | java.net.SocketTimeoutException e) {
          return;
        }
        byte[] data = in.readNBytes(length);
        if (data.length < length) return;
        byte[] response = respond(data, false);
        if (response == null) return;
        out.writeShort(response.length);
        out.write(response);
        out.flush();
      }
    } catch (SocketException e) {
      // the client went away
    } catch (IOException e) {
      if (!closed) log.debug("DNS TCP connection failed: {}", e.toString());
    }
  }

  /** The wire response, or null for garbage too short to carry an id (dropped, as servers do). */
  byte[] respond(byte[] data, boolean overUdp) {
    Message query;
    try {
      query = new Message(data);
    } catch (IOException e) {
      if (data.length < Header.LENGTH) return null;
      Message error = new Message(((data[0] & 0xff) << 8) | (data[1] & 0xff));
      error.getHeader().setFlag(org.xbill.DNS.Flags.QR);
      error.getHeader().setRcode(Rcode.FORMERR);
      return error.toWire();
    }
    Message response;
    try {
      response = handler.apply(query);
    } catch (RuntimeException e) {
      log.warn("DNS query {} failed", query.getQuestion(), e);
      response = ClusterDnsHandler.error(query, Rcode.SERVFAIL);
    }
    OPTRecord clientOpt = query.getOPT();
    for (Record r : List.copyOf(response.getSection(Section.ADDITIONAL))) {
      if (r instanceof OPTRecord) response.removeRecord(r, Section.ADDITIONAL);
    }
    OPTRecord ours = clientOpt == null ? null : new OPTRecord(OUR_EDNS_SIZE, 0, 0);
    if (!overUdp) return withOpt(response, ours).toWire();
    int max = clientOpt == null ? 512 : Math.max(512, Math.min(clientOpt.getPayloadSize(), OUR_EDNS_SIZE));
    byte[] whole = withOpt(response, ours).toWire();
    if (whole.length <= max) return whole;
    if (ours != null) response.removeRecord(ours, Section.ADDITIONAL);
    // truncate without the OPT, then put it back: RFC 6891 wants it in truncated answers too (dnsjava would drop it)
    byte[] truncated = response.toWire(max - (ours == null ? 0 : OPT_WIRE_LENGTH));
    if (ours == null) return truncated;
    try {
      return withOpt(new Message(truncated), ours).toWire();
    } catch (IOException e) {
      return truncated;
    }
  }

  private static Message withOpt(Message m, OPTRecord opt) {
    if (opt != null && m.getOPT() == null) m.addRecord(opt, Section.ADDITIONAL);
    return m;
  }

  @Override
  public void close() {
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException ignored) {
      // closing
    }
    workers.shutdownNow();
    connections.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
