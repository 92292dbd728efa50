package io.planet.node.dns;

import java.util.List;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/** An authoritative answer from the cluster zone: response code and the records of each section. */
public record Answer(int rcode, List<Record> answers, List<Record> authority, List<Record> additional) {
  public Answer {
    answers = List.copyOf(answers);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
  }

  public boolean nxdomain() {
    return rcode == Rcode.NXDOMAIN;
  }
}
