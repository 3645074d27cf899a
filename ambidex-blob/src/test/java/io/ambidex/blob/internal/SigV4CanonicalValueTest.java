package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The canonical form of a signed header value: trimmed, each run of SigV4 white space (space, tab,
 * LF, VT, FF, CR) one space, as the AWS SDK v2's canonical request and S3Proxy compute it.
 */
class SigV4CanonicalValueTest {
  @Test
  void canonicalValue_tabsAndOtherWhiteSpace_trimmedAndEachRunOneSpace() {
    assertThat(SigV4.canonicalValue("no-cache,\tprivate")).isEqualTo("no-cache, private");
    assertThat(SigV4.canonicalValue("\t a \t\u000B\f\r\n b\t")).isEqualTo("a b");
    assertThat(SigV4.canonicalValue("a  b   c")).isEqualTo("a b c");
  }

  @Test
  void canonicalValue_noWhiteSpaceToChange_valueKept() {
    assertThat(SigV4.canonicalValue("max-age=3600, public")).isEqualTo("max-age=3600, public");
    assertThat(SigV4.canonicalValue("")).isEmpty();
    assertThat(SigV4.canonicalValue(" \t ")).isEmpty();
  }

  @Test
  void canonicalValue_otherUnicodeSpace_kept() {
    // SigV4 white space is the six ASCII characters only; a no-break space is part of the value.
    assertThat(SigV4.canonicalValue("a\u00A0\u00A0b")).isEqualTo("a\u00A0\u00A0b");
  }
}
