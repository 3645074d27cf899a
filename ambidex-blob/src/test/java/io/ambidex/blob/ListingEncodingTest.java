package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.internal.S3Xml;
import io.ambidex.s3embedded.EmbeddedS3;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Listings ask for {@code encoding-type=url} and decode what a server says it encoded: a key may
 * hold characters XML 1.0 cannot carry (U+0001), which made every page that held it unreadable, and
 * keys with {@code +}, {@code %}, spaces and other characters must come back exactly. Against S3Proxy
 * and moto, flat and delimited; the parser also on documents with and without {@code EncodingType}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListingEncodingTest {
  static final List<String> KEYS =
      List.of(
          "ctl\u0001key", "plus+key", "per%cent", "per%2Bcent", "sp ace", "amp&lt<gt>", "ünï/cødé",
          "dir\u0001/inner", "tab\tkey", "q?h#");

  private static void roundTrip(URI endpoint, String access, String secret, String bucket)
      throws Exception {
    roundTrip(endpoint, access, secret, bucket, KEYS);
  }

  private static void roundTrip(
      URI endpoint, String access, String secret, String bucket, List<String> keyList)
      throws Exception {
    BlobConfig config = Fixtures.config(endpoint, access, secret).listPageSize(3).build();
    try (BlobClient client = new BlobClient(config)) {
      client.createBucket(bucket);
      for (String key : keyList) {
        client.put(bucket, key, key.getBytes(StandardCharsets.UTF_8));
      }
      try (Stream<BlobObject> all = client.list(bucket, "")) {
        assertThat(all.map(BlobObject::key)).containsExactlyInAnyOrderElementsOf(keyList);
      }
      try (Stream<ListEntry> top = client.list(bucket, "", "/")) {
        assertThat(top.map(e -> e instanceof CommonPrefix p ? p.prefix() : ((BlobObject) e).key()))
            .contains("ünï/", "plus+key", "per%2Bcent", "sp ace");
      }
      if (keyList.contains("dir\u0001/inner")) {
        try (Stream<BlobObject> under = client.list(bucket, "dir\u0001/")) {
          assertThat(under.map(BlobObject::key)).containsExactly("dir\u0001/inner");
        }
        try (Stream<ListEntry> top = client.list(bucket, "", "/")) {
          assertThat(top.filter(e -> e instanceof CommonPrefix).map(e -> ((CommonPrefix) e).prefix()))
              .contains("dir\u0001/");
        }
      }
    }
    AsyncBlobClient async = new AsyncBlobClient(config);
    try {
      List<String> keys = new java.util.ArrayList<>();
      io.ambidex.stream.AsyncIterators.forEach(
              io.ambidex.stream.AsyncIterators.fromPublisher(async.list(bucket, "")),
              o -> keys.add(o.key()))
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      assertThat(keys).containsExactlyInAnyOrderElementsOf(keyList);
    } finally {
      async.close().get(30, TimeUnit.SECONDS);
    }
  }

  /*
   * S3Proxy lists with the last key as its continuation token, written raw: a page ending at a key
   * with U+0001 was cut short, so the embedded store refuses such keys (EmbeddedKeysTest); the
   * rest come back exactly.
   */
  @Test
  void list_oddKeys_comeBackExactly_fromS3Proxy() throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(null)) {
      roundTrip(s3.endpoint(), s3.accessKey(), s3.secretKey(), "odd-keys",
          KEYS.stream().filter(k -> k.indexOf('\u0001') < 0).toList());
    }
  }

  @Test
  void list_oddKeys_comeBackExactly_fromMoto() throws Exception {
    MotoServer moto = MotoServer.start();
    try {
      roundTrip(moto.endpoint, "testing", "testing", Fixtures.bucket());
    } finally {
      MotoServer.stop(moto);
    }
  }

  @Test
  void listUploads_oddKeys_comeBackExactly_fromMoto_andAbort() throws Exception {
    MotoServer moto = MotoServer.start();
    try (BlobClient client = new BlobClient(Fixtures.config(moto.endpoint, "testing", "testing").listPageSize(3).build())) {
      String bucket = Fixtures.bucket();
      client.createBucket(bucket);
      // moto ignores encoding-type on this listing (S3 honours it): no U+0001 here.
      List<String> keys = KEYS.stream().filter(k -> k.indexOf('\u0001') < 0).toList();
      for (String key : keys) {
        moto.sdk.createMultipartUpload(r -> r.bucket(bucket).key(key));
      }
      List<PendingUpload> pending;
      try (Stream<PendingUpload> uploads = client.listUploads(bucket, null)) {
        pending = uploads.toList();
      }
      assertThat(pending).extracting(PendingUpload::key).containsExactlyInAnyOrderElementsOf(keys);
      for (PendingUpload u : pending) {
        client.abortUpload(bucket, u.key(), u.uploadId());
      }
      try (Stream<PendingUpload> uploads = client.listUploads(bucket, null)) {
        assertThat(uploads).as("every abort named its upload's key exactly").isEmpty();
      }
    } finally {
      MotoServer.stop(moto);
    }
  }

  /* Swift's S3 layer, where .ci/run started it (SwiftTest says how to start it by hand). */
  @Test
  void list_oddKeys_comeBackExactly_fromSwift() throws Exception {
    String endpoint = System.getenv("AMBIDEX_SWIFT_ENDPOINT");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        endpoint != null && !endpoint.isBlank(), "AMBIDEX_SWIFT_ENDPOINT is not set");
    roundTrip(URI.create(endpoint), "test:tester", "testing", Fixtures.bucket());
  }

  private static byte[] page(String encodingType, String key, String prefix) {
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult>"
            + (encodingType == null ? "" : "<EncodingType>" + encodingType + "</EncodingType>")
            + "<Contents><Key>" + key + "</Key><Size>1</Size><ETag>\"e\"</ETag></Contents>"
            + "<CommonPrefixes><Prefix>" + prefix + "</Prefix></CommonPrefixes>"
            + "<IsTruncated>false</IsTruncated></ListBucketResult>")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void uploadsPage_decodesOnlyWhatTheServerSaysItEncoded() {
    String doc = "<?xml version=\"1.0\"?><ListMultipartUploadsResult>%s"
        + "<NextKeyMarker>%s</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>"
        + "<IsTruncated>true</IsTruncated><Upload><Key>%s</Key><UploadId>u1</UploadId></Upload>"
        + "</ListMultipartUploadsResult>";
    var encoded = io.ambidex.blob.internal.UploadsXml.page(
        String.format(doc, "<EncodingType>url</EncodingType>", "n%01+x", "a%01b+c%2B")
            .getBytes(StandardCharsets.UTF_8));
    assertThat(encoded.uploads()).extracting(PendingUpload::key).containsExactly("a\u0001b c+");
    assertThat(encoded.nextKeyMarker()).isEqualTo("n\u0001 x");
    var raw = io.ambidex.blob.internal.UploadsXml.page(
        String.format(doc, "", "n+x", "a+b%2B").getBytes(StandardCharsets.UTF_8));
    assertThat(raw.uploads()).extracting(PendingUpload::key).containsExactly("a+b%2B");
    assertThat(raw.nextKeyMarker()).isEqualTo("n+x");
  }

  @Test
  void listPage_decodesOnlyWhatTheServerSaysItEncoded() {
    for (boolean stax : new boolean[] {false, true}) {
      byte[] encoded = page("url", "a%01b+c%2Bd%25", "p%C3%BC/");
      S3Xml.ListPage p = stax ? S3Xml.listPageWithStax(encoded) : S3Xml.listPage(encoded);
      assertThat(p.entries())
          .containsExactly(new BlobObject("a\u0001b c+d%", 1, "e", null), new CommonPrefix("pü/"));
      byte[] raw = page(null, "a+b%2B", "p+/");
      p = stax ? S3Xml.listPageWithStax(raw) : S3Xml.listPage(raw);
      assertThat(p.entries())
          .as("a server that ignored encoding-type sends keys as they are")
          .containsExactly(new BlobObject("a+b%2B", 1, "e", null), new CommonPrefix("p+/"));
    }
    assertThat(S3Xml.scans(page("url", "k", "p/"))).isTrue();
  }
}
