package io.ambidex.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutation of HTTP responses: byte flips, insertions of tokens that matter to an HTTP
 * parser (line ends, colons, numbers at the edges of {@code int} and {@code long}, framing
 * headers), deletions, truncations, duplications, replaced numbers (so {@code Content-Length} and
 * chunk sizes lie) and bare line feeds. A seed always gives the same mutant.
 */
final class ResponseMutator {
  private static final String[] TOKENS = {
    "\r\n", "\n", "\r", "\r\n\r\n", ":", " ", "\t", "\0", ";", ",", "0", "-1", "+1", "0x10",
    "ffffffffffffffff", "7fffffff", "80000000", "99999999999999999999", "18446744073709551616",
    "Content-Length: ", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n",
    "Transfer-Encoding: gzip, chunked\r\n", "Content-Encoding: gzip\r\n", "Connection: close\r\n",
    "HTTP/1.1 ", "HTTP/1.0 200 OK\r\n", "HTTP/1.1 100 Continue\r\n\r\n", "0\r\n\r\n", "\u00ff",
    "\u0080", "%", "=", "\"", "Retry-After: ", "Retry-After: 99999999999\r\n", "Retry-After: -5\r\n"
  };
  private static final String[] NUMBERS = {
    "0", "1", "-1", "2147483647", "2147483648", "-2147483648", "9223372036854775807",
    "9223372036854775808", "99999999999999999999", "ffffffff", "fffffffffffffffff", "1e3", "",
    " 5", "5 ", "0x5", "+5", "00000000000000000000005"
  };

  private ResponseMutator() {}

  /** Returns a mutant of {@code seed}: 1 to 4 mutations drawn from {@code random}. */
  static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    int ops = 1 + random.nextInt(4);
    for (int op = 0; op < ops; op++) {
      b = once(b, random);
    }
    return b;
  }

  private static byte[] once(byte[] b, Random r) {
    int n = b.length;
    int at = n == 0 ? 0 : r.nextInt(n + 1);
    switch (r.nextInt(9)) {
      case 0 -> { // flip a byte
        if (n > 0) {
          b = b.clone();
          b[r.nextInt(n)] = (byte) r.nextInt(256);
        }
        return b;
      }
      case 1 -> { // insert a token
        return splice(b, at, at, TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.ISO_8859_1));
      }
      case 2 -> { // delete a range
        int len = Math.min(n - at, 1 + r.nextInt(16));
        return splice(b, at, at + len, new byte[0]);
      }
      case 3 -> { // truncate
        return java.util.Arrays.copyOf(b, at);
      }
      case 4 -> { // duplicate a range
        int len = Math.min(n - at, 1 + r.nextInt(32));
        byte[] copy = java.util.Arrays.copyOfRange(b, at, at + len);
        return splice(b, at, at, copy);
      }
      case 5, 6 -> { // replace a number (Content-Length, a chunk size, the status)
        List<int[]> runs = numberRuns(b);
        if (runs.isEmpty()) {
          return b;
        }
        int[] run = runs.get(r.nextInt(runs.size()));
        return splice(b, run[0], run[1], NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.ISO_8859_1));
      }
      case 7 -> { // a CRLF becomes a bare LF
        List<Integer> crlfs = new ArrayList<>();
        for (int i = 0; i + 1 < n; i++) {
          if (b[i] == '\r' && b[i + 1] == '\n') {
            crlfs.add(i);
          }
        }
        if (crlfs.isEmpty()) {
          return b;
        }
        int i = crlfs.get(r.nextInt(crlfs.size()));
        return splice(b, i, i + 1, new byte[0]);
      }
      default -> { // repeat a byte many times (long lines, long numbers)
        if (n == 0) {
          return b;
        }
        byte[] run = new byte[1 + r.nextInt(r.nextBoolean() ? 64 : 16_384)];
        java.util.Arrays.fill(run, b[Math.min(at, n - 1)]);
        return splice(b, at, at, run);
      }
    }
  }

  /**
   * Returns {@code b} with the status code of its first status line ({@code HTTP/x.y NNN})
   * replaced by three digits from 000 to 999 (half of them outside 100-599), or {@code b} itself
   * if it has none. Drawn from its own random source by the fuzz test, so that the mutants of
   * earlier seeds, pinned ones included, stay what they were.
   */
  static byte[] withStatus(byte[] b, Random r) {
    String s = new String(b, StandardCharsets.ISO_8859_1);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("HTTP/\\d\\.\\d (\\d{3})").matcher(s);
    if (!m.find()) {
      return b;
    }
    String code = String.format("%03d", r.nextInt(1000));
    return splice(b, m.start(1), m.end(1), code.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The [start, end) of each run of hexadecimal digits. */
  private static List<int[]> numberRuns(byte[] b) {
    List<int[]> runs = new ArrayList<>();
    int i = 0;
    while (i < b.length) {
      if (Character.digit(b[i], 16) >= 0) {
        int start = i;
        while (i < b.length && Character.digit(b[i], 16) >= 0) {
          i++;
        }
        runs.add(new int[] {start, i});
      } else {
        i++;
      }
    }
    return runs;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] with) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + with.length);
    out.write(b, 0, from);
    out.write(with, 0, with.length);
    out.write(b, to, b.length - to);
    return out.toByteArray();
  }

  /** The bytes as Java-escaped text, runs of one byte shortened, for a failure message. */
  static String show(byte[] b) {
    StringBuilder s = new StringBuilder();
    int i = 0;
    while (i < b.length && s.length() < 800) {
      int run = 1;
      while (i + run < b.length && b[i + run] == b[i]) {
        run++;
      }
      String one = escape(b[i] & 0xff);
      if (run > 8) {
        s.append('[').append(one).append(" x").append(run).append(']');
      } else {
        s.append(one.repeat(run));
      }
      i += run;
    }
    return i < b.length ? s + "... (" + b.length + " bytes)" : s.toString();
  }

  private static String escape(int c) {
    if (c == '\r') {
      return "\\r";
    }
    if (c == '\n') {
      return "\\n";
    }
    return c < 0x20 || c >= 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c);
  }
}
