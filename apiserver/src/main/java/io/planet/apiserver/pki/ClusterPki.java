package io.planet.apiserver.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's PKI directory (default /var/lib/planet/pki), laid out as kubeadm lays out /etc/kubernetes/pki:
 * ca.crt/ca.key, one name.crt/name.key per leaf and the service-account signing pair sa.key/sa.pub. Keys are 0600.
 * The CA is valid 10 years; leaves 1 year and are renewed by {@link #ensure} when fewer than 90 days remain, so a
 * cluster that restarts now and then never reaches an expired certificate. Renewing never touches the CA, so every
 * certificate it signed before (in kubeconfigs handed out) keeps working until it expires.
 */
public final class ClusterPki {
  private static final Logger logger = LoggerFactory.getLogger(ClusterPki.class);
  public static final Path DEFAULT_DIR = Path.of("/var/lib/planet/pki");
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  public static final Duration RENEW_BEFORE = Duration.ofDays(90);
  public static final String CA = "ca";
  public static final String SERVICE_ACCOUNT_KEY = "sa";

  private final Path dir;
  private final Clock clock;

  public ClusterPki(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  public static ClusterPki at(Path dir) {
    return new ClusterPki(dir, Clock.systemUTC());
  }

  public Path dir() {
    return dir;
  }

  public Path certFile(String name) {
    return dir.resolve(name + ".crt");
  }

  public Path keyFile(String name) {
    return dir.resolve(name + ".key");
  }

  public Path caFile() {
    return certFile(CA);
  }

  public Path serviceAccountKeyFile() {
    return dir.resolve("sa.key");
  }

  public Path serviceAccountPublicKeyFile() {
    return dir.resolve("sa.pub");
  }

  public boolean exists() {
    return CertificateAuthority.exists(caFile(), keyFile(CA));
  }

  public CertificateAuthority ca() {
    try {
      return CertificateAuthority.load(caFile(), keyFile(CA));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the cluster CA in " + dir + ": " + e.getMessage(), e);
    }
  }

  public X509Certificate certificate(String name) {
    try {
      return PemFiles.readCertificate(certFile(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + certFile(name) + ": " + e.getMessage(), e);
    }
  }

  public KeyPair serviceAccountKeys() {
    try {
      return PemFiles.readKeyPair(serviceAccountKeyFile(), serviceAccountPublicKeyFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the service-account key pair in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes the PKI whole: the CA and service-account keys when absent, each leaf in {@code specs} when missing, signed
   * by another CA, issued for other names, or within {@link #RENEW_BEFORE} of expiring. Returns the leaves it (re)issued.
   */
  public synchronized List<String> ensure(List<CertSpec> specs) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Instant now = clock.instant();
      // RSA key generation is most of a new cluster's PKI time: the keys are made on every core at once
      CompletableFuture<KeyPair> saKeys = !Files.exists(serviceAccountKeyFile()) || !Files.exists(serviceAccountPublicKeyFile())
          ? CompletableFuture.supplyAsync(Keys::generate) : null;
      if (!exists()) {
        CertificateAuthority.create(now, CA_VALIDITY).save(caFile(), keyFile(CA));
        logger.info("created the cluster CA in {}", dir);
      }
      if (saKeys != null) {
        KeyPair sa = saKeys.join();
        PemFiles.writePrivateKey(serviceAccountKeyFile(), sa.getPrivate());
        PemFiles.writePublicKey(serviceAccountPublicKeyFile(), sa.getPublic());
      }
      CertificateAuthority ca = ca();
      Map<CertSpec, String> reasons = new LinkedHashMap<>();
      for (CertSpec spec : specs) {
        String why = reasonToIssue(ca, spec, now);
        if (why != null) reasons.put(spec, why);
      }
      List<KeyPair> keys = reasons.keySet().parallelStream().map(spec -> Keys.generate()).toList();
      List<String> issued = new ArrayList<>();
      int i = 0;
      for (Map.Entry<CertSpec, String> e : reasons.entrySet()) {
        issue(ca, e.getKey(), keys.get(i++), now);
        issued.add(e.getKey().name());
        logger.info("issued {} ({})", e.getKey().name(), e.getValue());
      }
      return issued;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the PKI in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Renews every leaf certificate in the directory with the same subject, names and usages; the CA is kept. */
  public synchronized List<String> rotate() {
    CertificateAuthority ca = ca();
    Instant now = clock.instant();
    List<String> renewed = new ArrayList<>();
    for (String name : leafNames()) {
      CertSpec spec = Subjects.spec(name, certificate(name));
      try {
        issue(ca, spec, Keys.generate(), now);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot renew " + name + ": " + e.getMessage(), e);
      }
      renewed.add(name);
    }
    return renewed;
  }

  /** The CA, then every leaf found in the directory, then any of {@code expected} that is missing. */
  public List<CertStatus> status(List<String> expected) {
    Instant now = clock.instant();
    List<CertStatus> out = new ArrayList<>();
    out.add(statusOf(CA, true, now));
    Set<String> seen = new HashSet<>();
    for (String name : leafNames()) {
      out.add(statusOf(name, false, now));
      seen.add(name);
    }
    for (String name : expected) if (!seen.contains(name)) out.add(CertStatus.missing(name, false));
    return out;
  }

  private CertStatus statusOf(String name, boolean authority, Instant now) {
    if (!Files.exists(certFile(name))) return CertStatus.missing(name, authority);
    if (!Files.exists(keyFile(name))) return new CertStatus(name, "", null, 0, CertStatus.State.MISSING, authority);
    try {
      X509Certificate c = PemFiles.readCertificate(certFile(name));
      return CertStatus.of(name, Subjects.describe(c), c.getNotAfter().toInstant(), now, authority);
    } catch (IOException e) {
      return new CertStatus(name, "", null, 0, CertStatus.State.INVALID, authority);
    }
  }

  /** The names of the leaf certificates (every *.crt but the CA's), sorted. */
  public List<String> leafNames() {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(dir)) return List.of();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.crt")) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        n = n.substring(0, n.length() - ".crt".length());
        if (!n.equals(CA)) names.add(n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(names);
  }

  private String reasonToIssue(CertificateAuthority ca, CertSpec spec, Instant now) {
    if (!Files.exists(certFile(spec.name())) || !Files.exists(keyFile(spec.name()))) return "missing";
    X509Certificate cert;
    try {
      cert = PemFiles.readCertificate(certFile(spec.name()));
    } catch (IOException e) {
      return "unreadable";
    }
    if (!ca.signed(cert)) return "signed by another CA";
    if (!sameNames(Subjects.spec(spec.name(), cert), spec)) return "names changed";
    if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) return "expires " + cert.getNotAfter().toInstant();
    return null;
  }

  private static boolean sameNames(CertSpec have, CertSpec want) {
    return have.commonName().equals(want.commonName())
        && new HashSet<>(have.organizations()).equals(new HashSet<>(want.organizations()))
        && new HashSet<>(have.dnsNames()).equals(new HashSet<>(want.dnsNames()))
        && normalized(have.ipAddresses()).equals(normalized(want.ipAddresses()))
        && have.serverAuth() == want.serverAuth() && have.clientAuth() == want.clientAuth();
  }

  private static Set<String> normalized(List<String> ips) {
    Set<String> out = new HashSet<>();
    for (String ip : ips) {
      try {
        out.add(InetAddress.getByName(ip).getHostAddress());
      } catch (UnknownHostException e) {
        out.add(ip);
      }
    }
    return out;
  }

  /** A fresh key (a renewed certificate does not keep the old key) and a certificate for it. */
  private void issue(CertificateAuthority ca, CertSpec spec, KeyPair pair, Instant now) throws IOException {
    X509Certificate cert = ca.issue(spec, pair.getPublic(), now, LEAF_VALIDITY);
    // key first: a reader that sees the new certificate must find its key
    PemFiles.writePrivateKey(keyFile(spec.name()), pair.getPrivate());
    PemFiles.writeCertificate(certFile(spec.name()), cert);
  }
}
