package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.Hasher;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-object GETs ask for the object's flexible checksum whatever the client's algorithm (choice
 * 268), through both facades and the three ways to read (get, download, open): a client set to
 * MD5 checks a stored CRC32C, and a service that refuses the header itself gets the request again
 * without it, then no more.
 */
@Timeout(60)
class ChecksumModeTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  private static final byte[] DATA = bytes(40_000, 9);

  /* An object with the right ETag and the given CRC32C header. */
  private static MockResponse withCrc32c(String crc) {
    return MockS3.object(DATA, MockS3.md5Hex(DATA)).newBuilder()
        .addHeader("x-amz-checksum-crc32c", crc)
        .build();
  }

  private static String crc32c(byte[] data) {
    return Base64.getEncoder().encodeToString(Hasher.of(ChecksumAlgorithm.CRC32C, data, 0, data.length));
  }

  private static byte[] concat(List<java.nio.ByteBuffer> buffers) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (java.nio.ByteBuffer b : buffers) {
      byte[] a = new byte[b.remaining()];
      b.get(a);
      out.writeBytes(a);
    }
    return out.toByteArray();
  }

  private static boolean asks(RecordedRequest r) {
    return "ENABLED".equals(r.getHeaders().get("x-amz-checksum-mode"));
  }

  /* Reads the object the three ways, in turn; returns what each read. */
  private static List<byte[]> readThreeWays(Parity<BlobClient, AsyncBlobClient> p, Path dir)
      throws Exception {
    byte[] got = p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k"));
    Path file = dir.resolve("k.bin");
    p.call(c -> c.download("bkt", "k", file, null)).async(a -> a.download("bkt", "k", file, null));
    byte[] opened = concat(p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")));
    return List.of(got, Files.readAllBytes(file), opened);
  }

  @ParityTest
  void anMd5Client_asksForTheChecksum_andChecksAStoredCrc32c(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    assertThat(s3.config().checksum()).isEqualTo(ChecksumAlgorithm.MD5); // the client's own
    s3.handler = r -> withCrc32c(crc32c(DATA));

    assertThat(readThreeWays(p, dir)).allSatisfy(read -> Fixtures.assertSameBytes(read, DATA));
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(3).allMatch(ChecksumModeTest::asks);

    // The ETag is right, the stored CRC32C is not: only the checksum asked for can tell.
    s3.handler = r -> withCrc32c(crc32c(new byte[] {1}));
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOf(BlobIntegrityException.class);
    Path file = dir.resolve("bad.bin");
    assertThatThrownBy(() -> p.call(c -> c.download("bkt", "k", file, null))
            .async(a -> a.download("bkt", "k", file, null)))
        .isInstanceOf(BlobIntegrityException.class);
    assertThat(file).doesNotExist();
    assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
        .isInstanceOf(BlobIntegrityException.class);
  }

  @ParityTest
  void aServiceRefusingTheHeader_getsTheRequestAgainWithoutIt_thenNoMore(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    for (String refusal : List.of("501 NotImplemented", "400 InvalidArgument", "400 InvalidRequest")) {
      MockS3 fresh = MockS3.create();
      try (BlobClient blocking = new BlobClient(fresh.config())) {
        AsyncBlobClient async = new AsyncBlobClient(fresh.config());
        String[] parts = refusal.split(" ");
        fresh.handler = r -> asks(r)
            ? MockS3.error(Integer.parseInt(parts[0]), parts[1])
            : MockS3.object(DATA, MockS3.md5Hex(DATA));
        byte[] first = p.isBlocking()
            ? blocking.get("bkt", "k")
            : async.get("bkt", "k").get(30, java.util.concurrent.TimeUnit.SECONDS);
        Fixtures.assertSameBytes(first, DATA);
        assertThat(fresh.matching("GET", "/bkt/k")).as(refusal).hasSize(2);
        assertThat(asks(fresh.matching("GET", "/bkt/k").get(0))).isTrue();
        assertThat(asks(fresh.matching("GET", "/bkt/k").get(1))).isFalse();

        // Then no more asking, on every path of that client.
        fresh.requests.clear();
        Path file = dir.resolve(parts[1] + ".bin");
        if (p.isBlocking()) {
          blocking.download("bkt", "k", file, null);
          try (var s = blocking.open("bkt", "k")) {
            s.forEach(b -> {});
          }
        } else {
          async.download("bkt", "k", file, null).get(30, java.util.concurrent.TimeUnit.SECONDS);
          async.get("bkt", "k").get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(DATA);
        assertThat(fresh.matching("GET", "/bkt/k")).as(refusal).hasSize(2).noneMatch(ChecksumModeTest::asks);
        async.close().get(30, java.util.concurrent.TimeUnit.SECONDS);
      } finally {
        fresh.close();
      }
    }
  }

  /* Another refusal is the request's own failure: not sent again, and the client keeps asking. */
  @ParityTest
  void otherRefusals_areNotSentAgain(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> MockS3.error(403, "AccessDenied");
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOf(BlobAuthenticationException.class);
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(1);

    // Refused with and without the header: the second failure is reported, and asking goes on.
    s3.requests.clear();
    s3.handler = r -> MockS3.error(501, "NotImplemented");
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOfSatisfying(BlobException.class, e -> assertThat(e.code()).isEqualTo("NotImplemented"));
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(2);
    s3.requests.clear();
    s3.handler = r -> MockS3.object(DATA, MockS3.md5Hex(DATA));
    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")), DATA);
    assertThat(s3.matching("GET", "/bkt/k")).singleElement().matches(ChecksumModeTest::asks);
  }
}
