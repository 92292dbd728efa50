package io.planet.node.network;

import java.util.ArrayList;
import java.util.List;

/** A rule as {@code iptables -S} prints it, split into arguments: double quotes group, backslash escapes. */
public final class IptablesRule {
  private IptablesRule() {}

  public static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
        any = true;
      } else if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (c == ' ' && !quoted) {
        if (any) out.add(cur.toString());
        cur.setLength(0);
        any = false;
      } else {
        cur.append(c);
        any = true;
      }
    }
    if (any) out.add(cur.toString());
    return out;
  }
}
