package io.planet.api.strategy;

import java.math.BigInteger;
import java.net.InetAddress;

/** An IPv4 or IPv6 CIDR as Go's net.ParseCIDR reads it: the network address (host bits cleared) and prefix length. */
record Cidr(byte[] network, int prefix) {

  /** The CIDR, or null when {@code s} is not one. */
  static Cidr parse(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) return null;
    String ip = s.substring(0, slash);
    String bits = s.substring(slash + 1);
    if (!Names.isIp(ip) || bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) return null;
    byte[] addr;
    try {
      addr = InetAddress.getByName(ip).getAddress();
    } catch (Exception e) {
      return null;
    }
    int prefix = Integer.parseInt(bits);
    if (prefix > addr.length * 8) return null;
    return new Cidr(mask(addr, prefix), prefix);
  }

  boolean contains(byte[] addr) {
    return addr.length == network.length && java.util.Arrays.equals(mask(addr, prefix), network);
  }

  private static byte[] mask(byte[] addr, int prefix) {
    int bits = addr.length * 8;
    BigInteger m = prefix == 0 ? BigInteger.ZERO
        : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefix).shiftLeft(bits - prefix);
    byte[] raw = new BigInteger(1, addr).and(m).toByteArray();
    byte[] out = new byte[addr.length];
    int copy = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
    return out;
  }
}
