package io.planet.apiserver.pki;

import java.time.Instant;

/**
 * One certificate as {@code planet certs check} reports it.
 *
 * @param name the file (or kubeconfig) it is stored in
 * @param subject CN and O as "CN=…,O=…"; empty when missing
 * @param notAfter when it expires; null when missing
 * @param authority whether it is a CA
 */
public record CertStatus(String name, String subject, Instant notAfter, long daysLeft, State state, boolean authority) {
  /** Fewer days than this left and the cluster warns (and {@code check} fails). */
  public static final long WARN_DAYS = 30;

  public enum State { OK, EXPIRING, EXPIRED, MISSING, INVALID }

  public static CertStatus missing(String name, boolean authority) {
    return new CertStatus(name, "", null, 0, State.MISSING, authority);
  }

  public static CertStatus of(String name, String subject, Instant notAfter, Instant now, boolean authority) {
    // milliseconds, as upstream's time.Until: a certificate made this very second has less than its full validity left
    long millis = notAfter.toEpochMilli() - now.toEpochMilli();
    long days = Math.floorDiv(millis, 86_400_000L);
    State s = millis <= 0 ? State.EXPIRED : days < WARN_DAYS ? State.EXPIRING : State.OK;
    return new CertStatus(name, subject, notAfter, days, s, authority);
  }

  public boolean healthy() {
    return state == State.OK;
  }
}
