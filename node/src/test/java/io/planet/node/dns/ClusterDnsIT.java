package io.planet.node.dns;

import static io.planet.node.dns.DnsObjects.endpoint;
import static io.planet.node.dns.DnsObjects.port;
import static io.planet.node.dns.DnsObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.planet.apiserver.testing.TestApiServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The cluster DNS server against a real API server, asked by dnsjava's resolver and by the real {@code dig}: services,
 * headless endpoints, SRV, NXDOMAIN, and forwarding to a fake upstream resolver (no internet).
 */
class ClusterDnsIT {
  static TestApiServer apiServer;
  static KubernetesClient client;
  static FakeUpstream upstream;
  static ClusterDns dns;
  static String webIp;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new TestApiServer();
    Config config = new ConfigBuilder().withMasterUrl(apiServer.url()).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("db").endMetadata().build()).create();
    Service web = client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web")
        .endMetadata().withNewSpec().withPorts(port("http", "TCP", 80)).endSpec().build()).create();
    webIp = web.getSpec().getClusterIP();
    client.services().inNamespace("db").resource(DnsObjects.headless("db", "pg", port("sql", "TCP", 5432))).create();
    client.discovery().v1().endpointSlices().inNamespace("db").resource(slice("db", "pg-abc", "pg", "sql", 5432,
        endpoint("10.244.0.5", "pg-0", true), endpoint("10.244.0.6", "pg-1", true), endpoint("10.244.0.7", "pg-2", false))).create();

    upstream = new FakeUpstream();
    ClusterDns.Options defaults = ClusterDns.Options.defaults(new InetSocketAddress("127.0.0.1", 0), "cluster.local");
    dns = new ClusterDns(client, new ClusterDns.Options(defaults.listen(), "cluster.local", List.of(upstream.address()),
        Path.of("/nonexistent"), defaults.ttl(), defaults.cacheTtl(), Duration.ofSeconds(1)));
    dns.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (dns != null) dns.close();
    if (upstream != null) upstream.close();
    if (client != null) client.close();
    if (apiServer != null) apiServer.close();
  }

  @Test
  void clusterIpServiceOverUdpAndTcp() throws Exception {
    assertThat(webIp).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    Message udp = query("web.default.svc.cluster.local.", Type.A, false);
    assertThat(udp.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(udp.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(rdata(udp, Section.ANSWER)).containsExactly(webIp);
    assertThat(rdata(query("web.default.svc.cluster.local.", Type.A, true), Section.ANSWER)).containsExactly(webIp);
    assertThat(dig("+short", "web.default.svc.cluster.local", "A")).containsExactly(webIp);
    assertThat(dig("+short", "+tcp", "web.default.svc.cluster.local", "A")).containsExactly(webIp);
  }

  @Test
  void ipv4OnlyNameHasAnEmptyAaaaAnswer() throws Exception {
    Message m = query("web.default.svc.cluster.local.", Type.AAAA, false);
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void headlessServiceAndItsEndpoints() throws Exception {
    assertThat(rdata(query("pg.db.svc.cluster.local.", Type.A, false), Section.ANSWER))
        .containsExactlyInAnyOrder("10.244.0.5", "10.244.0.6");
    assertThat(dig("+short", "pg.db.svc.cluster.local", "A")).containsExactlyInAnyOrder("10.244.0.5", "10.244.0.6");
    assertThat(dig("+short", "pg-1.pg.db.svc.cluster.local", "A")).containsExactly("10.244.0.6");
  }

  @Test
  void srvForNamedPorts() throws Exception {
    Message m = query("_sql._tcp.pg.db.svc.cluster.local.", Type.SRV, false);
    assertThat(m.getSection(Section.ANSWER)).extracting(r -> ((SRVRecord) r).getTarget().toString())
        .containsExactlyInAnyOrder("pg-0.pg.db.svc.cluster.local.", "pg-1.pg.db.svc.cluster.local.");
    assertThat(rdata(m, Section.ADDITIONAL)).contains("10.244.0.5", "10.244.0.6");
    assertThat(dig("+short", "_http._tcp.web.default.svc.cluster.local", "SRV"))
        .containsExactly("0 100 80 web.default.svc.cluster.local.");
  }

  @Test
  void missingNamesInTheZoneAreNxdomainWithSoa() throws Exception {
    Message m = query("nope.default.svc.cluster.local.", Type.A, false);
    assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    List<String> out = dig("nope.default.svc.cluster.local", "A");
    assertThat(String.join("\n", out)).contains("status: NXDOMAIN").containsPattern("cluster\\.local\\.\\s+\\d+\\s+IN\\s+SOA");
    // the search path's misses never reach the upstream
    int before = upstream.queries.get();
    query("external.example.default.svc.cluster.local.", Type.A, false);
    assertThat(upstream.queries.get()).isEqualTo(before);
  }

  @Test
  void namesOutsideTheZoneAreForwardedAndCached() throws Exception {
    int before = upstream.queries.get();
    Message m = query("external.example.", Type.A, false);
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
    assertThat(rdata(m, Section.ANSWER)).containsExactly(FakeUpstream.EXTERNAL_IP);
    assertThat(dig("+short", "external.example", "A")).containsExactly(FakeUpstream.EXTERNAL_IP);
    assertThat(upstream.queries.get()).isEqualTo(before + 1);
    assertThat(query("missing.example.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void externalNameOutsideTheZoneIsCompletedUpstream() throws Exception {
    client.services().inNamespace("default").resource(DnsObjects.externalName("default", "ext", "external.example"))
        .create();
    await().atMost(Duration.ofSeconds(10)).until(() -> query("ext.default.svc.cluster.local.", Type.A, false)
        .getSection(Section.ANSWER).size() == 2);
    Message m = query("ext.default.svc.cluster.local.", Type.A, false);
    assertThat(rdata(m, Section.ANSWER)).containsExactly("external.example.", FakeUpstream.EXTERNAL_IP);
    assertThat(dig("+short", "ext.default.svc.cluster.local", "A")).containsExactly("external.example.", FakeUpstream.EXTERNAL_IP);
    // asked for the CNAME itself: only the CNAME
    assertThat(rdata(query("ext.default.svc.cluster.local.", Type.CNAME, false), Section.ANSWER))
        .containsExactly("external.example.");
  }

  @Test
  void largeForwardedAnswersComeOverTcp() throws Exception {
    // the upstream's answer is truncated over UDP: the forwarder asks again over TCP, then truncates for a UDP client
    Message udp = query("big.example.", Type.A, false, true);
    assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(query("big.example.", Type.A, true).getSection(Section.ANSWER)).hasSize(100);
    assertThat(dig("+short", "big.example", "A")).hasSize(100);
  }

  @Test
  void ptrForTheServiceIp() throws Exception {
    String[] o = webIp.split("\\.");
    String reverse = o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa.";
    assertThat(rdata(query(reverse, Type.PTR, false), Section.ANSWER)).containsExactly("web.default.svc.cluster.local.");
    assertThat(dig("+short", "-x", webIp)).containsExactly("web.default.svc.cluster.local.");
  }

  @Test
  void followsServiceChanges() throws Exception {
    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("late").endMetadata()
        .withNewSpec().withPorts(port("http", "TCP", 80)).endSpec().build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> query("late.default.svc.cluster.local.", Type.A, false).getRcode() == Rcode.NOERROR);
    client.services().inNamespace("default").withName("late").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> query("late.default.svc.cluster.local.", Type.A, false).getRcode() == Rcode.NXDOMAIN);
  }

  @Test
  void busyboxNslookupResolvesAService() throws Exception {
    List<String> out = run(List.of("busybox", "nslookup", "web.default.svc.cluster.local", "127.0.0.1:" + dns.port()));
    assertThat(String.join("\n", out)).contains("Address: " + webIp);
  }

  private static Message query(String name, int type, boolean tcp) throws IOException {
    return query(name, type, tcp, false);
  }

  private static Message query(String name, int type, boolean tcp, boolean keepTruncated) throws IOException {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", dns.port()));
    r.setTCP(tcp);
    r.setIgnoreTruncation(keepTruncated);
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static List<String> rdata(Message m, int section) {
    return m.getSection(section).stream().filter(r -> r.getType() != Type.OPT).map(Record::rdataToString).toList();
  }

  /** The real dig against our server; one line per output line, blank lines dropped. */
  private static List<String> dig(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(dns.port()), "+time=3", "+tries=1"));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static List<String> run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " timed out");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
