package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.BlobIntegrityException;
import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which checksum a response is checked against, and the check itself, header by header. */
class DownloadVerifierTest {
  private static final byte[] DATA = bytes(3_000_000);
  private static final int PART = 1_000_000;

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  static HttpHeaders headers(String... nameValues) {
    java.util.LinkedHashMap<String, List<String>> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], List.of(nameValues[i + 1]));
    }
    return HttpHeaders.of(m);
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static String composite(ChecksumAlgorithm a) {
    Hasher h = Hasher.of(a);
    for (int off = 0; off < DATA.length; off += PART) {
      byte[] sum = Hasher.of(a, DATA, off, PART);
      h.update(sum, 0, sum.length);
    }
    return b64(h.digest());
  }

  static void feed(DownloadVerifier v, byte[] data) {
    for (int off = 0; off < data.length; off += 65_536) {
      v.update(ByteBuffer.wrap(data, off, Math.min(65_536, data.length - off)));
    }
  }

  @Test
  void fullObjectCrc_isCheckedWhole() {
    String crc = b64(Hasher.of(ChecksumAlgorithm.CRC64NVME, DATA, 0, DATA.length));
    DownloadVerifier v =
        DownloadVerifier.of("x", headers("x-amz-checksum-crc64nvme", crc, "x-amz-checksum-type", "FULL_OBJECT", "etag", "\"abc-3\""), false);
    assertThat(v.algorithm()).isEqualTo(ChecksumAlgorithm.CRC64NVME);
    assertThat(v.partSize()).isZero();
    feed(v, DATA);
    v.finish();
  }

  @Test
  void compositeSha_withPartSize_isCheckedPartByPart_andAFlipIsCaught() {
    String value = composite(ChecksumAlgorithm.SHA256) + "-3";
    HttpHeaders h = headers("x-amz-checksum-sha256", value, "x-amz-meta-ambidex-part-size", Integer.toString(PART));
    DownloadVerifier ok = DownloadVerifier.of("x", h, false);
    assertThat(ok.partSize()).isEqualTo(PART);
    feed(ok, DATA);
    ok.finish();

    byte[] damaged = DATA.clone();
    damaged[PART + 5] ^= 1;
    DownloadVerifier bad = DownloadVerifier.of("x", h, false);
    feed(bad, damaged);
    assertThatThrownBy(bad::finish)
        .isInstanceOf(BlobIntegrityException.class)
        .hasMessageContaining("x-amz-checksum-sha256");
  }

  @Test
  void compositeWithoutPartSize_checksTheLengthOnly_untilThePartsAreKnown() {
    DownloadVerifier v =
        DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", "AAAAAA==-3", "etag", "\"0123456789abcdef0123456789abcdef-3\""), false);
    assertThat(v.verifies()).as("a composite without its parts: length only").isFalse();
    assertThat(v.partsToLearn()).isEqualTo(3);
    feed(v, DATA);
    v.finish();
  }

  /* The composite of `data` cut at `lengths`, as S3 computes it for a multipart upload. */
  static String composite(ChecksumAlgorithm a, byte[] data, long... lengths) {
    Hasher h = Hasher.of(a);
    int off = 0;
    for (long l : lengths) {
      byte[] sum = Hasher.of(a, data, off, (int) l);
      h.update(sum, 0, sum.length);
      off += (int) l;
    }
    String value = a == ChecksumAlgorithm.MD5
        ? java.util.HexFormat.of().formatHex(h.digest())
        : b64(h.digest());
    return value + "-" + lengths.length;
  }

  @Test
  void compositeOfUnequalParts_isCheckedOnceTheirLengthsAreGiven_andAFlipIsCaught() {
    long[] parts = {1_400_000, 1_000_000, 600_000};
    for (ChecksumAlgorithm a : List.of(ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA256)) {
      HttpHeaders h = headers(a.header(), composite(a, DATA, parts), "etag", "\"0123456789abcdef0123456789abcdef-3\"");
      DownloadVerifier ok = DownloadVerifier.of("x", h, false).withParts(parts);
      assertThat(ok.algorithm()).isEqualTo(a);
      assertThat(ok.partLengths()).containsExactly(parts);
      feed(ok, DATA);
      ok.finish();

      byte[] damaged = DATA.clone();
      damaged[2_000_000] ^= 1;
      DownloadVerifier bad = DownloadVerifier.of("x", h, false).withParts(parts);
      feed(bad, damaged);
      assertThatThrownBy(bad::finish)
          .isInstanceOf(BlobIntegrityException.class)
          .hasMessageContaining(a.header());

      // Lengths that are not the object's parts (equal parts of the same total) do not match.
      DownloadVerifier wrong =
          DownloadVerifier.of("x", h, false).withParts(new long[] {PART, PART, PART});
      feed(wrong, DATA);
      assertThatThrownBy(wrong::finish).isInstanceOf(BlobIntegrityException.class);
    }
  }

  @Test
  void multipartEtag_withoutAFlexibleChecksum_isCheckedOnceThePartsAreKnown() {
    long[] parts = {2_000_000, 1_000_000};
    String etag = composite(ChecksumAlgorithm.MD5, DATA, parts);
    DownloadVerifier v = DownloadVerifier.of("x", headers("etag", "\"" + etag + "\""), false);
    assertThat(v.partsToLearn()).isEqualTo(2);
    DownloadVerifier checked = v.withParts(parts);
    assertThat(checked.algorithm()).isEqualTo(ChecksumAlgorithm.MD5);
    byte[] damaged = DATA.clone();
    damaged[0] ^= 1;
    feed(checked, damaged);
    assertThatThrownBy(checked::finish).isInstanceOf(BlobIntegrityException.class).hasMessageContaining("ETag");
  }

  @Test
  void compositeOfOnePart_isCheckedAtOnce_withTheBodysLength() {
    String value = composite(ChecksumAlgorithm.SHA1, DATA, DATA.length);
    DownloadVerifier v =
        DownloadVerifier.of("x", headers("x-amz-checksum-sha1", value, "content-length", Integer.toString(DATA.length)), false);
    assertThat(v.partsToLearn()).isZero();
    assertThat(v.algorithm()).isEqualTo(ChecksumAlgorithm.SHA1);
    feed(v, DATA);
    v.finish();
  }

  @Test
  void emptyLastPart_countsAsAPart() {
    byte[] data = java.util.Arrays.copyOf(DATA, 1_000_000);
    long[] parts = {1_000_000, 0};
    String value = composite(ChecksumAlgorithm.CRC32, data, parts);
    DownloadVerifier v = DownloadVerifier.of("x", headers("x-amz-checksum-crc32", value), false).withParts(parts);
    feed(v, data);
    v.finish();
  }

  @Test
  void moreThanS3sPartLimit_isNotAPartsComposite() {
    assertThat(DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", "AAAAAA==-10000"), false).partsToLearn())
        .isEqualTo(10_000);
    assertThat(DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", "AAAAAA==-10001"), false).partsToLearn())
        .isZero();
    assertThat(DownloadVerifier.of("x", headers("etag", "\"0123456789abcdef0123456789abcdef-99999999999\""), false).partsToLearn())
        .isZero();
  }

  @Test
  void withParts_misuse_namesTheRule() {
    DownloadVerifier pending =
        DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", "AAAAAA==-3"), false);
    assertThatThrownBy(() -> pending.withParts(new long[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("covers 3 parts, but 2 part lengths");
    assertThatThrownBy(() -> pending.withParts(new long[] {1, -2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    DownloadVerifier whole =
        DownloadVerifier.of("x", headers("etag", "\"0123456789abcdef0123456789abcdef\""), false);
    assertThat(whole.partsToLearn()).isZero();
    assertThatThrownBy(() -> whole.withParts(new long[] {1}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("partsToLearn()");
  }

  @Test
  void shaWithoutSuffix_onAMultipartObject_isTakenAsComposite() {
    // moto's HEAD: the composite's value without "-N" and without x-amz-checksum-type.
    HttpHeaders h =
        headers(
            "x-amz-checksum-sha1", composite(ChecksumAlgorithm.SHA1),
            "etag", "\"0123456789abcdef0123456789abcdef-3\"",
            "x-amz-meta-ambidex-part-size", Integer.toString(PART));
    DownloadVerifier v = DownloadVerifier.of("x", h, false);
    assertThat(v.algorithm()).isEqualTo(ChecksumAlgorithm.SHA1);
    assertThat(v.partSize()).isEqualTo(PART);
    feed(v, DATA);
    v.finish();
  }

  @Test
  void crcWithoutSuffixOrType_onAMultipartObject_isNotTrusted_theEtagRulesApply() {
    HttpHeaders h =
        headers(
            "x-amz-checksum-crc32", "AAAAAA==",
            "etag", "\"0123456789abcdef0123456789abcdef-3\"",
            "x-amz-meta-ambidex-part-size", Integer.toString(PART));
    DownloadVerifier v = DownloadVerifier.of("x", h, false);
    assertThat(v.algorithm()).isEqualTo(ChecksumAlgorithm.MD5);
  }

  @Test
  void ranged_isNeverChecked() {
    DownloadVerifier v =
        DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", "AAAAAA==", "etag", "\"0123456789abcdef0123456789abcdef\""), true);
    assertThat(v.verifies()).isFalse();
    feed(v, DATA);
    v.finish();
    assertThat(v.bytes()).isEqualTo(DATA.length);
  }

  @Test
  void flexibleChecksum_winsOverTheEtag() {
    String crc = b64(Hasher.of(ChecksumAlgorithm.CRC32C, DATA, 0, DATA.length));
    DownloadVerifier v =
        DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", crc, "etag", "\"00000000000000000000000000000000\""), false);
    assertThat(v.algorithm()).isEqualTo(ChecksumAlgorithm.CRC32C);
    feed(v, DATA);
    v.finish(); // the ETag (wrong on purpose) is not what is checked
  }
}
