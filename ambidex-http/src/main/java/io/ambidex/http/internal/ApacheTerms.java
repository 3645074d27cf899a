package io.ambidex.http.internal;

import java.time.Duration;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.util.Timeout;

/** What both transports hand to Apache, and check in what Apache reads, the same way. */
public final class ApacheTerms {
  private ApacheTerms() {}

  /*
   * Every duration handed to Apache or a socket goes through these two. Sockets count int
   * milliseconds, and Apache's deadlines overflowed near Long.MAX_VALUE; a huge Duration ("no
   * timeout", Duration.ofMillis(Long.MAX_VALUE) or a thousand years) made every blocking call
   * fail with ArithmeticException and every async connect time out at once. So durations
   * saturate at Integer.MAX_VALUE ms (about 24.8 days): longer waits are that.
   */
  private static final Duration LONGEST = Duration.ofMillis(Integer.MAX_VALUE);

  /** {@code d} in milliseconds, at most {@link Integer#MAX_VALUE}. */
  public static long millis(Duration d) {
    return d.compareTo(LONGEST) >= 0 ? LONGEST.toMillis() : d.toMillis();
  }

  /** {@code d} as Apache's {@link Timeout}, saturated as {@link #millis}. */
  public static Timeout timeout(Duration d) {
    return Timeout.ofMilliseconds(millis(d));
  }

  /*
   * What both transports refuse in a response head beyond what Apache's parsers refuse, so that a
   * head is read alike whichever transport reads it: a status code outside 100-599 (httpcore's
   * classic parser takes any three digits, and 600-999 reached HttpResponse.of, whose
   * IllegalArgumentException escaped untranslated; its async parser refuses them), and a
   * Content-Length that is not all digits (RFC 9110, section 8.6: 1*DIGIT; both of Apache's
   * parsers read it with Long.parseLong, which takes "+5").
   */
  /**
   * Refuses a head with a status outside 100-599 or a Content-Length that is not all digits.
   *
   * @throws ProtocolException naming what is malformed
   */
  public static void checkHead(org.apache.hc.core5.http.HttpResponse response) throws ProtocolException {
    int code = response.getCode();
    if (code < 100 || code > 599) {
      throw new ProtocolException(
          "Malformed status line: status code " + code + " is not 100 to 599");
    }
    for (Header h : response.getHeaders("Content-Length")) {
      String v = h.getValue();
      if (v == null || v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new ProtocolException(
            "Malformed Content-Length '" + v + "': it must be digits only (RFC 9110, 8.6)");
      }
    }
  }
}
