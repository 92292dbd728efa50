package io.planet.cli;

import java.io.PrintStream;
import java.util.List;

/** Plain-text tables as kubectl prints them: left-aligned columns, three spaces apart. */
public final class Tables {
  private Tables() {}

  public static void print(List<String[]> rows, PrintStream out) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols; c++) width[c] = Math.max(width[c], r[c].length());
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        line.append(r[c]);
        if (c < cols - 1) line.append(" ".repeat(width[c] - r[c].length() + 3));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
