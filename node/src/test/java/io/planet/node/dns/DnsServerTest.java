package io.planet.node.dns;

import static io.planet.node.dns.DnsObjects.endpoint;
import static io.planet.node.dns.DnsObjects.headless;
import static io.planet.node.dns.DnsObjects.port;
import static io.planet.node.dns.DnsObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Wire-level behaviour: truncation, EDNS0, malformed and unsupported queries, no upstream. */
class DnsServerTest {
  private DnsServer server;

  @BeforeEach
  void start() throws Exception {
    FakeServiceDirectory directory = new FakeServiceDirectory();
    directory.services.add(headless("default", "many", port("http", "TCP", 80)));
    Endpoint[] endpoints = new Endpoint[100];
    for (int i = 0; i < 100; i++) endpoints[i] = endpoint("10.244.1." + (i + 1), null, true);
    directory.slices.add(slice("default", "many-1", "many", "http", 80, endpoints));
    directory.services.add(headless("default", "some", port("http", "TCP", 80)));
    directory.slices.add(slice("default", "some-1", "some", "http", 80, Arrays.copyOf(endpoints, 50)));
    server = new DnsServer(new InetSocketAddress("127.0.0.1", 0),
        new ClusterDnsHandler(new ClusterZone("cluster.local", directory, 5), null));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void udpAnswersTooBigForTheClientAreTruncated() throws Exception {
    byte[] udp = server.respond(query("many.default.svc.cluster.local.", Type.A).toWire(), true);
    assertThat(udp.length).isLessThanOrEqualTo(512);
    assertThat(new Message(udp).getHeader().getFlag(Flags.TC)).isTrue();
    Message tcp = new Message(server.respond(query("many.default.svc.cluster.local.", Type.A).toWire(), false));
    assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(tcp.getSection(Section.ANSWER)).hasSize(100);
  }

  @Test
  void ednsClientsGetBiggerUdpAnswersAndAnOptRecord() throws Exception {
    Message q = query("some.default.svc.cluster.local.", Type.A);
    assertThat(new Message(server.respond(q.toWire(), true)).getHeader().getFlag(Flags.TC)).isTrue();
    q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    byte[] udp = server.respond(q.toWire(), true);
    assertThat(udp.length).isGreaterThan(512).isLessThanOrEqualTo(1232);
    Message r = new Message(udp);
    assertThat(r.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(r.getSection(Section.ANSWER)).hasSize(50);
    assertThat(r.getOPT().getPayloadSize()).isEqualTo(1232);
    // still too big: truncated (whole RRsets only), with the OPT kept
    Message big = query("many.default.svc.cluster.local.", Type.A);
    big.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    Message truncated = new Message(server.respond(big.toWire(), true));
    assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(truncated.getOPT()).isNotNull();
  }

  @Test
  void malformedQueriesGetFormerrOrAreDropped() throws Exception {
    assertThat(server.respond(new byte[] {1, 2, 3}, true)).isNull();
    byte[] garbage = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 99};
    Message r = new Message(server.respond(garbage, true));
    assertThat(r.getHeader().getID()).isEqualTo(0x1234);
    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void otherOpcodesAreNotImplemented() throws Exception {
    Message q = query("many.default.svc.cluster.local.", Type.A);
    q.getHeader().setOpcode(Opcode.UPDATE);
    assertThat(new Message(server.respond(q.toWire(), true)).getRcode()).isEqualTo(Rcode.NOTIMP);
  }

  @Test
  void withoutUpstreamsOtherNamesAreRefused() throws Exception {
    Message r = new Message(server.respond(query("example.com.", Type.A).toWire(), true));
    assertThat(r.getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void unreachableUpstreamIsServfail() throws Exception {
    int closed;
    try (DatagramSocket s = new DatagramSocket(0)) {
      closed = s.getLocalPort();
    }
    Forwarder f = new Forwarder(List.of(new InetSocketAddress("127.0.0.1", closed)), Duration.ofMillis(300), Duration.ofSeconds(30));
    Message r = f.forward(query("example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(r.getQuestion().getName()).isEqualTo(Name.fromConstantString("example.com."));
  }

  private static Message query(String name, int type) {
    return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
  }
}
