package io.planet.node.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of resolv.conf(5) that Kubernetes deals in: nameservers, search domains and options. Read for the host's
 * upstream resolvers (cluster DNS forwarding, dnsPolicy Default) and rendered for a pod's /etc/resolv.conf.
 */
public record ResolvConf(List<String> nameservers, List<String> searches, List<String> options) {
  public ResolvConf {
    nameservers = List.copyOf(nameservers);
    searches = List.copyOf(searches);
    options = List.copyOf(options);
  }

  public static ResolvConf empty() {
    return new ResolvConf(List.of(), List.of(), List.of());
  }

  /** The file's configuration; an absent file is an empty one (as the resolver treats it). */
  public static ResolvConf read(Path file) throws IOException {
    return Files.exists(file) ? parse(Files.readString(file)) : empty();
  }

  /** As the resolver: the last search (or domain) line wins; comments start with # or ;. */
  public static ResolvConf parse(String text) {
    List<String> nameservers = new ArrayList<>();
    List<String> searches = new ArrayList<>();
    List<String> options = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length == 0 || fields[0].isEmpty() || fields[0].startsWith("#") || fields[0].startsWith(";")) continue;
      switch (fields[0]) {
        case "nameserver" -> {
          if (fields.length > 1) nameservers.add(fields[1]);
        }
        case "search", "domain" -> {
          searches.clear();
          for (int i = 1; i < fields.length; i++) searches.add(trimDot(fields[i]));
        }
        case "options" -> {
          for (int i = 1; i < fields.length; i++) options.add(fields[i]);
        }
        default -> { }
      }
    }
    return new ResolvConf(nameservers, searches, options);
  }

  /** The file's text; empty sections are left out. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (String n : nameservers) out.append("nameserver ").append(n).append('\n');
    if (!searches.isEmpty()) out.append("search ").append(String.join(" ", searches)).append('\n');
    if (!options.isEmpty()) out.append("options ").append(String.join(" ", options)).append('\n');
    return out.toString();
  }

  private static String trimDot(String domain) {
    return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
  }
}
