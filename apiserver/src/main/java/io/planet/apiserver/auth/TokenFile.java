package io.planet.apiserver.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static bearer tokens from a CSV file, upstream's --token-auth-file: {@code token,user,uid[,"group1,group2"]} per
 * line; blank lines and lines starting with # are skipped. Read once at start, as upstream does.
 */
public final class TokenFile implements TokenAuthenticator {
  private final Map<String, UserInfo> tokens;

  private TokenFile(Map<String, UserInfo> tokens) {
    this.tokens = Map.copyOf(tokens);
  }

  public static TokenFile read(Path file) throws IOException {
    Map<String, UserInfo> tokens = new HashMap<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
      if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
      List<String> cols = csv(line);
      if (cols.size() < 3) {
        throw new IOException(file + ":" + lineNo + ": token file records need at least 3 columns (token,user,uid)");
      }
      String token = cols.get(0);
      if (token.isEmpty()) throw new IOException(file + ":" + lineNo + ": empty token");
      List<String> groups = new ArrayList<>();
      if (cols.size() > 3) {
        for (String g : cols.get(3).split(",")) if (!g.trim().isEmpty()) groups.add(g.trim());
      }
      tokens.put(token, new UserInfo(cols.get(1), cols.get(2), groups, Map.of()));
    }
    return new TokenFile(tokens);
  }

  @Override
  public Optional<UserInfo> authenticateToken(String token) {
    // constant-time per entry: a token's prefix must not be guessable from response times
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    UserInfo found = null;
    for (Map.Entry<String, UserInfo> e : tokens.entrySet()) {
      if (MessageDigest.isEqual(presented, e.getKey().getBytes(StandardCharsets.UTF_8))) found = e.getValue();
    }
    return Optional.ofNullable(found);
  }

  /** One CSV record (RFC 4180 quoting: "a,b" is one field, "" inside quotes is a quote). */
  static List<String> csv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
