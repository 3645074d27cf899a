package io.ambidex.blob.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.ChecksumAlgorithm;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * The checksums against published check values (the CRC catalogue's {@code "123456789"}) and
 * against the AWS SDK's own implementations (its CRC64NVME is the CRT's native one), and CRC
 * combination against the CRC of the concatenation.
 */
class HasherTest {
  private static final byte[] CHECK = "123456789".getBytes(US_ASCII);

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void checkValues_matchTheCrcCatalogue() {
    assertThat(hex(Hasher.of(ChecksumAlgorithm.CRC64NVME, CHECK, 0, 9))).isEqualTo("ae8b14860a799888");
    assertThat(hex(Hasher.of(ChecksumAlgorithm.CRC32C, CHECK, 0, 9))).isEqualTo("e3069283");
    assertThat(hex(Hasher.of(ChecksumAlgorithm.CRC32, CHECK, 0, 9))).isEqualTo("cbf43926");
    assertThat(hex(Hasher.of(ChecksumAlgorithm.CRC64NVME, new byte[0], 0, 0))).isEqualTo("0000000000000000");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7, 8, 9, 63, 1000, 65_537, 1_048_583})
  void crc64nvme_matchesTheAwsSdk_arrayAndDirectBuffers(int length) {
    byte[] data = new byte[length];
    new Random(length).nextBytes(data);
    SdkChecksum sdk = SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.CRC64NVME);
    sdk.update(data, 0, length);
    byte[] expected = sdk.getChecksumBytes();

    assertThat(Hasher.of(ChecksumAlgorithm.CRC64NVME, data, 0, length)).isEqualTo(expected);
    ByteBuffer direct = ByteBuffer.allocateDirect(length + 3);
    direct.put(new byte[3]).put(data).flip().position(3);
    Hasher h = Hasher.of(ChecksumAlgorithm.CRC64NVME);
    h.update(direct);
    assertThat(direct.position()).as("position unmoved").isEqualTo(3);
    assertThat(h.digest()).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "SHA1", "SHA256"})
  void otherAlgorithms_matchTheAwsSdk(ChecksumAlgorithm algorithm) {
    byte[] data = new byte[100_003];
    new Random(5).nextBytes(data);
    SdkChecksum sdk = SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.fromValue(algorithm.name()));
    sdk.update(data, 0, data.length);
    assertThat(Hasher.of(algorithm, data, 0, data.length)).isEqualTo(sdk.getChecksumBytes());
  }

  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "CRC64NVME"})
  void combine_equalsTheCrcOfTheConcatenation(ChecksumAlgorithm algorithm) {
    Random random = new Random(algorithm.ordinal());
    for (int round = 0; round < 40; round++) {
      byte[] data = new byte[random.nextInt(200_000)];
      random.nextBytes(data);
      int cut = data.length == 0 ? 0 : random.nextInt(data.length + 1);
      byte[] first = Hasher.of(algorithm, data, 0, cut);
      byte[] second = Hasher.of(algorithm, data, cut, data.length - cut);
      assertThat(Hasher.combine(algorithm, first, second, data.length - cut))
          .as("cut at %d of %d", cut, data.length)
          .isEqualTo(Hasher.of(algorithm, data, 0, data.length));
    }
  }

  @Test
  void combine_ofManyParts_inOrder() {
    byte[] data = new byte[1_000_000];
    new Random(9).nextBytes(data);
    byte[] crc = Hasher.of(ChecksumAlgorithm.CRC32C, data, 0, 0);
    for (int off = 0; off < data.length; off += 77_777) {
      int len = Math.min(77_777, data.length - off);
      crc = Hasher.combine(ChecksumAlgorithm.CRC32C, crc, Hasher.of(ChecksumAlgorithm.CRC32C, data, off, len), len);
    }
    assertThat(crc).isEqualTo(Hasher.of(ChecksumAlgorithm.CRC32C, data, 0, data.length));
    assertThat(Arrays.equals(crc, Hasher.of(ChecksumAlgorithm.CRC32C, data, 1, data.length - 1))).isFalse();
  }

  @Test
  void combine_ofADigest_namesTheRule() {
    assertThatThrownBy(() -> Hasher.combine(ChecksumAlgorithm.SHA256, new byte[32], new byte[32], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only CRC32, CRC32C and CRC64NVME can be combined");
  }
}
