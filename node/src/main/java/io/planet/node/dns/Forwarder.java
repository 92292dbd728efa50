package io.planet.node.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * Names outside the cluster: asked of the host's upstream resolvers (UDP, again over TCP when the answer comes back
 * truncated, which dnsjava's resolver does), with a short cache of positive and negative answers as CoreDNS's
 * {@code cache} plugin in front of {@code forward}.
 */
public final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final int MAX_CACHED = 10_000;

  private record Key(Name name, int type, int dclass) {}

  private record Cached(Message response, long expiresAtNanos) {}

  private final Resolver resolver;
  private final long maxTtlSeconds;
  private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

  /** {@code maxCacheTtl}: the longest an answer is reused (zero: no cache). */
  public Forwarder(List<InetSocketAddress> upstreams, Duration timeout, Duration maxCacheTtl) {
    if (upstreams.isEmpty()) throw new IllegalArgumentException("no upstream resolvers");
    List<Resolver> resolvers = new ArrayList<>();
    for (InetSocketAddress a : upstreams) {
      SimpleResolver r = new SimpleResolver(a);
      r.setTimeout(timeout);
      resolvers.add(r);
    }
    ExtendedResolver extended = new ExtendedResolver(resolvers);
    extended.setTimeout(timeout);
    extended.setRetries(2);
    this.resolver = extended;
    this.maxTtlSeconds = maxCacheTtl.toSeconds();
  }

  /** The nameservers of a resolv.conf on port 53, without {@code self} (forwarding to ourselves would loop). */
  public static List<InetSocketAddress> upstreams(ResolvConf conf, InetSocketAddress self) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String ns : conf.nameservers()) {
      InetSocketAddress a = new InetSocketAddress(ns, 53);
      if (a.equals(self)) continue;
      out.add(a);
    }
    return out;
  }

  /** The upstream answer to the client's query (its id and flags), or SERVFAIL when no upstream answers. */
  public Message forward(Message query) {
    Record question = query.getQuestion();
    Key key = new Key(question.getName(), question.getType(), question.getDClass());
    Cached hit = cache.get(key);
    Message response;
    if (hit != null && System.nanoTime() - hit.expiresAtNanos() < 0) {
      response = hit.response().clone();
    } else {
      try {
        response = resolver.send(Message.newQuery(question));
      } catch (IOException e) {
        log.debug("no upstream answer for {}: {}", question.getName(), e.toString());
        Message failed = new Message(query.getHeader().getID());
        failed.getHeader().setFlag(Flags.QR);
        failed.getHeader().setRcode(Rcode.SERVFAIL);
        failed.addRecord(question, Section.QUESTION);
        return withClientHeader(failed, query);
      }
      remember(key, response);
    }
    return withClientHeader(response, query);
  }

  private void remember(Key key, Message response) {
    int rcode = response.getRcode();
    if (maxTtlSeconds <= 0 || (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) || response.getHeader().getFlag(Flags.TC)) return;
    long ttl = maxTtlSeconds;
    boolean any = false;
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record r : response.getSection(section)) {
        long t = r instanceof SOARecord soa ? Math.min(soa.getTTL(), soa.getMinimum()) : r.getTTL();
        ttl = Math.min(ttl, t);
        any = true;
      }
    }
    if (!any || ttl <= 0) return;
    if (cache.size() >= MAX_CACHED) cache.clear();
    cache.put(key, new Cached(response.clone(), System.nanoTime() + Duration.ofSeconds(ttl).toNanos()));
  }

  /** The client's id, RD and question (a cached answer may have been asked with other letter case). */
  private static Message withClientHeader(Message response, Message query) {
    response.removeAllRecords(Section.QUESTION);
    response.addRecord(query.getQuestion(), Section.QUESTION);
    response.getHeader().setID(query.getHeader().getID());
    if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
    else response.getHeader().unsetFlag(Flags.RD);
    response.getHeader().setFlag(Flags.RA);
    return response;
  }
}
