package io.planet.node.server;

import io.planet.node.runtime.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The kubelet's self-signed serving certificate (upstream's default without a cluster-signed one): an EC key and
 * certificate for the node's name and addresses, made once with the JDK's keytool and kept in the data directory
 * (0600). Used when the kubelet is given no --tls-cert-file (a certificate from the cluster CA).
 */
public final class ServingCertificate {
  private ServingCertificate() {}

  public static KeyStore loadOrCreate(Path dir, String nodeName, List<String> ips) throws IOException {
    Path store = dir.resolve("kubelet.p12");
    Path passFile = dir.resolve("kubelet.p12.pass");
    if (!Files.exists(store) || !Files.exists(passFile)) {
      Files.createDirectories(dir);
      byte[] secret = new byte[18];
      new SecureRandom().nextBytes(secret);
      String pass = HexFormat.of().formatHex(secret);
      Files.deleteIfExists(store);
      Files.writeString(passFile, pass);
      Files.setPosixFilePermissions(passFile, PosixFilePermissions.fromString("rw-------"));
      StringBuilder san = new StringBuilder("SAN=dns:" + nodeName + ",dns:localhost,ip:127.0.0.1");
      for (String ip : ips) san.append(",ip:").append(ip);
      Commands.run("keytool", "-genkeypair", "-alias", "kubelet", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=" + nodeName + "@planet", "-ext", san.toString(), "-validity", "365", "-storetype", "PKCS12",
          "-keystore", store.toString(), "-storepass", pass, "-keypass", pass);
      Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
    }
    char[] pass = Files.readString(passFile).trim().toCharArray();
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pass);
      return ks;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the kubelet's serving certificate " + store + ": " + e.getMessage(), e);
    }
  }

  public static char[] password(Path dir) throws IOException {
    return Files.readString(dir.resolve("kubelet.p12.pass")).trim().toCharArray();
  }
}
