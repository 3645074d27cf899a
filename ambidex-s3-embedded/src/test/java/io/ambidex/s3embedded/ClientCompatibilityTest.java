package io.ambidex.s3embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The clients the embedded store's compatibility filter is for: the AWS CRT's S3 client uploads in
 * parts (it failed with "Upload Id not found" before), and the store's answers to the requests
 * that needed the filter, on the wire.
 */
@Timeout(60)
class ClientCompatibilityTest {
  private static final String BUCKET = "compat";
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static EmbeddedS3 s3;
  private static S3AsyncClient crt;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    crt =
        S3AsyncClient.crtBuilder()
            .endpointOverride(s3.endpoint())
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .minimumPartSizeInBytes(5L * 1024 * 1024)
            .thresholdInBytes(5L * 1024 * 1024)
            .build();
    crt.createBucket(b -> b.bucket(BUCKET)).join();
  }

  @AfterAll
  static void stop() {
    if (crt != null) {
      crt.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void crtClient_putAboveItsThreshold_uploadsInParts_andReadsTheSameBytesBack() {
    byte[] object = new byte[12 * 1024 * 1024 + 17]; // three parts of 5 MiB, the last short
    new Random(14).nextBytes(object);

    crt.putObject(p -> p.bucket(BUCKET).key("crt/parts.bin"), AsyncRequestBody.fromBytes(object))
        .join();

    ResponseBytes<GetObjectResponse> read =
        crt.getObject(
                g -> g.bucket(BUCKET).key("crt/parts.bin"), AsyncResponseTransformer.toBytes())
            .join();
    assertThat(read.asByteArray()).isEqualTo(object);
    assertThat(read.response().eTag()).endsWith("-3\""); // a multipart object's ETag
  }

  @Test
  void completeMultipartUpload_withObjectSize_isAccepted() {
    String key = "declared/size.bin";
    String id =
        crt.createMultipartUpload(c -> c.bucket(BUCKET).key(key)).join().uploadId();
    byte[] part = "seventeen bytes!!".getBytes(StandardCharsets.US_ASCII);
    UploadPartResponse uploaded =
        crt.uploadPart(
                u -> u.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                AsyncRequestBody.fromBytes(part))
            .join();

    crt.completeMultipartUpload(
            c ->
                c.bucket(BUCKET)
                    .key(key)
                    .uploadId(id)
                    .mpuObjectSize((long) part.length)
                    .multipartUpload(
                        m -> m.parts(CompletedPart.builder().partNumber(1).eTag(uploaded.eTag()).build())))
        .join();

    assertThat(crt.headObject(h -> h.bucket(BUCKET).key(key)).join().contentLength())
        .isEqualTo(part.length);
  }

  @Test
  void bodylessRequestExpectingContinue_isAnsweredWithAContentLength() throws IOException {
    URI uri = s3.endpoint().resolve("/" + BUCKET + "/wire/expect.bin?uploads");
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(uri)
            .putHeader("Host", uri.getHost() + ":" + uri.getPort())
            .putHeader("x-amz-content-sha256", EMPTY_SHA256)
            .putHeader("Expect", "100-continue")
            .putHeader("Content-Length", "0")
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()))
                        .request(unsigned)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));

    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    byte[] body;
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder("POST " + uri.getRawPath() + "?uploads HTTP/1.1\r\n");
      for (Map.Entry<String, List<String>> h : signed.request().headers().entrySet()) {
        for (String value : h.getValue()) {
          request.append(h.getKey()).append(": ").append(value).append("\r\n");
        }
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();

      InputStream in = socket.getInputStream();
      String status = readLine(in);
      assertThat(status).startsWith("HTTP/1.1 200");
      for (String line; !(line = readLine(in)).isEmpty(); ) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
      assertThat(headers).containsKey("Content-Length").doesNotContainKey("Transfer-Encoding");
      body = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
    }
    assertThat(new String(body, StandardCharsets.UTF_8)).contains("<UploadId>");
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("The connection ended inside the answer's head");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
