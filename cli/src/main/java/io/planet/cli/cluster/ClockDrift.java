package io.planet.cli.cluster;

import io.planet.cli.cluster.StatusCommand.Check;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * How far this machine's clock is from the API server's: the server's time comes from the {@code Date} header of an
 * answer, which has whole seconds only, so the offset is known as an interval: the server wrote the header at some
 * moment in [Date, Date + 1 s), which was, on this machine, some moment between sending the request and receiving
 * the answer. Only an offset outside that interval counts as drift.
 */
final class ClockDrift {
  /**
   * Warning from 2 s: more than the Date header's own precision and enough to make timestamps written on one machine
   * and read on another (events, lease renewals, conditions' transition times) visibly out of order.
   */
  static final Duration WARNING = Duration.ofSeconds(2);
  /**
   * Failed from 30 s: of the order of the node Lease's 40 s and leader election's 15 s, so a lease renewed on one
   * machine reads as expired (or still held) on the other; and certificates (NotBefore) and service-account tokens
   * (nbf, iat, exp) issued on one machine start being refused on the other.
   */
  static final Duration FAILED = Duration.ofSeconds(30);

  /** One request: sent and received on this machine's clock, the server's Date (whole seconds). */
  record Measurement(Instant sent, Instant received, Instant serverDate) {
    /** The least server minus local offset that fits the measurement. */
    Duration low() {
      return Duration.between(received, serverDate);
    }

    /** The greatest. */
    Duration high() {
      return Duration.between(sent, serverDate.plusSeconds(1));
    }

    Duration estimate() {
      return low().plus(high()).dividedBy(2);
    }

    Duration uncertainty() {
      return high().minus(low()).dividedBy(2);
    }

    /** How much drift there is at least: zero when the interval holds zero. */
    Duration least() {
      if (!low().isNegative()) return low();
      if (high().isNegative()) return high().negated();
      return Duration.ZERO;
    }

    Duration roundTrip() {
      return Duration.between(sent, received);
    }
  }

  private ClockDrift() {}

  /** Asks {@code url} (any answer with a Date header will do) for the time. */
  static Measurement measure(String url) throws IOException, InterruptedException {
    Instant sent = Instant.now();
    HttpResponse<Void> r = Health.HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
        HttpResponse.BodyHandlers.discarding());
    Instant received = Instant.now();
    String date = r.headers().firstValue("Date").orElseThrow(() -> new IOException(url + " answered without a Date header"));
    try {
      return new Measurement(sent, received, ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      throw new IOException("unreadable Date header \"" + date + "\"");
    }
  }

  /** The {@code time} check: ok with the measured offset, warning beyond {@link #WARNING}, failed beyond {@link #FAILED}. */
  static Check check(Measurement m) {
    Duration least = m.least();
    String status = least.compareTo(FAILED) > 0 ? "failed" : least.compareTo(WARNING) > 0 ? "warning" : "ok";
    String detail = String.format(Locale.ROOT, "offset %+.1f s ± %.1f s (API server's clock minus this machine's; round trip %d ms)",
        m.estimate().toMillis() / 1e3, m.uncertainty().toMillis() / 1e3, m.roundTrip().toMillis());
    if (!status.equals("ok")) {
      detail += String.format(Locale.ROOT, "; at least %.1f s apart (warning above %d s, failing above %d s): sync the clocks (NTP)",
          least.toMillis() / 1e3, WARNING.toSeconds(), FAILED.toSeconds());
    }
    return new Check("time", status, detail);
  }

  static Check check(String url) {
    try {
      return check(measure(url));
    } catch (IOException e) {
      return new Check("time", "warning", "cannot read the API server's clock: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Check("time", "warning", "interrupted");
    }
  }
}
