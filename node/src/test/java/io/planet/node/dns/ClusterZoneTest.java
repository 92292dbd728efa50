package io.planet.node.dns;

import static io.planet.node.dns.DnsObjects.clusterIp;
import static io.planet.node.dns.DnsObjects.endpoint;
import static io.planet.node.dns.DnsObjects.externalName;
import static io.planet.node.dns.DnsObjects.headless;
import static io.planet.node.dns.DnsObjects.port;
import static io.planet.node.dns.DnsObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/** Name resolution in the cluster domain, per the Kubernetes DNS specification. */
class ClusterZoneTest {
  private final FakeServiceDirectory directory = new FakeServiceDirectory();
  private final ClusterZone zone = new ClusterZone("cluster.local", directory, 5);

  @BeforeEach
  void objects() {
    directory.services.add(clusterIp("default", "web", "10.96.0.10", port("http", "TCP", 80), port("dns", "UDP", 53)));
    directory.services.add(headless("db", "pg", port("sql", "TCP", 5432)));
    directory.services.add(externalName("default", "docs", "docs.example.org"));
    directory.slices.add(slice("db", "pg-abc", "pg", "sql", 5432, endpoint("10.244.0.5", "pg-0", true),
        endpoint("10.244.0.6", null, true), endpoint("10.244.0.7", "pg-2", false)));
  }

  @Test
  void clusterIpServiceResolvesToItsClusterIp() {
    Answer a = zone.answer(name("web.default.svc.cluster.local."), Type.A);
    assertThat(a.rcode()).isEqualTo(Rcode.NOERROR);
    assertThat(rdata(a.answers())).containsExactly("10.96.0.10");
    assertThat(a.answers().get(0).getTTL()).isEqualTo(5);
  }

  @Test
  void namesAreCaseInsensitive() {
    Answer a = zone.answer(name("WEB.Default.SVC.cluster.LOCAL."), Type.A);
    assertThat(rdata(a.answers())).containsExactly("10.96.0.10");
    assertThat(a.answers().get(0).getName()).isEqualTo(name("WEB.Default.SVC.cluster.LOCAL."));
  }

  @Test
  void headlessServiceResolvesToItsReadyEndpoints() {
    Answer a = zone.answer(name("pg.db.svc.cluster.local."), Type.A);
    assertThat(rdata(a.answers())).containsExactlyInAnyOrder("10.244.0.5", "10.244.0.6");
  }

