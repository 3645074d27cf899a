package io.ambidex.flavours.it;

import io.ambidex.blob.BlobObject;
import io.ambidex.blob.MutinyBlobClient;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK (its {@code Flow} edition: a {@code Multi} is a {@code
 * Flow.Publisher}) against the generated {@code MutinyBlobClient.list} (see {@link
 * ReactorListTckTest}).
 */
public class MutinyListTckTest extends FlowPublisherVerification<BlobObject> {
  private final MutinyBlobClient client = new MutinyBlobClient(SharedS3.config(4));

  public MutinyListTckTest() {
    super(
        new TestEnvironment(Tck.TIMEOUT_MILLIS, Tck.NO_SIGNAL_MILLIS),
        Tck.REFERENCE_DROP_MILLIS);
  }

  @AfterClass
  public void close() {
    client.close().await().indefinitely();
  }

  @Override
  public Flow.Publisher<BlobObject> createFlowPublisher(long elements) {
    return client.list(SharedS3.bucketOf(elements), null);
  }

  @Override
  public Flow.Publisher<BlobObject> createFailedFlowPublisher() {
    return client.list("no-such-bucket-tck", null);
  }

  @Override
  public long maxElementsFromPublisher() {
    return Tck.MAX_ELEMENTS;
  }
}
