package io.planet.api.apply;

import com.fasterxml.jackson.databind.node.TextNode;

/** Go's %q for the ASCII names that appear in messages. */
final class JsonQuote {
  private JsonQuote() {}

  static String quote(String s) {
    return new TextNode(s).toString();
  }
}