  @Test
  void headlessEndpointsHaveNamesByHostnameOrDashedAddress() {
    assertThat(rdata(zone.answer(name("pg-0.pg.db.svc.cluster.local."), Type.A).answers())).containsExactly("10.244.0.5");
    assertThat(rdata(zone.answer(name("10-244-0-6.pg.db.svc.cluster.local."), Type.A).answers())).containsExactly("10.244.0.6");
    // not ready: no record
    assertThat(zone.answer(name("pg-2.pg.db.svc.cluster.local."), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void srvForNamedPortOfClusterIpService() {
    Answer a = zone.answer(name("_http._tcp.web.default.svc.cluster.local."), Type.SRV);
    assertThat(a.answers()).hasSize(1);
    SRVRecord srv = (SRVRecord) a.answers().get(0);
    assertThat(srv.getPort()).isEqualTo(80);
    assertThat(srv.getTarget()).isEqualTo(name("web.default.svc.cluster.local."));
    assertThat(rdata(a.additional())).containsExactly("10.96.0.10");
    assertThat(((SRVRecord) zone.answer(name("_dns._udp.web.default.svc.cluster.local."), Type.SRV).answers().get(0)).getPort())
        .isEqualTo(53);
    assertThat(zone.answer(name("_dns._tcp.web.default.svc.cluster.local."), Type.SRV).rcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void srvForHeadlessServiceNamesEachReadyEndpoint() {
    Answer a = zone.answer(name("_sql._tcp.pg.db.svc.cluster.local."), Type.SRV);
    assertThat(a.answers()).extracting(r -> ((SRVRecord) r).getTarget().toString())
        .containsExactlyInAnyOrder("pg-0.pg.db.svc.cluster.local.", "10-244-0-6.pg.db.svc.cluster.local.");
    assertThat(a.answers()).allSatisfy(r -> assertThat(((SRVRecord) r).getPort()).isEqualTo(5432));
    assertThat(rdata(a.additional())).containsExactlyInAnyOrder("10.244.0.5", "10.244.0.6");
  }

  @Test
  void externalNameIsACname() {
    Answer a = zone.answer(name("docs.default.svc.cluster.local."), Type.A);
    assertThat(a.answers()).extracting(Record::getType).containsExactly(Type.CNAME);
    assertThat(rdata(a.answers())).containsExactly("docs.example.org.");
  }

  @Test
  void externalNameInsideTheZoneComesWithTheTargetsRecords() {
    directory.services.add(externalName("default", "alias", "web.default.svc.cluster.local"));
    directory.services.add(externalName("default", "loop-a", "loop-b.default.svc.cluster.local"));
    directory.services.add(externalName("default", "loop-b", "loop-a.default.svc.cluster.local"));
    Answer a = zone.answer(name("alias.default.svc.cluster.local."), Type.A);
    assertThat(a.rcode()).isEqualTo(Rcode.NOERROR);
    assertThat(rdata(a.answers())).containsExactly("web.default.svc.cluster.local.", "10.96.0.10");
    // the chain is cut where CoreDNS cuts it rather than followed for ever
    assertThat(zone.answer(name("loop-a.default.svc.cluster.local."), Type.A).answers())
        .hasSize(ClusterZone.MAX_CNAME_HOPS + 1).allMatch(r -> r.getType() == Type.CNAME);
  }

  @Test
  void podRecordsCarryTheirAddressInTheName() {
    assertThat(rdata(zone.answer(name("10-244-1-9.default.pod.cluster.local."), Type.A).answers())).containsExactly("10.244.1.9");
    assertThat(zone.answer(name("not-an-ip.default.pod.cluster.local."), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void missingNamesAreNxdomainWithTheZoneSoa() {
    for (String missing : List.of("nope.default.svc.cluster.local.", "web.other.svc.cluster.local.",
        "example.com.default.svc.cluster.local.", "x.cluster.local.", "other.svc.cluster.local.")) {
      Answer a = zone.answer(name(missing), Type.A);
      assertThat(a.rcode()).as(missing).isEqualTo(Rcode.NXDOMAIN);
      assertThat(a.authority()).as(missing).singleElement().isInstanceOf(SOARecord.class);
      assertThat(a.authority().get(0).getName()).isEqualTo(name("cluster.local."));
    }
  }

  @Test
  void existingNamesWithoutTheTypeAreNodata() {
    Answer aaaa = zone.answer(name("web.default.svc.cluster.local."), Type.AAAA);
    assertThat(aaaa.rcode()).isEqualTo(Rcode.NOERROR);
    assertThat(aaaa.answers()).isEmpty();
    assertThat(aaaa.authority()).singleElement().isInstanceOf(SOARecord.class);
    // empty non-terminals exist too
    for (String n : List.of("svc.cluster.local.", "default.svc.cluster.local.", "pod.cluster.local.")) {
      assertThat(zone.answer(name(n), Type.A).rcode()).as(n).isEqualTo(Rcode.NOERROR);
    }
  }

  @Test
  void apexHasSoaAndSchemaVersion() {
    assertThat(zone.answer(name("cluster.local."), Type.SOA).answers()).singleElement().isInstanceOf(SOARecord.class);
    assertThat(rdata(zone.answer(name("dns-version.cluster.local."), Type.TXT).answers())).containsExactly("\"1.1.0\"");
  }

  @Test
  void ptrForServiceAndHeadlessEndpointAddresses() {
    assertThat(rdata(zone.reverse(name("10.0.96.10.in-addr.arpa."), Type.PTR).orElseThrow().answers()))
        .containsExactly("web.default.svc.cluster.local.");
    assertThat(rdata(zone.reverse(name("5.0.244.10.in-addr.arpa."), Type.PTR).orElseThrow().answers()))
        .containsExactly("pg-0.pg.db.svc.cluster.local.");
    // unknown addresses fall through to the upstream resolvers
    assertThat(zone.reverse(name("1.1.168.192.in-addr.arpa."), Type.PTR)).isEmpty();
  }

  @Test
  void zoneMembership() {
    assertThat(zone.contains(name("a.b.svc.cluster.local."))).isTrue();
    assertThat(zone.contains(name("cluster.local."))).isTrue();
    assertThat(zone.contains(name("example.com."))).isFalse();
    assertThat(zone.contains(name("notcluster.local."))).isFalse();
  }

  @Test
  void configurableDomain() {
    ClusterZone other = new ClusterZone("corp.internal", directory, 5);
    assertThat(rdata(other.answer(name("web.default.svc.corp.internal."), Type.A).answers())).containsExactly("10.96.0.10");
  }

  static Name name(String s) {
    return Name.fromConstantString(s);
  }

  static List<String> rdata(List<Record> records) {
    return records.stream().map(Record::rdataToString).toList();
  }
}
