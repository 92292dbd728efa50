package io.planet.node.dns;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One query, one response: names in the cluster domain (and PTR for cluster addresses) are answered
 * authoritatively from the {@link ClusterZone}; everything else goes to the {@link Forwarder}.
 */
public final class ClusterDnsHandler implements UnaryOperator<Message> {
  private final ClusterZone zone;
  private final Forwarder forwarder;

  /** {@code forwarder} null: names outside the zone get REFUSED (no upstream resolvers). */
  public ClusterDnsHandler(ClusterZone zone, Forwarder forwarder) {
    this.zone = zone;
    this.forwarder = forwarder;
  }

  @Override
  public Message apply(Message query) {
    Record question = query.getQuestion();
    if (query.getHeader().getOpcode() != Opcode.QUERY) return error(query, Rcode.NOTIMP);
    if (question == null) return error(query, Rcode.FORMERR);
    if (zone.contains(question.getName())) {
      Message response = authoritative(query, zone.answer(question.getName(), question.getType()));
      completeCname(response, question.getType());
      return response;
    }
    Optional<Answer> reverse = zone.reverse(question.getName(), question.getType());
    if (reverse.isPresent()) return authoritative(query, reverse.get());
    return forwarder == null ? error(query, Rcode.REFUSED) : forwarder.forward(query);
  }

  /**
   * An answer ending in a CNAME to a name outside the zone (ExternalName) gets that name's records from the upstream
   * resolvers appended, as CoreDNS looks the target up: clients expect a complete answer from their recursive server.
   */
  private void completeCname(Message response, int qtype) {
    List<Record> answers = response.getSection(Section.ANSWER);
    if (forwarder == null || answers.isEmpty() || qtype == Type.CNAME || qtype == Type.ANY) return;
    if (!(answers.get(answers.size() - 1) instanceof CNAMERecord cname) || zone.contains(cname.getTarget())) return;
    Message upstream = forwarder.forward(Message.newQuery(Record.newRecord(cname.getTarget(), qtype, DClass.IN)));
    if (upstream.getRcode() != Rcode.NOERROR) return;
    for (Record r : upstream.getSection(Section.ANSWER)) response.addRecord(r, Section.ANSWER);
  }

  private static Message authoritative(Message query, Answer answer) {
    Message response = reply(query, answer.rcode());
    response.getHeader().setFlag(Flags.AA);
    for (Record r : answer.answers()) response.addRecord(r, Section.ANSWER);
    for (Record r : answer.authority()) response.addRecord(r, Section.AUTHORITY);
    for (Record r : answer.additional()) response.addRecord(r, Section.ADDITIONAL);
    return response;
  }

  static Message error(Message query, int rcode) {
    return reply(query, rcode);
  }

  private static Message reply(Message query, int rcode) {
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setOpcode(query.getHeader().getOpcode());
    if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
    response.getHeader().setFlag(Flags.RA);
    response.getHeader().setRcode(rcode);
    if (query.getQuestion() != null) response.addRecord(query.getQuestion(), Section.QUESTION);
    return response;
  }
}
