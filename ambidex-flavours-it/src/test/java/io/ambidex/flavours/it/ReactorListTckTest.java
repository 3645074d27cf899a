package io.ambidex.flavours.it;

import io.ambidex.blob.BlobObject;
import io.ambidex.blob.ReactorBlobClient;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK against the generated {@code ReactorBlobClient.list}: a {@code Flux}
 * over the blob core's paginated {@code AsyncIterator}, listing a bucket of n objects (two per
 * page) on the embedded S3 server. The failed publisher lists a bucket that does not exist.
 */
public class ReactorListTckTest extends PublisherVerification<BlobObject> {
  private final ReactorBlobClient client = new ReactorBlobClient(SharedS3.config(4));

  public ReactorListTckTest() {
    super(
        new TestEnvironment(Tck.TIMEOUT_MILLIS, Tck.NO_SIGNAL_MILLIS),
        Tck.REFERENCE_DROP_MILLIS);
  }

  @AfterClass
  public void close() {
    client.close().block();
  }

  @Override
  public Publisher<BlobObject> createPublisher(long elements) {
    return client.list(SharedS3.bucketOf(elements), null);
  }

  @Override
  public Publisher<BlobObject> createFailedPublisher() {
    return client.list("no-such-bucket-tck", null);
  }

  @Override
  public long maxElementsFromPublisher() {
    return Tck.MAX_ELEMENTS;
  }
}
