package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.Immediate;
import io.ambidex.blob.internal.PartSource;
import io.ambidex.blob.internal.PartSource.Part;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/**
 * A stream's parts are read into at most as many buffers as there are parts in flight: a buffer
 * handed back after its part was stored is reused for a later part, and one that is not handed
 * back (a failed or cancelled part, which a request may still read) never is.
 */
class PartSourceTest {
  static final int PART = 5 * 1024 * 1024;

  private static Part next(PartSource source) {
    return Immediate.get(source.next(), "next part");
  }

  @Test
  void recycledBuffer_isReusedForALaterPart_andTheBytesAreTheStreamsOwn() {
    byte[] data = Fixtures.bytes(4 * PART + 10, 21);
    PartSource source = PartSource.ofStream(
        new ByteArrayInputStream(data), PART, false, ChecksumAlgorithm.MD5, null);

    Part one = next(source);
    Part two = next(source);
    assertThat(two.buffer()).isNotSameAs(one.buffer());
    source.recycle(one);
    Part three = next(source);
    Part four = next(source);

    assertThat(three.buffer()).isSameAs(one.buffer()); // reused, once
    assertThat(four.buffer()).isNotSameAs(one.buffer()).isNotSameAs(two.buffer());
    assertThat(three.length()).isEqualTo(PART);
    byte[] expected = java.util.Arrays.copyOfRange(data, 2 * PART, 3 * PART);
    assertThat(java.util.Arrays.copyOf(three.buffer(), PART)).isEqualTo(expected);
    assertThat(three.digests().checksum()).isEqualTo(FaultTest.md5(expected));
  }

  @Test
  void bufferNotHandedBack_isNeverReused() {
    byte[] data = Fixtures.bytes(3 * PART, 22);
    PartSource source = PartSource.ofStream(
        new ByteArrayInputStream(data), PART, false, ChecksumAlgorithm.MD5, null);

    Part one = next(source);
    Part two = next(source);
    Part three = next(source);

    assertThat(three.buffer()).isNotSameAs(one.buffer()).isNotSameAs(two.buffer());
    assertThat(next(source)).isNull();
  }
}
