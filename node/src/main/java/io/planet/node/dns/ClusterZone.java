package io.planet.node.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The cluster domain's records, per the Kubernetes DNS-based service discovery specification (schema 1.1.0):
 * {@code <svc>.<ns>.svc.<zone>} (cluster IPs, or a headless service's ready endpoints, or an ExternalName CNAME),
 * {@code <hostname>.<svc>.<ns>.svc.<zone>} for headless endpoints, {@code _<port>._<proto>.<svc>.<ns>.svc.<zone>} SRV,
 * {@code <a-b-c-d>.<ns>.pod.<zone>} (as CoreDNS's "pods insecure": the address is read from the name), PTR for
 * service and headless endpoint IPv4 addresses, and {@code dns-version.<zone>} TXT.
 */
public final class ClusterZone {
  static final String SCHEMA_VERSION = "1.1.0";
  /** CoreDNS's limit on a CNAME chain inside the zone (it stops after 8 records); also ends ExternalName loops. */
  static final int MAX_CNAME_HOPS = 8;
  private static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");

  private final Name zone;
  private final ServiceDirectory directory;
  private final long ttl;
  private final long serial;

  /** {@code ttl}: seconds, for every record (CoreDNS's kubernetes plugin defaults to 5). */
  public ClusterZone(String clusterDomain, ServiceDirectory directory, long ttl) {
    this.zone = absolute(clusterDomain);
    this.directory = directory;
    this.ttl = ttl;
    this.serial = System.currentTimeMillis() / 1000;
  }

  public Name zone() {
    return zone;
  }

  /** Whether the name is the cluster domain or under it (answered here, never forwarded). */
  public boolean contains(Name name) {
    return name.subdomain(zone);
  }

  /** The answer for a name in the zone: records, NODATA (NOERROR, SOA) or NXDOMAIN (with SOA). */
  public Answer answer(Name qname, int qtype) {
    return answer(qname, qtype, 0);
  }

  private Answer answer(Name qname, int qtype, int hops) {
    List<String> labels = relativeLabels(qname, zone);
    Optional<List<Record>> records = records(qname, labels);
    if (records.isEmpty()) return new Answer(Rcode.NXDOMAIN, List.of(), List.of(soa()), List.of());
    List<Record> all = records.get();
    List<Record> matching = new ArrayList<>();
    for (Record r : all) {
      if (r.getType() == Type.CNAME && qtype != Type.CNAME) return chase((CNAMERecord) r, qtype, hops);
      if (qtype == Type.ANY || r.getType() == qtype) matching.add(r);
    }
    if (matching.isEmpty()) return new Answer(Rcode.NOERROR, List.of(), List.of(soa()), List.of());
    return new Answer(Rcode.NOERROR, matching, List.of(), glue(matching));
  }

  /**
   * A CNAME (an ExternalName Service) followed within the zone, as CoreDNS does: stub resolvers (glibc, musl) do not
   * chase a CNAME themselves, so the target's records must come in the same answer. A target outside the zone is
   * left to the caller, which asks the upstream resolvers.
   */
  private Answer chase(CNAMERecord cname, int qtype, int hops) {
    if (!contains(cname.getTarget()) || hops >= MAX_CNAME_HOPS) {
      return new Answer(Rcode.NOERROR, List.of(cname), List.of(), List.of());
    }
    Answer target = answer(cname.getTarget(), qtype, hops + 1);
    List<Record> answers = new ArrayList<>();
    answers.add(cname);
    answers.addAll(target.answers());
    return new Answer(target.rcode(), answers, target.authority(), target.additional());
  }

  /**
   * PTR for a cluster address under in-addr.arpa; empty when no Service or headless endpoint has it, so the query falls
   * through to the upstream resolvers (as CoreDNS's {@code fallthrough in-addr.arpa}).
   */
  public Optional<Answer> reverse(Name qname, int qtype) {
    if (!qname.subdomain(IN_ADDR_ARPA)) return Optional.empty();
    List<String> labels = relativeLabels(qname, IN_ADDR_ARPA);
    if (labels.size() != 4) return Optional.empty();
    String ip = String.join(".", labels.get(3), labels.get(2), labels.get(1), labels.get(0));
    if (Address.toByteArray(ip, Address.IPv4) == null) return Optional.empty();
    Set<Name> targets = new LinkedHashSet<>();
    for (Service s : directory.servicesWithClusterIp(ip)) targets.add(serviceName(s.getMetadata().getNamespace(), s.getMetadata().getName()));
    for (EndpointSlice slice : directory.endpointSlicesWithAddress(ip)) {
      String svcName = slice.getMetadata().getLabels().get(InformerServiceDirectory.SERVICE_NAME_LABEL);
      String ns = slice.getMetadata().getNamespace();
      Optional<Service> svc = directory.service(ns, svcName);
      if (svc.isEmpty() || !headless(svc.get())) continue;
      for (Endpoint e : list(slice.getEndpoints())) {
        if (e.getAddresses() != null && !e.getAddresses().isEmpty() && e.getAddresses().get(0).equals(ip)
            && ready(svc.get(), e)) {
          targets.add(child(endpointLabel(e), serviceName(ns, svcName)));
        }
      }
    }
    if (targets.isEmpty()) return Optional.empty();
    if (qtype != Type.PTR && qtype != Type.ANY) return Optional.of(new Answer(Rcode.NOERROR, List.of(), List.of(), List.of()));
    List<Record> ptrs = new ArrayList<>();
    for (Name t : targets) ptrs.add(new PTRRecord(qname, DClass.IN, ttl, t));
    return Optional.of(new Answer(Rcode.NOERROR, ptrs, List.of(), List.of()));
  }

  /** The zone's SOA, as the authority of negative answers; its minimum is the record TTL (negative caching). */
  public SOARecord soa() {
    return new SOARecord(zone, DClass.IN, ttl, child("ns", child("dns", zone)), child("hostmaster", zone), serial, 7200, 1800,
        86400, ttl);
  }

  /** All records at the name, or empty when the name does not exist (NXDOMAIN). */
  private Optional<List<Record>> records(Name qname, List<String> labels) {
    int n = labels.size();
    if (n == 0) return Optional.of(List.of(soa(), new NSRecord(zone, DClass.IN, ttl, child("ns", child("dns", zone)))));
    String kind = labels.get(n - 1);
    if (n == 1) {
      if (kind.equals("svc") || kind.equals("pod")) return Optional.of(List.of());
      if (kind.equals("dns-version")) return Optional.of(List.of(new TXTRecord(qname, DClass.IN, ttl, SCHEMA_VERSION)));
      return Optional.empty();
    }
    String ns = labels.get(n - 2);
    if (kind.equals("pod")) return n == 2 ? Optional.of(List.of()) : n == 3 ? podRecords(qname, labels.get(0)) : Optional.empty();
    if (!kind.equals("svc")) return Optional.empty();
    if (n == 2) return directory.hasServices(ns) ? Optional.of(List.of()) : Optional.empty();
    Optional<Service> found = directory.service(ns, labels.get(n - 3));
    if (found.isEmpty()) return Optional.empty();
    Service svc = found.get();
    return switch (n) {
      case 3 -> Optional.of(serviceRecords(qname, svc));
      case 4 -> labels.get(0).startsWith("_") ? (protocols(svc).contains(labels.get(0).substring(1)) ? Optional.of(List.of())
          : Optional.empty()) : endpointRecords(qname, svc, labels.get(0));
      case 5 -> srvRecords(qname, svc, labels.get(0), labels.get(1));
      default -> Optional.empty();
    };
  }

  private List<Record> serviceRecords(Name qname, Service svc) {
    if ("ExternalName".equals(svc.getSpec().getType())) {
      String target = svc.getSpec().getExternalName();
      return target == null || target.isEmpty() ? List.of() : List.of(new CNAMERecord(qname, DClass.IN, ttl, absolute(target)));
    }
    List<Record> out = new ArrayList<>();
    if (!headless(svc)) {
      for (String ip : clusterIps(svc)) out.add(address(qname, ip));
      return out;
    }
    Set<String> seen = new LinkedHashSet<>();
    for (Map.Entry<Endpoint, EndpointSlice> e : readyEndpoints(svc).entrySet()) {
      String ip = e.getKey().getAddresses().get(0);
      if (seen.add(ip)) out.add(address(qname, ip));
    }
    return out;
  }

  /** {@code <hostname>.<svc>.<ns>.svc.<zone>}: a headless service's ready endpoint by hostname (or dashed address). */
  private Optional<List<Record>> endpointRecords(Name qname, Service svc, String label) {
    if (!headless(svc)) return Optional.empty();
    List<Record> out = new ArrayList<>();
    for (Endpoint e : readyEndpoints(svc).keySet()) {
      if (endpointLabel(e).equals(label)) out.add(address(qname, e.getAddresses().get(0)));
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  /** {@code _<port>._<proto>}: the service's named port, at the service name or at each ready headless endpoint. */
  private Optional<List<Record>> srvRecords(Name qname, Service svc, String portLabel, String protoLabel) {
    if (!portLabel.startsWith("_") || !protoLabel.startsWith("_")) return Optional.empty();
    String port = portLabel.substring(1);
    String proto = protoLabel.substring(1);
    Name svcName = serviceName(svc.getMetadata().getNamespace(), svc.getMetadata().getName());
    record Target(int port, Name name) {}
    List<Target> targets = new ArrayList<>();
    if (!headless(svc)) {
      if ("ExternalName".equals(svc.getSpec().getType())) return Optional.empty();
      for (ServicePort p : list(svc.getSpec().getPorts())) {
        if (named(p.getName(), p.getProtocol(), port, proto)) targets.add(new Target(p.getPort(), svcName));
      }
    } else {
      for (Map.Entry<Endpoint, EndpointSlice> e : readyEndpoints(svc).entrySet()) {
        for (EndpointPort p : list(e.getValue().getPorts())) {
          if (p.getPort() != null && named(p.getName(), p.getProtocol(), port, proto)) {
            targets.add(new Target(p.getPort(), child(endpointLabel(e.getKey()), svcName)));
          }
        }
      }
    }
    if (targets.isEmpty()) return Optional.empty();
    int weight = Math.max(1, 100 / targets.size());
    List<Record> out = new ArrayList<>();
    for (Target t : targets) out.add(new SRVRecord(qname, DClass.IN, ttl, 0, weight, t.port(), t.name()));
    return Optional.of(out);
  }

  /** Additional-section addresses for SRV targets, so clients need no second query. */
  private List<Record> glue(List<Record> answers) {
    List<Record> out = new ArrayList<>();
    for (Record r : answers) {
      if (!(r instanceof SRVRecord srv)) continue;
      Optional<List<Record>> target = records(srv.getTarget(), relativeLabels(srv.getTarget(), zone));
      for (Record a : target.orElse(List.of())) {
        if ((a.getType() == Type.A || a.getType() == Type.AAAA) && !out.contains(a)) out.add(a);
      }
    }
    return out;
  }

  private Optional<List<Record>> podRecords(Name qname, String label) {
    String ip = label.contains("-") && label.chars().filter(c -> c == '-').count() == 3 ? label.replace('-', '.') : label.replace('-', ':');
    int family = ip.contains(":") ? Address.IPv6 : Address.IPv4;
    if (Address.toByteArray(ip, family) == null) return Optional.empty();
    return Optional.of(List.of(address(qname, ip)));
  }

  private Record address(Name name, String ip) {
    try {
      InetAddress a = Address.getByAddress(ip);
      return a.getAddress().length == 4 ? new ARecord(name, DClass.IN, ttl, a) : new AAAARecord(name, DClass.IN, ttl, a);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  /** Ready endpoints (first address only, as the EndpointSlice API says consumers must) with their slice. */
  private Map<Endpoint, EndpointSlice> readyEndpoints(Service svc) {
    Map<Endpoint, EndpointSlice> out = new LinkedHashMap<>();
    for (EndpointSlice slice : directory.endpointSlices(svc.getMetadata().getNamespace(), svc.getMetadata().getName())) {
      for (Endpoint e : list(slice.getEndpoints())) {
        if (e.getAddresses() != null && !e.getAddresses().isEmpty() && ready(svc, e)) out.put(e, slice);
      }
    }
    return out;
  }

  /** Unknown readiness counts as ready (EndpointSlice API); publishNotReadyAddresses publishes every endpoint. */
  private static boolean ready(Service svc, Endpoint e) {
    if (Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses())) return true;
    return e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
  }

  /** The endpoint's hostname, else its address with dashes (the spec's system-assigned identifier, as CoreDNS). */
  private static String endpointLabel(Endpoint e) {
    if (e.getHostname() != null && !e.getHostname().isEmpty()) return e.getHostname().toLowerCase(Locale.ROOT);
    return e.getAddresses().get(0).replace('.', '-').replace(':', '-');
  }

  private static boolean named(String name, String protocol, String port, String proto) {
    String p = protocol == null ? "TCP" : protocol;
    return name != null && !name.isEmpty() && name.equalsIgnoreCase(port) && p.equalsIgnoreCase(proto);
  }

  private static Set<String> protocols(Service svc) {
    Set<String> out = new LinkedHashSet<>();
    for (ServicePort p : list(svc.getSpec().getPorts())) {
      if (p.getName() != null && !p.getName().isEmpty()) out.add((p.getProtocol() == null ? "tcp" : p.getProtocol()).toLowerCase(Locale.ROOT));
    }
    return out;
  }

  static boolean headless(Service svc) {
    return "None".equals(svc.getSpec().getClusterIP());
  }

  private static List<String> clusterIps(Service svc) {
    List<String> ips = svc.getSpec().getClusterIPs() != null && !svc.getSpec().getClusterIPs().isEmpty()
        ? svc.getSpec().getClusterIPs() : svc.getSpec().getClusterIP() == null ? List.of() : List.of(svc.getSpec().getClusterIP());
    List<String> out = new ArrayList<>();
    for (String ip : ips) {
      if (!ip.isEmpty() && !ip.equals("None")) out.add(ip);
    }
    return out;
  }

  private Name serviceName(String namespace, String name) {
    return child(name, child(namespace, child("svc", zone)));
  }

  /** Lower-cased labels of {@code name} below {@code origin}, leftmost first (comparisons are case-insensitive). */
  static List<String> relativeLabels(Name name, Name origin) {
    List<String> out = new ArrayList<>();
    int n = name.labels() - origin.labels();
    for (int i = 0; i < n; i++) out.add(name.getLabelString(i).toLowerCase(Locale.ROOT));
    return out;
  }

  private static Name child(String label, Name parent) {
    try {
      return Name.fromString(label, parent);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad DNS label " + label, e);
    }
  }

  static Name absolute(String domain) {
    try {
      return Name.fromString(domain.endsWith(".") ? domain : domain + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad domain " + domain, e);
    }
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
