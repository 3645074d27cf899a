package io.ambidex.flavours.it;

import io.ambidex.blob.BlobObject;
import io.ambidex.blob.Rx3BlobClient;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK against the generated {@code Rx3BlobClient.list}: a {@code Flowable}
 * over the blob core's paginated {@code AsyncIterator} (see {@link ReactorListTckTest}).
 */
public class Rx3ListTckTest extends PublisherVerification<BlobObject> {
  private final Rx3BlobClient client = new Rx3BlobClient(SharedS3.config(4));

  public Rx3ListTckTest() {
    super(
        new TestEnvironment(Tck.TIMEOUT_MILLIS, Tck.NO_SIGNAL_MILLIS),
        Tck.REFERENCE_DROP_MILLIS);
  }

  @AfterClass
  public void close() {
    client.close().blockingAwait();
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
