package io.planet.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** resource.Quantity as the autoscaler uses it: milli-values in, canonical DecimalSI strings out. */
public final class Quantities {
  private static final String[] SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};

  private Quantities() {}

  /** Upstream's MilliValue: the amount in thousandths, rounded up. */
  public static long milli(Quantity q) {
    if (q == null) return 0;
    BigDecimal amount = q.getNumericalAmount().multiply(BigDecimal.valueOf(1000));
    return amount.setScale(0, RoundingMode.CEILING).longValueExact();
  }

  public static long milli(String s) {
    return milli(new Quantity(s));
  }

  /** resource.NewMilliQuantity(v, DecimalSI).String(): {@code 1500m}, {@code 2}, {@code 3k}. */
  public static String format(long milli) {
    if (milli % 1000 != 0) return milli + "m";
    long n = milli / 1000;
    int s = 0;
    while (n != 0 && n % 1000 == 0 && s < SUFFIXES.length - 1) {
      n /= 1000;
      s++;
    }
    return n + SUFFIXES[s];
  }

  public static Quantity quantity(long milli) {
    return new Quantity(format(milli));
  }
}
