package io.planet.node.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A stand-in for the host's upstream resolver, on 127.0.0.1: {@code external.example} has one address,
 * {@code big.example} 100 (too many for any UDP answer it gives), everything else is NXDOMAIN. Counts its queries.
 */
final class FakeUpstream implements AutoCloseable {
  static final String EXTERNAL_IP = "203.0.113.7";
  private static final Name EXAMPLE = Name.fromConstantString("example.");

  final AtomicInteger queries = new AtomicInteger();
  private final DnsServer server;

  FakeUpstream() throws IOException {
    server = new DnsServer(new InetSocketAddress("127.0.0.1", 0), this::answer);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.port());
  }

  private Message answer(Message query) {
    queries.incrementAndGet();
    Record q = query.getQuestion();
    Message r = new Message(query.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    r.addRecord(q, Section.QUESTION);
    String name = q.getName().toString().toLowerCase();
    try {
      if (name.equals("external.example.") && q.getType() == Type.A) {
        r.addRecord(new ARecord(q.getName(), DClass.IN, 60, InetAddress.getByName(EXTERNAL_IP)), Section.ANSWER);
      } else if (name.equals("big.example.") && q.getType() == Type.A) {
        for (int i = 1; i <= 100; i++) {
          r.addRecord(new ARecord(q.getName(), DClass.IN, 60, InetAddress.getByName("198.51.100." + i)), Section.ANSWER);
        }
      } else {
        r.getHeader().setRcode(Rcode.NXDOMAIN);
        r.addRecord(new SOARecord(EXAMPLE, DClass.IN, 60, Name.fromConstantString("ns.example."),
            Name.fromConstantString("admin.example."), 1, 60, 60, 60, 30), Section.AUTHORITY);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return r;
  }

  @Override
  public void close() {
    server.close();
  }
}
