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
  void compositeWithoutPartSize_fallsBackToTheEtag() {
    DownloadVerifier v =
        DownloadVerifier.of("x", headers("x-amz-checksum-crc32c", "AAAAAA==-3", "etag", "\"0123456789abcdef0123456789abcdef-3\""), false);
    assertThat(v.verifies()).as("a multipart ETag without the part size: length only").isFalse();
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
