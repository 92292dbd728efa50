package io.planet.cli.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** One DNS A query over UDP, to tell whether the cluster DNS answers: the answer count of a NOERROR reply. */
final class DnsProbe {
  private DnsProbe() {}

  /** Answers for {@code name} from {@code server}, or -1 on no reply, an error code or a malformed reply. */
  static int answers(InetSocketAddress server, String name, int timeoutMillis) {
    int id = ThreadLocalRandom.current().nextInt(0x10000);
    ByteArrayOutputStream q = new ByteArrayOutputStream();
    q.write(id >> 8);
    q.write(id);
    q.write(0x01); // RD
    q.write(0x00);
    q.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      byte[] b = label.getBytes(StandardCharsets.US_ASCII);
      q.write(b.length);
      q.writeBytes(b);
    }
    q.writeBytes(new byte[] {0, 0, 1, 0, 1}); // root, type A, class IN
    byte[] query = q.toByteArray();
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(timeoutMillis);
      s.send(new DatagramPacket(query, query.length, server));
      byte[] buf = new byte[1500];
      DatagramPacket reply = new DatagramPacket(buf, buf.length);
      s.receive(reply);
      if (reply.getLength() < 12 || (((buf[0] & 0xff) << 8) | (buf[1] & 0xff)) != id) return -1;
      if ((buf[3] & 0x0f) != 0) return -1;
      return ((buf[6] & 0xff) << 8) | (buf[7] & 0xff);
    } catch (IOException e) {
      return -1;
    }
  }
}
