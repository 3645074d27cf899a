package io.ambidex.blob;

import io.ambidex.BlockingNotAllowedException;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.stream.Page;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.blob.internal.BufferPool;
import io.ambidex.blob.internal.Chains;
import io.ambidex.blob.internal.Dates;
import io.ambidex.blob.internal.Digests;
import io.ambidex.blob.internal.DownloadStream;
import io.ambidex.blob.internal.DownloadVerifier;
import io.ambidex.blob.internal.Hasher;
import io.ambidex.blob.internal.InFlight;
import io.ambidex.blob.internal.PartExchanges;
import io.ambidex.blob.internal.PartSource;
import io.ambidex.blob.internal.PartSource.Part;
import io.ambidex.blob.internal.ProgressTracker;
import io.ambidex.blob.internal.S3Xml;
import io.ambidex.blob.internal.SigV4;
import io.ambidex.blob.internal.Signer;
import io.ambidex.blob.internal.Validate;
import io.ambidex.http.AsyncHttpTransport;
import io.ambidex.http.HttpHeaders;
import io.ambidex.http.HttpRequest;
import io.ambidex.http.HttpResponse;
import io.ambidex.http.HttpStatusException;
import io.ambidex.http.HttpTransport;
import io.ambidex.http.RequestBody;
import io.ambidex.http.RequestClient;
import io.ambidex.http.RequestInterceptor;
import io.ambidex.http.SyncHttpTransport;
import io.ambidex.http.TransferProgress;
import io.ambidex.http.error.HttpProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * A client of an S3-compatible object store: buckets, objects, listings, multipart uploads.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>At the call</b>: bucket names, keys, files, ranges and null arguments are checked before
 *       anything is sent; a bad one throws {@link IllegalArgumentException} or {@link
 *       NullPointerException}, naming the rule and the value, on both facades. So does a call on
 *       a client that was closed (or is being closed): {@link IllegalStateException}, for every
 *       operation, {@code presign} included.
 *   <li><b>Failures</b>: error responses are {@link BlobException}s (the code's subtype: {@link
 *       NoSuchKeyException}, {@link BlobAuthenticationException}, ...); failures below HTTP are
 *       ambidex-http's {@code HttpIOException} family; damaged data is {@link
 *       BlobIntegrityException}. All unchecked: the blocking facade throws what the async facade's
 *       futures fail with.
 *   <li><b>Retries</b>: each request is retried by the request client's rules (5xx, throttling,
 *       resets, timeouts, for idempotent requests) with the configured policy; each multipart
 *       part is retried on its own.
 *   <li><b>Integrity</b>: uploads send the configured {@link ChecksumAlgorithm} (CRC32C for AWS
 *       endpoints, {@code Content-MD5} and the ETag checked for others; and, when signed, the
 *       SHA-256 of the body); whole-object downloads are checked against the object's flexible
 *       checksum when it has one, else against its ETag. See {@link ChecksumAlgorithm}. A
 *       composite checksum (or multipart ETag) of an object another tool uploaded in parts needs
 *       the parts' lengths: they are asked for with one {@code HEAD ?partNumber=k} per part (above
 *       the multipart threshold before the ranged GETs, which are then the parts; below it once
 *       the body is in). Where the server does not answer those HEADs (S3Proxy refuses them with
 *       501), such objects are checked by their length only.
 *   <li><b>Multipart</b>: above the threshold, parts go up {@code concurrency} at a time; a
 *       failed or cancelled multipart upload is aborted, so no parts are left behind. A
 *       cancellation or interrupt cuts the parts still being sent; a part whose body was already
 *       sent in full runs to its response first (the service may store it anyway), waited for at
 *       most 10 seconds, and then the abort is sent.
 *   <li><b>Progress</b>: callbacks receive the bytes transferred so far, summed over the parts in
 *       flight, never decreasing, never two at once; the last event has {@code loaded == total ==
 *       size}. On the blocking facade they run on the threads that transfer (the caller, or the
 *       part upload threads); on the async facade on the transport's I/O threads, or on the
 *       client's virtual threads for a download checked with a digest, and a stage a callback
 *       returns is waited for: a callback must not block. A callback that throws fails (and
 *       aborts) the transfer.
 *   <li><b>Threads</b>: the blocking facade uses the caller's thread, plus, during a multipart
 *       upload, up to {@code concurrency} virtual threads for its lanes, one per part in flight
 *       and one for its abort. The async facade never blocks its caller; reads of a file or
 *       stream to upload, a download's body when it is checked with a digest (MD5, SHA) or
 *       CRC64NVME, and a stream's subscriber after a wait run on its virtual threads ({@code
 *       ambidex-blob-N}), not on the transport's I/O threads. A body checked with CRC32, CRC32C
 *       or nothing, or of at most 64 KiB, is copied, checked and written to its file on the I/O
 *       thread: that costs less per chunk than the hand-off.
 * </ul>
 */
@AsyncCore(
    blocking = "BlobClient",
    async = "AsyncBlobClient",
    reactor = "ReactorBlobClient",
    rxjava3 = "Rx3BlobClient",
    mutiny = "MutinyBlobClient")
final class BlobCore implements AsyncCloseable {
  private static final Duration ABORT_TIMEOUT = Duration.ofSeconds(60);
  private static final long CLEANUP_WAIT_SECONDS = 30; // an abort may first wait 10 s for parts in doubt
  private static final int ABORT_ROUNDS = 4;
  private static final Duration ABORT_RECHECK_DELAY = Duration.ofMillis(100);
  /* The longest an abort waits for the responses of parts in doubt (PartExchanges). */
  private static final Duration IN_DOUBT_WAIT = Duration.ofSeconds(10);

  /*
   * The abort is cleanup whose failure leaves billable parts behind, so it has attempts of its own
   * whatever the configured policy (which may be none): a pooled connection that the peer closed
   * while the parts failed is the usual reason a first attempt fails. The request client's own
   * policy still applies inside each attempt.
   */
  private static final RetryPolicy ABORT_ATTEMPTS =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(50))
          .maxDelay(Duration.ofMillis(500))
          .build();
  private static final long MAX_XML = 16 * 1024 * 1024;

  /*
   * The largest range of a stream read in ranges (ARCHITECTURE.md, choice 261): the reader takes
   * each as it fills, block by block, so an open stream holds at most `concurrency` ranges' worth.
   */
  private static final long STREAM_RANGE = 8L * 1024 * 1024;
  private static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final java.util.Base64.Encoder BASE64 = java.util.Base64.getEncoder();
  private static final String CHECKSUM_MODE = "x-amz-checksum-mode";

  private final BlobConfig config;
  private final CoreRuntime runtime;
  private final RequestClient http;
  /* Set once a service refused x-amz-checksum-mode itself (sendAskingChecksum); never unset. */
  private volatile boolean checksumModeRefused;
  /*
   * The async client's virtual threads for work that must not hold a transport I/O thread:
   * reading a file or stream to upload, reading a download's body checked with a digest (see
   * readBody), and a stream's reader after a wait. Null on the blocking client, whose transport
   * reads and writes on the caller's thread.
   */
  private final @Nullable ExecutorService offload;
  private final boolean signPayload;
  /*
   * Set once the service answered HEAD ?partNumber with 501 Not Implemented (S3Proxy): a statement
   * about the service, not the object, so the parts of composites are not asked for again.
   */
  private volatile boolean partNumbersRefused;
  /*
   * The transfers in progress, with their cleanups: a download's temporary file, deleted or moved
   * into place when the transfer ends; a multipart upload, until it is completed or aborted. A
   * cancelled future of the async facade completes at once, before that has run; close() waits
   * for them (bounded), so that a program that closes the client and exits right after
   * cancelling leaves no temporary file and no upload behind. A download or stream upload is
   * registered when it is called, not when its first response or part arrives, so that a close
   * starting in between still waits for it.
   */
  private final InFlight inFlight = new InFlight();
  /*
   * The buffers in which a ranged download to a file gathers each range's chunks (RangeFile): one
   * MiB each, one per range in flight, at most 4 * `concurrency` in use at once and `concurrency`
   * kept between downloads (see RangeFile).
   */
  private final BufferPool rangeBuffers;
  /*
   * Set when close() starts: from then on every operation fails at the call (checkOpen), and a
   * stream or listing returned before fails its next pull (whileOpen), instead of whatever the
   * transport and the runtime would have said once closed (their messages name internals:
   * RequestClient.send, SyncRuntime.shielded, SyncRuntime.fork), or working (presign). Transfers
   * already running go on: close() waits for them.
   */
  private volatile boolean closed;

  private BlobCore(
      BlobConfig config,
      HttpTransport transport,
      CoreRuntime runtime,
      @Nullable ExecutorService offload) {
    this.config = config;
    this.runtime = runtime;
    this.offload = offload;
    this.rangeBuffers =
        new BufferPool(
            RangeFile.BUFFER, RangeFile.IN_USE * config.concurrency(), config.concurrency());
    PayloadSigning signing = config.payloadSigning().forScheme(config.endpoint().getScheme());
    this.signPayload = signing == PayloadSigning.SIGNED;
    Signer signer = new Signer(config.credentials(), config.region(), signing);
    Errors errors = new Errors(config.endpoint());
    RequestClient.Builder b =
        RequestClient.builder(transport, runtime)
            .retryPolicy(config.retryPolicy())
            .userAgent("ambidex-blob")
            .interceptor(RequestInterceptor.of(signer::sign))
            .errorMapper(errors::map);
    if (config.requestTimeout() != null) {
      b.timeout(config.requestTimeout());
    }
    this.http = b.build();
  }

  /**
   * Creates a blocking client: every call runs on the calling thread (a multipart upload also on
   * up to {@code concurrency} virtual threads) and returns when it is done. Close it to release
   * its connections.
   *
   * @param config the endpoint, credentials and transfer settings
   */
  @BlockingFactory
  static BlobCore blocking(BlobConfig config) {
    Objects.requireNonNull(config, "config");
    SyncHttpTransport.Builder transport =
        SyncHttpTransport.builder()
            .connectTimeout(config.connectTimeout())
            .readTimeout(config.readTimeout())
            .maxConnections(config.maxConnections());
    if (config.sslContext() != null) {
      transport.sslContext(config.sslContext());
    }
    return new BlobCore(config, transport.build(), SyncRuntime.create(), null);
  }

  /**
   * Creates an async client: calls return a future at once and never block the caller; I/O runs
   * on the client's I/O threads, which also complete the futures. Close it to stop them.
   *
   * @param config the endpoint, credentials and transfer settings
   */
  @AsyncFactory
  static BlobCore async(BlobConfig config) {
    Objects.requireNonNull(config, "config");
    AsyncHttpTransport.Builder transport =
        AsyncHttpTransport.builder()
            .connectTimeout(config.connectTimeout())
            .readTimeout(config.readTimeout())
            .maxConnections(config.maxConnections());
    if (config.sslContext() != null) {
      transport.sslContext(config.sslContext());
    }
    ExecutorService offload =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ambidex-blob-", 0).factory());
    return new BlobCore(config, transport.build(), AsyncRuntime.create(), offload);
  }

  // ---- buckets ----

  /**
   * Creates a bucket in the configured region.
   *
   * @param bucket the bucket's name
   * @return a stage that completes when the bucket exists
   * @throws IllegalArgumentException if the name breaks the S3 naming rules
   */
  public CompletionStage<Void> createBucket(String bucket) {
    checkOpen();
    Validate.bucket(bucket);
    RequestBody body =
        config.region().equals("us-east-1")
            ? RequestBody.empty()
            : RequestBody.of(
                "<CreateBucketConfiguration xmlns=\"" + S3_NS + "\"><LocationConstraint>"
                    + config.region() + "</LocationConstraint></CreateBucketConfiguration>");
    return http.send(request(bucket, null).PUT(body).build(), BlobCore::discard);
  }

  /**
   * Deletes an empty bucket.
   *
   * @param bucket the bucket's name
   * @return a stage that completes when the bucket is gone; it fails with {@link
   *     BucketNotEmptyException} if objects remain, {@link NoSuchBucketException} if there is no
   *     such bucket
   * @throws IllegalArgumentException if the name breaks the S3 naming rules
   */
  public CompletionStage<Void> deleteBucket(String bucket) {
    checkOpen();
    Validate.bucket(bucket);
    return http.send(request(bucket, null).DELETE().build(), BlobCore::discard);
  }

  // ---- uploads ----

  /**
   * Uploads bytes, in one request up to the multipart threshold, in parts above it.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param data the bytes; not copied, so do not change them until the stage completes
   * @return a stage that completes with what was stored
   */
  public CompletionStage<PutResult> put(String bucket, String key, byte[] data) {
    return put(bucket, key, data, null);
  }

  /**
   * Uploads bytes, in one request up to the multipart threshold, in parts above it, reporting
   * progress.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param data the bytes; not copied, so do not change them until the stage completes
   * @param progress receives the progress of the upload, or null
   * @return a stage that completes with what was stored
   */
  public CompletionStage<PutResult> put(
      String bucket,
      String key,
      byte[] data,
      @Nullable AsyncCallback<TransferProgress> progress) {
    return put(bucket, key, data, PutOptions.defaults(), progress);
  }

  /**
   * Uploads bytes with a content type, other object headers and user metadata, in one request up
   * to the multipart threshold, in parts above it, reporting progress. The options go on the PUT
   * or on the {@code CreateMultipartUpload}, not on the parts.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param data the bytes; not copied, so do not change them until the stage completes
   * @param options what to store beside the bytes; {@link PutOptions#defaults()} for nothing
   * @param progress receives the progress of the upload, or null
   * @return a stage that completes with what was stored
   */
  public CompletionStage<PutResult> put(
      String bucket,
      String key,
      byte[] data,
      PutOptions options,
      @Nullable AsyncCallback<TransferProgress> progress) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    long size = data.length;
    ProgressTracker tracker =
        new ProgressTracker(runtime, progress, TransferProgress.Direction.UPLOAD, size);
    if (size <= config.multipartThreshold()) {
      return single(
          bucket,
          key,
          PartSource.ofBytes(data, Math.max(1, size), signPayload, checksumOf(options)),
          options,
          tracker);
    }
    return trackedMultipart(
        bucket,
        key,
        PartSource.ofBytes(data, config.partSize(), signPayload, checksumOf(options)),
        options,
        tracker);
  }

  /**
   * Uploads a file, in one request up to the multipart threshold, in parts above it. Parts are
   * sent from the file; the file must not change during the upload.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param file a readable regular file
   * @return a stage that completes with what was stored
   * @throws IllegalArgumentException if the file does not exist or cannot be read
   */
  public CompletionStage<PutResult> put(String bucket, String key, Path file) {
    return put(bucket, key, file, null);
  }

  /**
   * Uploads a file, in one request up to the multipart threshold, in parts above it, reporting
   * progress. Parts are sent from the file; the file must not change during the upload.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param file a readable regular file
   * @param progress receives the progress of the upload, or null
   * @return a stage that completes with what was stored
   * @throws IllegalArgumentException if the file does not exist or cannot be read
   */
  public CompletionStage<PutResult> put(
      String bucket, String key, Path file, @Nullable AsyncCallback<TransferProgress> progress) {
    return put(bucket, key, file, PutOptions.defaults(), progress);
  }

  /**
   * Uploads a file with a content type, other object headers and user metadata, in one request up
   * to the multipart threshold, in parts above it, reporting progress. The options go on the PUT
   * or on the {@code CreateMultipartUpload}, not on the parts; nothing is guessed from the file's
   * name (set the content type yourself, e.g. from {@code Files.probeContentType}). Parts are sent
   * from the file; the file must not change during the upload.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param file a readable regular file
   * @param options what to store beside the bytes; {@link PutOptions#defaults()} for nothing
   * @param progress receives the progress of the upload, or null
   * @return a stage that completes with what was stored
   * @throws IllegalArgumentException if the file does not exist or cannot be read
   */
  public CompletionStage<PutResult> put(
      String bucket,
      String key,
      Path file,
      PutOptions options,
      @Nullable AsyncCallback<TransferProgress> progress) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(options, "options");
    long size = Validate.readableFile(file);
    ProgressTracker tracker =
        new ProgressTracker(runtime, progress, TransferProgress.Direction.UPLOAD, size);
    if (size <= config.multipartThreshold()) {
      return single(
          bucket,
          key,
          PartSource.ofFile(
              file, size, Math.max(1, size), signPayload, checksumOf(options), offload),
          options,
          tracker);
    }
    return trackedMultipart(
        bucket,
        key,
        PartSource.ofFile(
            file, size, config.partSize(), signPayload, checksumOf(options), offload),
        options,
        tracker);
  }

  /**
   * Uploads a stream of unknown length, read to its end (not closed: the caller closes it). It is
   * read one part at a time; if it ends within the first part (and the multipart threshold), it is
   * sent in one request, otherwise as a multipart upload. Memory: at most {@code partSize *
   * concurrency} bytes are buffered.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param in the stream
   * @return a stage that completes with what was stored
   */
  public CompletionStage<PutResult> put(String bucket, String key, InputStream in) {
    return put(bucket, key, in, null);
  }

  /**
   * Uploads a stream of unknown length, reporting progress (with {@code total} -1 until the end).
   * The stream is read to its end and not closed. It is read one part at a time; if it ends within
   * the first part (and the multipart threshold), it is sent in one request, otherwise as a
   * multipart upload. Memory: at most {@code partSize * concurrency} bytes are buffered.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param in the stream
   * @param progress receives the progress of the upload, or null
   * @return a stage that completes with what was stored
   */
  public CompletionStage<PutResult> put(
      String bucket,
      String key,
      InputStream in,
      @Nullable AsyncCallback<TransferProgress> progress) {
    return put(bucket, key, in, PutOptions.defaults(), progress);
  }

  /**
   * Uploads a stream of unknown length with a content type, other object headers and user
   * metadata, reporting progress (with {@code total} -1 until the end). The options go on the PUT
   * or on the {@code CreateMultipartUpload}, not on the parts. The stream is read to its end and
   * not closed; if it ends within the first part (and the multipart threshold), it is sent in one
   * request, otherwise as a multipart upload. Memory: at most {@code partSize * concurrency} bytes
   * are buffered. Cancelling the upload (or interrupting the blocking call) interrupts a read of
   * the stream in progress.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param in the stream
   * @param options what to store beside the bytes; {@link PutOptions#defaults()} for nothing
   * @param progress receives the progress of the upload, or null
   * @return a stage that completes with what was stored
   */
  public CompletionStage<PutResult> put(
      String bucket,
      String key,
      InputStream in,
      PutOptions options,
      @Nullable AsyncCallback<TransferProgress> progress) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(options, "options");
    PartSource.StreamSource source =
        PartSource.ofStream(
            in, config.partSize(), signPayload, checksumOf(options), offload);
    ProgressTracker tracker =
        new ProgressTracker(runtime, progress, TransferProgress.Direction.UPLOAD, -1);
    InFlight.Transfer transfer = inFlight.begin();
    CompletionStage<PutResult> result;
    try {
      result =
          Chains.then(
              source.first(),
              first -> {
                long size = source.size();
                if (size >= 0 && size <= config.multipartThreshold()) {
                  tracker.total(size);
                  return single(bucket, key, source, options, tracker);
                }
                CompletableFuture<Void> settled = transfer.join();
                return settled == null
                    ? Chains.failed(cancelledBefore("PUT " + what(bucket, key)))
                    : multipart(bucket, key, source, options, tracker, settled);
              });
    } catch (RuntimeException | Error e) {
      transfer.end();
      throw e;
    }
    return transfer.endWith("BlobCore.put", result);
  }

  /* The checksum an upload carries: its options', else the client's. */
  private ChecksumAlgorithm checksumOf(PutOptions options) {
    ChecksumAlgorithm own = options.checksum();
    return own != null ? own : config.checksum();
  }

  /* What a phase returns when its transfer was cancelled before it began; nobody sees it. */
  private static CancellationException cancelledBefore(String what) {
    return new CancellationException(what + " was cancelled");
  }

  private CompletionStage<PutResult> single(
      String bucket, String key, PartSource source, PutOptions options, ProgressTracker tracker) {
    return Chains.then(
        source.next(),
        part -> {
          Part p = Objects.requireNonNull(part, "part");
          HttpRequest put =
              withOptions(withDigests(request(bucket, key).PUT(p.body()), p), options)
                  .onProgress(tracker.forPart(1))
                  .build();
          return Chains.then(
              http.send(put, r -> uploaded(r, p, "PUT " + what(bucket, key))),
              etag ->
                  Chains.then(
                      tracker.finish(p.length()),
                      done -> Chains.done(new PutResult(key, etag, p.length(), 0))));
        });
  }

  /*
   * The multipart upload: create, then `concurrency` lanes that each take the next part from the
   * source and upload it until the source is empty (one mapConcurrently call site for every
   * source and both runtimes), then complete. Any failure, and cancellation, aborts the upload
   * after the lanes have stopped and the parts in doubt have been answered (PartExchanges: a part
   * whose body was sent in full is not cut, since the service may store it anyway). The create
   * itself is not cancelled, nor cut short by an interrupt (it runs shielded): its upload id is
   * needed to abort.
   */
  /*
   * A multipart upload that is a transfer of its own (its size was known up front): close() waits
   * for it, and so does the settled() of the future its caller gets.
   */
  private CompletionStage<PutResult> trackedMultipart(
      String bucket, String key, PartSource source, PutOptions options, ProgressTracker tracker) {
    CompletableFuture<Void> phase = inFlight.track();
    return CallFuture.settlingWith(
        "BlobCore.put", multipart(bucket, key, source, options, tracker, phase), phase);
  }

  private CompletionStage<PutResult> multipart(
      String bucket,
      String key,
      PartSource source,
      PutOptions options,
      ProgressTracker tracker,
      CompletableFuture<Void> settled) {
    MultipartUpload upload = new MultipartUpload(bucket, key, source, options, tracker, settled);
    upload.start();
    return upload;
  }

  /** A part that is stored: its number, ETag, length and checksum (the MD5 for MD5). */
  private record StoredPart(int number, String etag, long length, byte[] checksum) {}

  /** One multipart upload in progress; cancelling it cancels the parts in flight, then aborts. */
  private final class MultipartUpload extends CompletableFuture<PutResult> {
    private final String bucket;
    private final String key;
    private final PartSource source;
    private final PutOptions options;
    private final ProgressTracker tracker;
    private final List<StoredPart> stored = Collections.synchronizedList(new ArrayList<>());
    private volatile @Nullable Future<?> running;
    private final PartExchanges exchanges;
    /* Completed once nothing of this upload runs any more (its abort included): close() waits. */
    private final CompletableFuture<Void> settled;

    MultipartUpload(
        String bucket,
        String key,
        PartSource source,
        PutOptions options,
        ProgressTracker tracker,
        CompletableFuture<Void> settled) {
      this.settled = settled;
      this.bucket = bucket;
      this.key = key;
      this.source = source;
      this.options = options;
      this.tracker = tracker;
      this.exchanges = new PartExchanges(runtime, "PUT " + what(bucket, key));
    }

    void start() {
      HttpRequest.Builder createBuilder =
          withOptions(request(bucket, key).query("uploads", null).POST(RequestBody.empty()), options)
              .setHeader(DownloadVerifier.PART_SIZE_HEADER, Long.toString(source.partSize()));
      ChecksumAlgorithm algorithm = source.algorithm();
      if (algorithm.flexible()) {
        createBuilder
            .setHeader("x-amz-checksum-algorithm", algorithm.name())
            .setHeader("x-amz-checksum-type", algorithm.fullObject() ? "FULL_OBJECT" : "COMPOSITE");
      }
      HttpRequest create = createBuilder.build();
      CompletionStage<byte[]> created;
      try {
        // Shielded: once the server may have created the upload, only its id lets us abort it,
        // so an interrupt of a blocking caller must not cut the create short (it is noticed
        // right after, and the upload is aborted).
        created = runtime.shielded(what(bucket, key) + " (create multipart upload)",
            () -> http.send(create, BlobCore::xml));
      } catch (RuntimeException e) {
        completeExceptionally(e);
        settled.complete(null);
        return;
      }
      created.whenComplete(
          (xml, failure) -> {
            if (failure != null) {
              completeExceptionally(Chains.unwrap(failure));
              settled.complete(null);
              return;
            }
            String id;
            try {
              id = S3Xml.firstText(xml, "UploadId");
            } catch (RuntimeException e) {
              completeExceptionally(e);
              settled.complete(null);
              return;
            }
            if (id == null || id.isBlank()) {
              completeExceptionally(
                  new HttpProtocolException(
                      "The server answered " + create.method() + " " + create.uri()
                          + " without an UploadId.",
                      new java.io.IOException("no UploadId in the InitiateMultipartUploadResult")));
              settled.complete(null);
              return;
            }
            run(id);
          });
    }

    private void run(String id) {
      if (isDone()) {
        abort(id).whenComplete((ignored, e) -> settled.complete(null)); // cancelled while creating
        return;
      }
      CompletableFuture<PutResult> body;
      try {
        body = Chains.then(uploadParts(id), parts -> complete(id, parts));
      } catch (RuntimeException e) {
        body = Chains.failed(e);
      }
      running = body;
      if (isDone()) {
        body.cancel(true);
      }
      body.whenComplete(
          (result, failure) -> {
            running = null;
            if (failure == null) {
              Chains.then(tracker.finish(result.size()), ignored -> Chains.done(result))
                  .whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          completeExceptionally(Chains.unwrap(e));
                        } else {
                          complete(r);
                        }
                        settled.complete(null);
                      });
              return;
            }
            Throwable f = Chains.unwrap(failure);
            abort(id)
                .whenComplete(
                    (ignored, abortFailure) -> {
                      if (abortFailure != null && Chains.unwrap(abortFailure) != f) {
                        f.addSuppressed(Chains.unwrap(abortFailure));
                      }
                      completeExceptionally(f);
                      settled.complete(null);
                    });
          });
    }

    private CompletionStage<List<StoredPart>> uploadParts(String id) {
      int known = source.partCount();
      int lanes = known > 0 ? Math.min(config.concurrency(), known) : config.concurrency();
      List<Integer> laneIds = IntStream.range(0, lanes).boxed().toList();
      return Chains.then(
          runtime.mapConcurrently(laneIds, lanes, lane -> lane(id)),
          ignored -> {
            List<StoredPart> parts;
            synchronized (stored) {
              parts = new ArrayList<>(stored);
            }
            parts.sort(Comparator.comparingInt(StoredPart::number));
            for (int i = 0; i < parts.size(); i++) {
              if (parts.get(i).number() != i + 1) {
                throw new IllegalStateException(
                    "Part " + (i + 1) + " of " + what(bucket, key) + " is missing: " + parts);
              }
            }
            return Chains.done(parts);
          });
    }

    /** One lane: takes the next part and uploads it, until the source is empty. */
    private CompletionStage<Boolean> lane(String id) {
      return Async.loop(
          Boolean.TRUE,
          more -> more,
          more ->
              Chains.then(
                  source.next(),
                  part -> {
                    if (part == null) {
                      return Chains.done(Boolean.FALSE);
                    }
                    return Chains.then(
                        uploadPart(id, part),
                        etag -> {
                          stored.add(
                              new StoredPart(
                                  part.number(), etag, part.length(), part.digests().checksum()));
                          source.recycle(part); // stored: no request reads its body any more
                          return Chains.done(Boolean.TRUE);
                        });
                  }));
    }

    private CompletionStage<String> uploadPart(String id, Part part) {
      PartExchanges.Gate gate = exchanges.gate(part.length());
      HttpRequest put =
          withDigests(
                  request(bucket, key)
                      .query("partNumber", Integer.toString(part.number()))
                      .query("uploadId", id)
                      .PUT(part.body()),
                  part)
              .onProgress(gate.listener(tracker.forPart(part.number())))
              .build();
      return exchanges.send(
          gate, () -> http.send(put, r -> uploaded(r, part, "PUT " + what(bucket, key))));
    }

    private CompletionStage<PutResult> complete(String id, List<StoredPart> parts) {
      List<String> etags = parts.stream().map(StoredPart::etag).toList();
      ChecksumAlgorithm algorithm = source.algorithm();
      List<String> sums =
          algorithm.flexible()
              ? parts.stream().map(p -> BASE64.encodeToString(p.checksum())).toList()
              : null;
      byte[] body = S3Xml.completeMultipartUpload(etags, algorithm, sums);
      HttpRequest.Builder b =
          request(bucket, key)
              .query("uploadId", id)
              .POST(RequestBody.of(body))
              .setHeader("Content-MD5", Digests.md5Base64(body, 0, body.length));
      String whole = algorithm.flexible() ? expectedChecksum(algorithm, parts) : null;
      if (whole != null && algorithm.fullObject()) {
        b.setHeader(algorithm.header(), whole).setHeader("x-amz-checksum-type", "FULL_OBJECT");
      }
      HttpRequest post = b.build();
      return http.send(
          post,
          r ->
              xml(r)
                  .thenApply(
                      bytes -> {
                        // CompleteMultipartUpload may fail after a 200 status, in the body.
                        String stored = etagOfSuccess(post, r, bytes);
                        if (whole != null) {
                          checkCompleted(algorithm, whole, r.headers(), bytes);
                        } else {
                          checkComposite(stored, parts, r.headers());
                        }
                        return new PutResult(key, stored, source.size(), parts.size());
                      }));
    }

    /*
     * A multipart ETag is the MD5 of the parts' MD5s, "-N": if the service says so, it must match
     * the parts sent, or it assembled something else. (The object then exists: it is reported,
     * not aborted.)
     */
    private void checkComposite(String etag, List<StoredPart> parts, HttpHeaders headers) {
      if (!etag.matches("[0-9a-fA-F]{32}-[0-9]+") || !DownloadVerifier.etagIsChecksum(headers)) {
        return;
      }
      java.security.MessageDigest md5 = Digests.newMd5();
      for (StoredPart part : parts) {
        md5.update(part.checksum());
      }
      String expected = java.util.HexFormat.of().formatHex(md5.digest()) + "-" + parts.size();
      if (!expected.equalsIgnoreCase(etag)) {
        throw new BlobIntegrityException(
            what(bucket, key) + " was completed with ETag " + etag + ", but the " + parts.size()
                + " parts sent give " + expected + ": the service assembled something else.",
            expected,
            etag);
      }
    }

    /*
     * The completed object's flexible checksum as this client computes it from the parts: for a
     * CRC the CRC of the whole object, combined from the parts' CRCs in order (FULL_OBJECT); for a
     * SHA the SHA of the parts' SHAs, "-N" (COMPOSITE).
     */
    private static String expectedChecksum(ChecksumAlgorithm algorithm, List<StoredPart> parts) {
      if (algorithm.fullObject()) {
        byte[] crc = parts.get(0).checksum();
        for (int i = 1; i < parts.size(); i++) {
          StoredPart p = parts.get(i);
          crc = Hasher.combine(algorithm, crc, p.checksum(), p.length());
        }
        return BASE64.encodeToString(crc);
      }
      Hasher h = Hasher.of(algorithm);
      for (StoredPart p : parts) {
        h.update(p.checksum(), 0, p.checksum().length);
      }
      return BASE64.encodeToString(h.digest()) + "-" + parts.size();
    }

    /*
     * If the service says which checksum the completed object has (AWS does, in the result
     * document), it must be the one of the parts sent, or it assembled something else. (The
     * object then exists: it is reported, not aborted.)
     */
    private void checkCompleted(
        ChecksumAlgorithm algorithm, String expected, HttpHeaders headers, byte[] body) {
      String element = "Checksum" + algorithm.name();
      String reported = S3Xml.firstText(body, element);
      if (reported == null) {
        reported = headers.firstValue(algorithm.header()).orElse(null);
      }
      if (reported == null || reported.isBlank() || reported.strip().equals(expected)) {
        return;
      }
      throw new BlobIntegrityException(
          what(bucket, key) + " was completed with " + algorithm + " checksum " + reported.strip()
              + ", but the " + algorithm + " of the parts sent is " + expected
              + ": the service assembled something else.",
          expected,
          reported.strip());
    }

    /*
     * First waits, at most IN_DOUBT_WAIT, for the part exchanges whose body was sent in full before
     * the cancellation (they were left to run: the service may store such a part whatever happens
     * to the connection, and a part stored after the abort is listed by nothing), cutting any
     * still running (PartExchanges.settle). Then aborts the upload, and makes sure it is gone. A
     * part whose request was cancelled may still
     * be stored by the service after the abort (S3's documentation says so: "it might be necessary
     * to abort a given multipart upload multiple times"), which leaves the upload, or its parts,
     * behind. So after each abort, ListParts: NoSuchUpload means done; a listing means abort
     * again, a little later, up to ABORT_ROUNDS times. A ListParts the service refuses (not
     * implemented, not permitted) ends the check: the abort itself succeeded.
     *
     * The whole of it runs shielded: on the blocking path the caller may have been interrupted
     * during the parts, and its interruptible sockets would refuse the requests. Clearing the
     * caller's flag for them was not enough (an interrupt still being delivered closes the socket
     * the caller is blocked in after its flag was cleared: the AbortTest flake), so the sync
     * runtime runs them on a thread of their own while the caller waits, its flag kept.
     */
    private CompletionStage<Void> abort(String id) {
      try {
        return runtime.shielded(
            "abort " + what(bucket, key),
            () -> Chains.then(exchanges.settle(IN_DOUBT_WAIT), ignored -> abortRounds(id)));
      } catch (RuntimeException e) {
        return Chains.failed(e);
      }
    }

    private CompletionStage<Void> abortRounds(String id) {
      return Async.retry(
          (round, failure) ->
              failure instanceof UploadStillThere && round < ABORT_ROUNDS
                  ? ABORT_RECHECK_DELAY.multipliedBy(round)
                  : null,
          runtime,
          () -> Async.then(abortOnce(id), ignored -> confirmGone(id)));
    }

    private CompletionStage<Void> abortOnce(String id) {
      HttpRequest delete =
          request(bucket, key).query("uploadId", id).DELETE().timeout(ABORT_TIMEOUT).build();
      return absentIsDone(
          Async.retry(ABORT_ATTEMPTS, runtime, () -> http.send(delete, BlobCore::discard)));
    }

    /* Fails with UploadStillThere if ListParts still lists a part of the upload. */
    private CompletionStage<Void> confirmGone(String id) {
      HttpRequest listParts =
          request(bucket, key)
              .query("uploadId", id)
              .query("max-parts", "1")
              .GET()
              .timeout(ABORT_TIMEOUT)
              .build();
      CompletableFuture<Void> gone = new CompletableFuture<>();
      http.send(listParts, BlobCore::xml)
          .whenComplete(
              (listing, failure) -> {
                Throwable f = failure == null ? null : Chains.unwrap(failure);
                if (f == null) {
                  if (S3Xml.firstText(listing, "PartNumber") == null) {
                    gone.complete(null); // some services answer an empty listing, not 404
                  } else {
                    gone.completeExceptionally(new UploadStillThere(what(bucket, key), id));
                  }
                } else if (f instanceof CancellationException) {
                  gone.completeExceptionally(f);
                } else {
                  gone.complete(null); // NoSuchUpload, or a check the service does not allow
                }
              });
      return gone;
    }

    private static CompletionStage<Void> absentIsDone(CompletionStage<Void> sent) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      sent.whenComplete(
          (ignored, failure) -> {
            Throwable f = failure == null ? null : Chains.unwrap(failure);
            if (f == null || (f instanceof BlobException b && b.code().equals("NoSuchUpload"))) {
              done.complete(null);
            } else {
              done.completeExceptionally(f);
            }
          });
      return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Future<?> r = running;
      if (cancelled && r != null) {
        r.cancel(true);
      }
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }

    @Override
    public String toString() {
      return "MultipartUpload[" + what(bucket, key) + ", " + stored.size() + " parts stored, "
          + super.toString() + "]";
    }
  }

  // ---- downloads ----

  /**
   * Downloads a whole object into memory, checked against its checksum (else its ETag). An object
   * larger than the multipart threshold is fetched as {@link #download} fetches it: ranged GETs
   * of {@code partSize} bytes (the object's own parts when known), {@code concurrency} at a time,
   * each retried on its own and guarded by {@code If-Match} on the ETag, each copied to its place
   * in the one array returned. An object whose response carries no ETag cannot be guarded, so its
   * first GET serves it whole.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @return a stage that completes with the object's bytes; it fails with {@link
   *     NoSuchKeyException} if there is no such object, {@link BlobIntegrityException} if the
   *     bytes do not match its checksum or ETag
   */
  public CompletionStage<byte[]> get(String bucket, String key) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    return getBytes(bucket, key, null);
  }

  /**
   * Downloads a range of an object into memory. Ranges are not checked against the ETag (it
   * covers the whole object); their length is.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param range the bytes wanted
   * @return a stage that completes with the bytes of the range; it fails with {@link
   *     InvalidRangeException} if the range starts beyond the end of the object
   */
  public CompletionStage<byte[]> get(String bucket, String key, ByteRange range) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(range, "range");
    return getBytes(bucket, key, range);
  }

  private CompletionStage<byte[]> getBytes(String bucket, String key, @Nullable ByteRange range) {
    HttpRequest.Builder get = request(bucket, key).GET();
    if (range != null) {
      get.setHeader("Range", range.header());
    } else {
      withChecksumMode(get);
    }
    String what = what(bucket, key);
    // As download(): a whole object above the multipart threshold is fetched again in ranges.
    CompletionStage<Object> first =
        sendAskingChecksum(
            get.build(),
            r -> {
              long length = r.body().contentLength();
              if (length > MAX_ARRAY) {
                r.close();
                throw new IllegalArgumentException(
                    what + " has " + length
                        + " bytes, too many for an array; use download or open.");
              }
              if (range == null
                  && length > config.multipartThreshold()
                  && DownloadStream.guarded(r.headers())) {
                HttpHeaders headers = r.headers();
                r.close();
                return Chains.<Object>done(new Ranged(headers, length));
              }
              DownloadVerifier verifier = DownloadVerifier.of(what, r.headers(), range != null);
              // A composite of parts to learn: checked once the body is in (its connection back
              // in the pool, so that the HEADs never wait for the connection this GET holds).
              return Chains.<byte[], Object>then(
                  readAll(r, length, verifier, what),
                  data ->
                      Chains.then(
                          withLearntParts(verifier, bucket, key, data.length),
                          learnt -> {
                            if (learnt != null) {
                              learnt.update(ByteBuffer.wrap(data));
                              learnt.finish();
                            }
                            return Chains.<Object>done(data);
                          }));
            });
    return Chains.then(
        first,
        result -> {
          if (result instanceof Ranged ranged) {
            ProgressTracker none =
                new ProgressTracker(runtime, null, TransferProgress.Direction.DOWNLOAD, -1);
            return new RangedDownload(bucket, key, none, ranged.headers(), ranged.size()).toArray();
          }
          return Chains.done((byte[]) result);
        });
  }

  /* A body read into memory in place, on the thread it arrived on: at most one read's worth. */
  private static final long SMALL_BODY = 64 * 1024;

  /*
   * Hands a response's body to `reader`. On the async client, unless `inPlace`, the reader starts
   * on the offload executor (Async.startOn: the response arrived on a transport I/O thread) and,
   * after every wait for the transport, goes on there (AsyncIterators.resumeOn), so a digest of
   * its bytes, and the progress callbacks it triggers, do not hold an I/O thread, which serves
   * every other exchange on its connections. In place on the blocking client, whose transport
   * reads on the caller's thread, and when `inPlace`: a copy and a CRC the JDK computes with the
   * CPU's own instructions cost less per 64 KiB chunk than a hand-off (choice 160: handed off, a
   * 256 MiB get into memory used 100 ms more CPU).
   */
  private <T extends @Nullable Object> CompletionStage<T> readBody(
      HttpResponse r,
      boolean inPlace,
      Function<AsyncIterator<ByteBuffer>, ? extends CompletionStage<T>> reader) {
    ExecutorService executor = offload;
    if (executor == null || inPlace) {
      return reader.apply(r.body().chunks());
    }
    AsyncIterator<ByteBuffer> chunks = AsyncIterators.resumeOn(r.body().chunks(), executor);
    CompletableFuture<T> read = Async.startOn(executor, () -> reader.apply(chunks));
    read.whenComplete(
        (v, e) -> {
          if (e != null && Chains.unwrap(e) instanceof RejectedExecutionException) {
            r.close(); // the client is closing, and the reader that owned the body never ran
          }
        });
    return read;
  }

  /*
   * True if a body checked with `algorithm` is cheap enough per chunk to be read on the thread it
   * arrives on: no checksum, CRC32 or CRC32C (intrinsics, gigabytes per second). A digest (MD5,
   * SHA) and our table-driven CRC64NVME are not: 60-150 microseconds per 64 KiB chunk.
   */
  private static boolean cheapPerChunk(@Nullable ChecksumAlgorithm algorithm) {
    return algorithm == null
        || algorithm == ChecksumAlgorithm.CRC32
        || algorithm == ChecksumAlgorithm.CRC32C;
  }

  /* The largest array a JVM allocates, with room for its header. */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

  /*
   * Reads a body into one array: of the Content-Length when there is one (each chunk copied once,
   * straight to its place), else grown as the chunks come.
   */
  private CompletionStage<byte[]> readAll(
      HttpResponse r, long length, DownloadVerifier verifier, String what) {
    boolean inPlace =
        (length >= 0 && length <= SMALL_BODY) || cheapPerChunk(verifier.algorithm());
    return readBody(r, inPlace, chunks -> readAll(chunks, length, verifier, what));
  }

  private static CompletionStage<byte[]> readAll(
      AsyncIterator<ByteBuffer> chunks, long length, DownloadVerifier verifier, String what) {
    if (length < 0) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      return Chains.then(
          AsyncIterators.forEach(
              chunks,
              chunk -> {
                verifier.update(chunk);
                if (chunk.hasArray()) {
                  out.write(
                      chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
                } else {
                  byte[] b = new byte[chunk.remaining()];
                  chunk.get(b);
                  out.writeBytes(b);
                }
              }),
          ignored -> {
            verifier.finish();
            return Chains.done(out.toByteArray());
          });
    }
    return fill(chunks, (int) length, verifier, what, what);
  }

  /*
   * Reads a body of a known length into one array, each chunk copied once to its place, through
   * the verifier if there is one. "of" names the body inside a sentence, "name" at its start.
   */
  private static CompletionStage<byte[]> fill(
      AsyncIterator<ByteBuffer> chunks,
      int length,
      @Nullable DownloadVerifier verifier,
      String of,
      String name) {
    byte[] data = new byte[length];
    int[] at = {0};
    return Chains.then(
        AsyncIterators.forEach(
            chunks,
            chunk -> {
              int n = chunk.remaining();
              if (n > length - at[0]) {
                throw new IllegalStateException(
                    "The server sent more than the " + length + " bytes of " + of + ".");
              }
              if (verifier != null) {
                verifier.update(chunk);
              }
              chunk.get(data, at[0], n);
              at[0] += n;
            }),
        ignored -> {
          if (at[0] != length) {
            throw endedEarly(name, at[0], length);
          }
          if (verifier != null) {
            verifier.finish();
          }
          return Chains.done(data);
        });
  }

  /**
   * Downloads a whole object to a file, checked against its checksum (else its ETag). The bytes
   * are written to a temporary file next to {@code target}, which replaces {@code target} only
   * once every byte has arrived and matched: on failure {@code target} is left as it was. An
   * object larger than the multipart threshold is fetched as ranged GETs of {@code partSize} bytes
   * (the object's own parts when known), {@code concurrency} at a time, each written
   * at its offset and retried on its own, each guarded by {@code If-Match} on the ETag; a range
   * that fails for good fails the download with its error. An object whose response carries no
   * ETag cannot be guarded, so its first GET serves it whole.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param target the file to write (replaced if it exists); its directory must exist. A symbolic
   *     link is followed and its destination written (the link stays); an existing FIFO or
   *     device is written in place, in order, by one GET (its reader sees the bytes before the
   *     check)
   * @param progress receives the progress of the download, or null
   * @return a stage that completes with the object's metadata once the file is in place
   * @throws IllegalArgumentException if {@code target} is a directory or a loop of links, or its
   *     directory is missing or not writable
   */
  public CompletionStage<BlobObject> download(
      String bucket, String key, Path target, @Nullable AsyncCallback<TransferProgress> progress) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Validate.DownloadTarget to = Validate.downloadTarget(target);
    Path file = to.file();
    boolean special = to.special();
    ProgressTracker tracker =
        new ProgressTracker(runtime, progress, TransferProgress.Direction.DOWNLOAD, -1);
    String what = what(bucket, key);
    HttpRequest get =
        withChecksumMode(request(bucket, key).GET()).onProgress(tracker.forPart(1)).build();
    /*
     * One GET of the whole object: up to the multipart threshold its body is saved as it comes;
     * above it, its headers (size, ETag, checksums) are all the ranged download needs, so the
     * response is closed at once (its connection with it) and the object fetched in ranges. No
     * HEAD first: a small download costs one round trip, as before.
     */
    InFlight.Transfer transfer = inFlight.begin();
    CompletionStage<BlobObject> downloaded;
    try {
      CompletionStage<Object> first =
          sendAskingChecksum(
              get,
              r -> {
                long size = r.body().contentLength();
                if (size > config.multipartThreshold()
                    && !special
                    && DownloadStream.guarded(r.headers())) {
                  HttpHeaders headers = r.headers();
                  r.close();
                  return Chains.<Object>done(new Ranged(headers, size));
                }
                CompletableFuture<Void> settled = transfer.join();
                if (settled == null) {
                  r.close();
                  return Chains.failed(cancelledBefore("GET " + what));
                }
                return Chains.<BlobObject, Object>then(
                    save(r, bucket, key, file, special, tracker, what, settled),
                    Chains::<Object>done);
              });
      downloaded =
          Chains.then(
              first,
              result -> {
                CompletionStage<BlobObject> saved;
                if (result instanceof Ranged ranged) {
                  CompletableFuture<Void> settled = transfer.join();
                  saved =
                      settled == null
                          ? Chains.failed(cancelledBefore("GET " + what))
                          : new RangedDownload(
                                  bucket, key, tracker, ranged.headers(), ranged.size())
                              .toFile(file, settled);
                } else {
                  saved = Chains.done((BlobObject) result);
                }
                return Chains.then(
                    saved,
                    object ->
                        Chains.then(tracker.finish(object.size()), ignored -> Chains.done(object)));
              });
    } catch (RuntimeException | Error e) {
      transfer.end();
      throw e;
    }
    return transfer.endWith("BlobCore.download", downloaded);
  }

  /** The first GET's answer when the object is to be fetched in ranges. */
  private record Ranged(HttpHeaders headers, long size) {}

  /*
   * A download in ranges: `concurrency` ranged GETs at a time (one mapConcurrently call site for
   * both runtimes), each written at its offset of a temporary file next to the target as its
   * chunks arrive (positional writes: no buffering beyond the transport's), each guarded by
   * If-Match on the ETag the HEAD saw, so that an object replaced meanwhile fails instead of
   * mixing two versions. Each range is one request of the request client, so a range that fails
   * (a reset, a truncated body, a 5xx) is retried on its own, its handler restarting at the
   * range's offset. The whole object is then checked:
   *   - composite checksums (MD5 ETag or flexible COMPOSITE) with the part size known, or with
   *     the parts' lengths the server told (partLengths: an object another tool uploaded): the
   *     ranges are the parts, each range's digest is a part's, combined at the end;
   *   - CRCs of the whole object: each range's CRC, combined in order (Hasher.combine);
   *   - a digest of the whole object (MD5 ETag of a single PUT, a SHA of one, a composite of one
   *     part): the file is read once more, in order, after the ranges (a digest cannot be
   *     combined);
   *   - nothing to check: the length of every range.
   * Only then does the file replace the target; on any failure it is deleted.
   */
  private final class RangedDownload {
    private final String bucket;
    private final String key;
    private final ProgressTracker tracker;
    private final HttpHeaders headers;
    private final long size;
    private final String what;
    private final String etag;
    // Set by fetch(..), once the parts of a composite uploaded by another tool are known.
    private DownloadVerifier verifier;
    private @Nullable ChecksumAlgorithm perRange;
    private long[] starts = new long[0]; // each range's first byte; the ranges cover the object
    private boolean rangesAreParts; // each range is one part of a composite checksum

    RangedDownload(
        String bucket, String key, ProgressTracker tracker, HttpHeaders headers, long size) {
      this.bucket = bucket;
      this.key = key;
      this.tracker = tracker;
      this.headers = headers;
      this.size = size;
      this.what = what(bucket, key);
      this.etag = headers.firstValue("etag").orElse("");
      this.verifier = DownloadVerifier.of(what, headers, false);
    }

    /*
     * Chooses the ranges: the parts of a composite check, else ranges of the part size (a
     * composite of one part is then checked by reading the file back, as a whole-object digest).
     */
    private void plan() {
      ChecksumAlgorithm algorithm = verifier.algorithm();
      long[] parts = verifier.partLengths();
      long partSize = verifier.partSize();
      if (parts != null && parts.length > 1) {
        perRange = algorithm;
        rangesAreParts = true;
        starts = new long[parts.length];
        for (int i = 1; i < parts.length; i++) {
          starts[i] = starts[i - 1] + parts[i - 1];
        }
        return;
      }
      long rangeSize;
      if (parts == null && partSize > 0) {
        perRange = algorithm;
        rangesAreParts = true;
        rangeSize = partSize;
      } else {
        perRange = parts == null && algorithm != null && algorithm.fullObject() ? algorithm : null;
        rangeSize = PartSource.effectivePartSize(size, config.partSize());
      }
      starts = new long[(int) Math.max(1, (size + rangeSize - 1) / rangeSize)];
      for (int i = 1; i < starts.length; i++) {
        starts[i] = i * rangeSize;
      }
    }

    private long lengthOf(int range) {
      return (range + 1 < starts.length ? starts[range + 1] : size) - starts[range];
    }

    /*
     * Downloads into a temporary file next to `file`, moved over it once verified; completes
     * `settled` once the temporary file is gone or in place.
     */
    CompletionStage<BlobObject> toFile(Path file, CompletableFuture<Void> settled) {
      Path temp = tempNextTo(file);
      FileChannel channel;
      try {
        channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException e) {
        settled.complete(null);
        throw new UncheckedIOException(
            "Cannot create " + temp + " to download " + what + ": " + reason(e), e);
      }
      RangeSink sink = new RangeFile(temp, channel, rangeBuffers);
      CompletableFuture<List<byte @Nullable []>> all = fetch(sink);
      CompletableFuture<BlobObject> done = new CompletableFuture<>();
      all.whenComplete(
          (sums, failure) -> {
            Throwable f = failure == null ? null : Chains.unwrap(failure);
            try {
              channel.close();
              if (f == null) {
                verify(sums, sink);
                move(temp, file);
              }
            } catch (IOException e) {
              f = new UncheckedIOException("Cannot write " + file + " for " + what + ": " + reason(e), e);
            } catch (RuntimeException e) {
              f = e;
            }
            if (f != null) {
              try {
                Files.deleteIfExists(temp);
              } catch (IOException e) {
                f.addSuppressed(e);
              }
              settled.complete(null);
              done.completeExceptionally(f);
            } else {
              settled.complete(null);
              done.complete(metadata(key, size, headers));
            }
          });
      return new CancelBoth<>(done, all);
    }

    /* Downloads into one array of the object's size, returned once verified. */
    CompletionStage<byte[]> toArray() {
      byte[] data = new byte[Math.toIntExact(size)];
      RangeSink sink =
          new RangeSink() {
            @Override
            public RangeWriter from(long start) {
              int[] at = {Math.toIntExact(start)};
              return new RangeWriter() {
                @Override
                public void write(ByteBuffer chunk) {
                  int n = chunk.remaining();
                  chunk.get(data, at[0], n);
                  at[0] += n;
                }

                @Override
                public void finish() {}

                @Override
                public void abandon() {}
              };
            }

            @Override
            public void readBack(Consumer<ByteBuffer> into) {
              into.accept(ByteBuffer.wrap(data));
            }

            @Override
            public String toString() {
              return "memory";
            }
          };
      CompletableFuture<List<byte @Nullable []>> all = fetch(sink);
      CompletableFuture<byte[]> done = new CompletableFuture<>();
      all.whenComplete(
          (sums, failure) -> {
            if (failure != null) {
              done.completeExceptionally(Chains.unwrap(failure));
              return;
            }
            try {
              verify(sums, sink);
              done.complete(data);
            } catch (IOException | RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
      return new CancelBoth<>(done, all);
    }

    /*
     * Learns the parts of a composite another tool uploaded (when the server tells them), then
     * fetches every range into `sink`, `concurrency` at a time; the value: each range's digest.
     */
    private CompletableFuture<List<byte @Nullable []>> fetch(RangeSink sink) {
      tracker.total(size);
      try {
        return Chains.then(
            partLengths(bucket, key, verifier.partsToLearn(), size),
            parts -> {
              if (parts != null) {
                verifier = verifier.withParts(parts);
              }
              plan();
              int count = starts.length;
              List<Integer> ranges = IntStream.range(0, count).boxed().toList();
              return runtime.mapConcurrently(
                  ranges, config.concurrency(), i -> range(sink, i, count));
            });
      } catch (RuntimeException e) {
        return Chains.failed(e);
      }
    }

    /* Fetches range i into `sink`; returns its digest (null when ranges are not hashed). */
    private CompletionStage<byte @Nullable []> range(RangeSink sink, int i, int count) {
      long start = starts[i];
      long length = lengthOf(i);
      if (length == 0) {
        return Chains.done(perRange == null ? null : Hasher.of(perRange).digest()); // empty part
      }
      HttpRequest get =
          request(bucket, key)
              .GET()
              .setHeader("Range", "bytes=" + start + "-" + (start + length - 1))
              .setHeader("If-Match", etag)
              .onProgress(tracker.forPart(i + 1))
              .build();
      return http.send(
          get,
          r -> {
            if (r.status() != 206) {
              r.close();
              throw new IllegalStateException(
                  "The server answered " + r.status() + " to a ranged GET of " + what
                      + " (range " + (i + 1) + " of " + count + "): it does not serve ranges.");
            }
            // Off the I/O thread with a costly digest, which the final check (on the thread that
            // ends the last range) may repeat over the whole object.
            boolean inPlace = cheapPerChunk(verifier.algorithm());
            return readBody(r, inPlace, chunks -> write(chunks, sink, i, start, length));
          });
    }

    /* Writes range i's chunks at their offsets; returns its digest (null when not hashed). */
    private CompletionStage<byte @Nullable []> write(
        AsyncIterator<ByteBuffer> chunks, RangeSink sink, int i, long start, long length) {
      Hasher h = perRange == null ? null : Hasher.of(perRange);
      long[] position = {start};
      RangeWriter out = sink.from(start);
      CompletableFuture<byte @Nullable []> written = Chains.then(
          AsyncIterators.forEach(
              chunks,
              chunk -> {
                long at = position[0];
                if (at - start + chunk.remaining() > length) {
                  throw new IllegalStateException(
                      "The server sent more than the " + length + " bytes of range "
                          + (i + 1) + " of " + what + ".");
                }
                if (h != null) {
                  h.update(chunk);
                }
                int n = chunk.remaining();
                try {
                  out.write(chunk);
                } catch (IOException e) {
                  throw new UncheckedIOException("Cannot write " + sink + " for " + what, e);
                }
                position[0] = at + n;
              }),
          ignored -> {
            if (position[0] - start != length) {
              throw endedEarly("Range " + (i + 1) + " of " + what, position[0] - start, length);
            }
            try {
              out.finish();
            } catch (IOException e) {
              throw new UncheckedIOException("Cannot write " + sink + " for " + what, e);
            }
            return Chains.done(h == null ? null : h.digest());
          });
      written.whenComplete(
          (v, e) -> {
            if (e != null) {
              out.abandon(); // failed or cancelled: what it gathered is never written
            }
          });
      return written;
    }

    private void verify(List<byte @Nullable []> sums, RangeSink sink) throws IOException {
      ChecksumAlgorithm algorithm = verifier.algorithm();
      if (algorithm == null) {
        return; // the lengths were checked range by range
      }
      if (rangesAreParts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] sum : sums) {
          all.writeBytes(Objects.requireNonNull(sum, "range digest"));
        }
        verifier.finishParts(all.toByteArray(), sums.size(), size);
      } else if (perRange != null) {
        byte[] crc = Objects.requireNonNull(sums.get(0), "range CRC");
        for (int i = 1; i < sums.size(); i++) {
          crc = Hasher.combine(algorithm, crc, Objects.requireNonNull(sums.get(i)), lengthOf(i));
        }
        verifier.finishWhole(crc, size);
      } else {
        // A digest of the whole object: one more pass, in order, over what was just written.
        sink.readBack(verifier::update);
        verifier.finish();
      }
    }
  }

  /*
   * The verifier of `verifier`'s composite once its parts are learnt (partLengths), or null when
   * there is none to learn or the server does not tell them.
   */
  private CompletionStage<@Nullable DownloadVerifier> withLearntParts(
      DownloadVerifier verifier, String bucket, String key, long size) {
    int parts = verifier.partsToLearn();
    if (parts == 0) {
      return Chains.done(null);
    }
    return Chains.then(
        partLengths(bucket, key, parts, size),
        lengths -> Chains.done(lengths == null ? null : verifier.withParts(lengths)));
  }

  /*
   * The lengths of an object's `parts` parts (a composite checksum another tool's multipart upload
   * left, whose parts this client does not know), or null when there are none to learn or the
   * server does not tell them. One part is the whole object. Otherwise a HEAD of part 1
   * (?partNumber=1: S3 answers with the part's length and x-amz-mp-parts-count) asks whether the
   * server tells; if it does, the other parts are asked for (otherParts). A server that refuses
   * the parameter (S3Proxy), ignores it (no parts count), or fails the HEAD leaves the object
   * checked by its length only, as before: the ranged GETs that follow report any error that is
   * the object's. No If-Match on these HEADs (moto compares it with the part's own ETag): the GETs
   * carry it, so a layout of another version of the object fails the checksum or the GETs, never
   * passes. Lengths that do not add up to the object's size fail the download.
   */
  private CompletionStage<long @Nullable []> partLengths(
      String bucket, String key, int parts, long size) {
    if (parts <= 0) {
      return Chains.done(null);
    }
    if (parts == 1) {
      return Chains.done(new long[] {size});
    }
    if (partNumbersRefused) {
      return Chains.done(null);
    }
    String what = what(bucket, key);
    return Chains.then(
        Chains.recover(
            partHead(bucket, key, 1),
            e -> {
              refusedPartNumbers(e);
              return null;
            }),
        first -> {
          if (first == null || first.count() != parts || first.length() < 0) {
            return Chains.done(null);
          }
          return Chains.then(
              otherParts(bucket, key, parts, first.length()),
              all -> {
                long sum = 0;
                for (long l : all) {
                  sum += l;
                }
                if (sum != size) {
                  throw new IllegalStateException(
                      "The " + parts + " parts the server describes for " + what + " add up to "
                          + sum + " bytes, but the object has " + size + ": it may have been"
                          + " replaced during the download. Retry the download.");
                }
                return Chains.<long @Nullable []>done(all);
              });
        });
  }

  /**
   * Returns the lengths of the parts an object was uploaded in, in order, as the service tells
   * them ({@code HEAD ?partNumber=k}, which S3 answers with the part's length and the object's
   * parts count): the parts a composite checksum or a multipart ETag ({@code <hex>-N}) is computed
   * over, whichever tool uploaded the object. An object uploaded in one request is one part. The
   * list is empty when the service does not tell: it refuses the parameter (S3Proxy answers 501),
   * or ignores it for an object whose ETag says it has parts. One HEAD per part; after the first,
   * as many at once as the connection pool allows.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @return a stage that completes with the parts' lengths (unmodifiable); it fails with {@link
   *     NoSuchKeyException} if there is no such object (or no such bucket), and with {@link
   *     IllegalStateException} if the service tells the first part but fails to tell another
   * @throws IllegalArgumentException if the bucket name or the key breaks the S3 rules
   */
  public CompletionStage<List<Long>> partLengths(String bucket, String key) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    if (partNumbersRefused) {
      return Chains.done(List.of());
    }
    CompletionStage<@Nullable PartHead> probe =
        Chains.recover(
            partHead(bucket, key, 1),
            e -> {
              refusedPartNumbers(e);
              if (e instanceof io.ambidex.http.HttpStatusException b
                  && (b.status() == 400 || b.status() == 405 || b.status() == 501)) {
                return null; // the service does not take the parameter
              }
              throw e instanceof RuntimeException r ? r : new CompletionException(e);
            });
    return Chains.then(
        probe,
        first -> {
          if (first == null || first.length() < 0) {
            return Chains.done(List.<Long>of());
          }
          if (first.count() < 0) {
            boolean parted = S3Xml.unquote(first.etag()).contains("-");
            return Chains.done(parted ? List.<Long>of() : List.of(first.length()));
          }
          if (first.count() < 1 || first.count() > MAX_PARTS) {
            throw new IllegalStateException(
                "The server says " + what(bucket, key) + " has " + first.count() + " parts;"
                    + " S3 allows 1 to " + MAX_PARTS + ". Its part lengths are not asked for.");
          }
          return Chains.then(
              otherParts(bucket, key, Math.toIntExact(first.count()), first.length()),
              all -> Chains.done(java.util.Arrays.stream(all).boxed().toList()));
        });
  }

  /* Remembers a 501 to HEAD ?partNumber: the service does not implement the parameter. */
  private void refusedPartNumbers(Throwable failure) {
    if (failure instanceof io.ambidex.http.HttpStatusException s && s.status() == 501) {
      partNumbersRefused = true;
    }
  }

  /* The most parts a multipart upload has in S3. */
  private static final int MAX_PARTS = 10_000;

  /* What HEAD ?partNumber=k tells: the part's length, the object's parts count, its ETag. */
  private record PartHead(long length, long count, String etag) {}

  /* HEAD ?partNumber=k; -1 for a length or a parts count the answer does not give. */
  private CompletionStage<PartHead> partHead(String bucket, String key, int k) {
    HttpRequest head =
        request(bucket, key).query("partNumber", Integer.toString(k)).HEAD().build();
    return http.send(
        head,
        r ->
            discard(r)
                .thenApply(
                    ignored -> {
                      HttpHeaders h = r.headers();
                      return new PartHead(
                          h.firstValueAsLong("content-length").orElse(-1),
                          h.firstValueAsLong("x-amz-mp-parts-count").orElse(-1),
                          h.firstValue("etag").orElse(""));
                    }));
  }

  /*
   * The lengths of all `count` parts, part 1's being `first`: HEADs of parts 2 to `count`, as many
   * at once as the pool allows (small requests; on S3, a GiB of 8 MiB parts is 128 HEADs, which 8
   * at a time would put 16 round trips before the first range of a download). Each must describe
   * part k of `count` parts. A failure is wrapped, not passed on as it is: these HEADs may run in
   * a GET's response handler, whose transport failures would have the GET sent again.
   */
  private CompletionStage<long[]> otherParts(String bucket, String key, int count, long first) {
    String what = what(bucket, key);
    List<Integer> rest = IntStream.rangeClosed(2, count).boxed().toList();
    return Chains.then(
        runtime.mapConcurrently(
            rest,
            config.maxConnections(),
            k ->
                Chains.then(
                    Chains.recover(
                        partHead(bucket, key, k),
                        e -> {
                          throw new IllegalStateException(
                              "Cannot learn the length of part " + k + " of " + what
                                  + " (HEAD ?partNumber=" + k + "): " + e.getMessage(),
                              e);
                        }),
                    head -> {
                      if (head.count() != count || head.length() < 0) {
                        throw new IllegalStateException(
                            "The server told the length of part 1 of " + what + " (of " + count
                                + " parts) but answered HEAD ?partNumber=" + k + " without"
                                + " describing that part. Retry.");
                      }
                      return Chains.done(head.length());
                    })),
        lengths -> {
          long[] all = new long[count];
          all[0] = first;
          for (int i = 1; i < count; i++) {
            all[i] = lengths.get(i - 1);
          }
          return Chains.done(all);
        });
  }

  /*
   * Where a ranged download puts its bytes: positional writes from any range, then, when the
   * whole object's digest must be computed, the bytes again in order.
   */
  private interface RangeSink {
    /* A writer of one range's bytes, in order from `start`: one per attempt of the range. */
    RangeWriter from(long start);

    void readBack(Consumer<ByteBuffer> into) throws IOException;
  }

  /*
   * One attempt of one range. finish() is called once the range's last chunk has been written,
   * and puts everything in place; abandon() once the attempt has failed or been cancelled (what
   * it held is never written: a retry writes the range again from its start), possibly while a
   * write of its own is still running on another thread.
   */
  private interface RangeWriter {
    void write(ByteBuffer chunk) throws IOException;

    void finish() throws IOException;

    void abandon();
  }

  /*
   * A ranged download's temporary file. Each range gathers its chunks in a direct buffer of one
   * MiB and writes it at its offset when full, instead of writing each chunk of the transport (64
   * KiB or less) as it comes. Measured on a 256 MiB download (async-profiler, ext4, Linux 6.18):
   * the chunk-sized positional writes of four ranges cost 132 ms of CPU, a fifth of it spent
   * spinning on the file's inode lock, which a buffered write holds while copying; one-MiB writes
   * taken one at a time (writeLock: a waiting range parks instead of spinning in the kernel) cost
   * about 50 (choice 266). The copy into the buffer replaces the JDK's copy of a heap chunk into
   * its own temporary direct buffer. The buffers come from the client's pool, which bounds how
   * many are in use at once (4 * concurrency, so that many downloads at once do not hold a MiB
   * per range each): a range that finds none writes each chunk as it comes, as before. Each
   * attempt's writer has a lock of its own, so that abandon() (on the thread that cancels) waits
   * for a write in progress and the buffer can then go back to the pool.
   */
  private static final class RangeFile implements RangeSink {
    static final int BUFFER = 1024 * 1024;
    static final int IN_USE = 4; // buffers in use at most, per unit of concurrency
    private final Path temp;
    private final FileChannel channel;
    private final BufferPool buffers;
    private final ReentrantLock writeLock = new ReentrantLock();

    RangeFile(Path temp, FileChannel channel, BufferPool buffers) {
      this.temp = temp;
      this.channel = channel;
      this.buffers = buffers;
    }

    @Override
    public RangeWriter from(long start) {
      return new RangeWriter() {
        private final ReentrantLock lock = new ReentrantLock();
        private @Nullable ByteBuffer buffer;
        private long at = start; // the file position of the buffer's first byte, or the next
        private boolean over;

        @Override
        public void write(ByteBuffer chunk) throws IOException {
          lock.lock();
          try {
            if (over) {
              throw new IllegalStateException("A write after its range's attempt ended");
            }
            while (chunk.hasRemaining()) {
              ByteBuffer b = buffer;
              if (b == null) {
                b = buffer = buffers.take();
                if (b == null) { // as many in use as the pool allows: this chunk as it is
                  at += writeAt(chunk, at);
                  return;
                }
              }
              int n = Math.min(chunk.remaining(), b.remaining());
              b.put(b.position(), chunk, chunk.position(), n);
              b.position(b.position() + n);
              chunk.position(chunk.position() + n);
              if (!b.hasRemaining()) {
                at += writeAt(b.flip(), at);
                b.clear();
              }
            }
          } finally {
            lock.unlock();
          }
        }

        @Override
        public void finish() throws IOException {
          lock.lock();
          try {
            over = true;
            ByteBuffer b = buffer;
            buffer = null;
            if (b != null) {
              try {
                at += writeAt(b.flip(), at);
              } finally {
                buffers.give(b);
              }
            }
          } finally {
            lock.unlock();
          }
        }

        @Override
        public void abandon() {
          lock.lock();
          try {
            if (!over) {
              over = true;
              ByteBuffer b = buffer;
              buffer = null;
              if (b != null) {
                buffers.give(b);
              }
            }
          } finally {
            lock.unlock();
          }
        }
      };
    }

    /* Writes all of `b` at `position`, one range at a time; returns the bytes written. */
    private int writeAt(ByteBuffer b, long position) throws IOException {
      int n = b.remaining();
      long p = position;
      writeLock.lock();
      try {
        while (b.hasRemaining()) {
          p += channel.write(b, p);
        }
      } finally {
        writeLock.unlock();
      }
      return n;
    }

    @Override
    public void readBack(Consumer<ByteBuffer> into) throws IOException {
      BlobCore.readBack(temp, into);
    }

    @Override
    public String toString() {
      return temp.toString();
    }
  }

  /** A future that, when cancelled, also cancels the work it waits for. */
  private static final class CancelBoth<T> extends CompletableFuture<T> {
    private final java.util.concurrent.Future<?> work;

    CancelBoth(CompletableFuture<T> result, java.util.concurrent.Future<?> work) {
      this.work = work;
      result.whenComplete(
          (v, e) -> {
            if (e != null) {
              completeExceptionally(e);
            } else {
              complete(v);
            }
          });
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      work.cancel(true);
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }

  /*
   * ".NAME.RANDOM.part" beside `file`; NAME cut (at a character) so that the whole stays within
   * 255 bytes of UTF-8, the longest file name of the common file systems: a target whose name is
   * itself near that limit can still be downloaded.
   */
  static Path tempNextTo(Path file) {
    String name = file.getFileName().toString();
    String suffix = "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part";
    int room = 255 - 1 - suffix.length();
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > room) {
      StringBuilder cut = new StringBuilder();
      int bytes = 0;
      for (int i = 0; i < name.length(); ) {
        int cp = name.codePointAt(i);
        int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; // its UTF-8 length
        if (bytes + n > room) {
          break;
        }
        cut.appendCodePoint(cp);
        bytes += n;
        i += Character.charCount(cp);
      }
      name = cut.toString();
    }
    return file.resolveSibling("." + name + suffix);
  }

  /* An IOException's reason, for a message that already names the file. */
  private static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /*
   * Saves the body; completes `settled` once the temporary file is gone or in place. A special
   * file (a FIFO, a device) is written directly: no temporary file, no move, nothing to delete on
   * failure, and a composite of unknown parts is checked for its length only (the bytes cannot
   * be read back).
   */
  private CompletionStage<BlobObject> save(
      HttpResponse r,
      String bucket,
      String key,
      Path file,
      boolean special,
      ProgressTracker tracker,
      String what,
      CompletableFuture<Void> settled) {
    DownloadVerifier verifier;
    Path temp = special ? file : tempNextTo(file);
    FileChannel channel;
    try {
      tracker.total(r.body().contentLength());
      verifier = DownloadVerifier.of(what, r.headers(), false);
      channel =
          special
              ? FileChannel.open(file, StandardOpenOption.WRITE)
              : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      r.close();
      settled.complete(null);
      throw new UncheckedIOException(
          "Cannot " + (special ? "open " : "create ") + temp + " to download " + what + ": "
              + reason(e),
          e);
    } catch (RuntimeException | Error e) {
      r.close();
      settled.complete(null);
      throw e;
    }
    CompletableFuture<BlobObject> saved = new CompletableFuture<>();
    CompletableFuture<Void> body =
        readBody(
            r,
            cheapPerChunk(verifier.algorithm()),
            chunks -> {
              // Cancelled (the download was): close the chunks, so that the loop below ends at
              // once, even if it waits for a progress callback's stage, and the temporary file is
              // deleted once it has (the loop's own stage is not cancelled: the file is closed
              // only after its last write).
              saved.whenComplete(
                  (v, e) -> {
                    if (saved.isCancelled()) {
                      chunks.close();
                    }
                  });
              return AsyncIterators.forEach(
                  chunks,
                  chunk -> {
                    verifier.update(chunk);
                    try {
                      while (chunk.hasRemaining()) {
                        channel.write(chunk);
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(
                          "Cannot write " + temp + " for " + what + ": " + reason(e), e);
                    }
                  });
            }).toCompletableFuture();
    /*
     * A composite of parts to learn: learnt once the body is in (its connection back in the pool),
     * then checked over the temporary file, read back. A cancellation before the body is in ends
     * the loop (above); after it, it cancels the HEADs (the loop's own stage is never cancelled).
     */
    CompletableFuture<@Nullable DownloadVerifier> read =
        Chains.then(
            body.copy(),
            ignored ->
                saved.isCancelled()
                    ? Chains.failed(cancelledBefore("the check of " + what))
                    : special
                        ? Chains.<@Nullable DownloadVerifier>done(null)
                        : withLearntParts(verifier, bucket, key, verifier.bytes()));
    saved.whenComplete(
        (v, e) -> {
          if (saved.isCancelled() && body.isDone()) {
            read.cancel(true);
          }
        });
    read.whenComplete(
            (learnt, failure) -> {
              Throwable f = failure == null ? null : Chains.unwrap(failure);
              try {
                channel.close();
                if (f == null && saved.isCancelled()) {
                  f = cancelledBefore("the move of " + temp + " to " + file);
                }
                if (f == null) {
                  verifier.finish();
                  if (learnt != null) {
                    readBack(temp, learnt::update);
                    learnt.finish();
                  }
                  if (!special) {
                    move(temp, file);
                  }
                }
              } catch (IOException e) {
                f = new UncheckedIOException("Cannot write " + file + " for " + what + ": " + reason(e), e);
              } catch (RuntimeException e) {
                f = e;
              }
              if (f != null) {
                try {
                  if (!special) {
                    Files.deleteIfExists(temp);
                  }
                } catch (IOException e) {
                  f.addSuppressed(e);
                }
                settled.complete(null);
                saved.completeExceptionally(f);
              } else {
                settled.complete(null);
                saved.complete(metadata(key, verifier.bytes(), r.headers()));
              }
            });
    return saved;
  }

  /* Hands the bytes of `file` to `into`, in order. */
  private static void readBack(Path file, Consumer<ByteBuffer> into) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      while (in.read(buffer.clear()) >= 0) {
        into.accept(buffer.flip());
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Opens an object's bytes as a stream of buffers, which the caller must close (or read to the
   * end). The request is sent on the first pull; each buffer is the caller's own.
   *
   * <p>An object of at least four ranges of {@code min(partSize, 8 MiB)} is read from that one GET
   * as long as it serves the reader well: measured once, a GET that is fast (256 MiB/s or more) or
   * that the reader does not wait on serves the whole object; otherwise one ranged GET of the
   * object's end runs beside it, and if the two together bring at least 1.5 times as much, ranges
   * take over from where the reader is. That GET, for an object of any size, is resumed by ranges
   * from where it stopped if its connection breaks and the retry policy allows a retry. A smaller
   * object larger than the multipart threshold (or one whose composite checksum needs its parts'
   * lengths) is read as ranged GETs from the start. The ranges are of {@code min(partSize, 8 MiB)}
   * bytes, {@code concurrency} at a time (on the blocking client, each on a virtual thread of its
   * own while the reader consumes), handed out in order as they arrive, in arrays of 256 KiB
   * (memory: what the ranges received and the reader has not taken, at most {@code concurrency}
   * ranges), each retried on its own from where its bytes end, each guarded by {@code If-Match}
   * on the ETag; closing the stream early cancels the ranges in flight. An object whose response
   * carries no ETag cannot be guarded: its one GET serves it whole, and a break fails the stream.
   *
   * <p>At the end the bytes are checked against the object's checksum (else its ETag): a mismatch
   * fails the last pull with {@link BlobIntegrityException} instead of ending the stream normally,
   * so treat the data as unverified until the end has been reached. Closing early closes the
   * connection. An object up to the threshold whose composite checksum needs its parts' lengths
   * (see Integrity in the class comment) is read whole before its first buffer is handed out.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @return the object's bytes, in order
   */
  public AsyncIterator<ByteBuffer> open(String bucket, String key) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    return whileOpen(openStream(bucket, key, null), "open(" + bucket + ", " + key + ")");
  }

  /**
   * Opens a range of an object as a stream of buffers, which the caller must close (or read to
   * the end). Ranges are not checked against the ETag; their length is.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param range the bytes wanted
   * @return the bytes of the range, in order
   */
  public AsyncIterator<ByteBuffer> open(String bucket, String key, ByteRange range) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(range, "range");
    return whileOpen(
        openStream(bucket, key, range), "open(" + bucket + ", " + key + ", " + range + ")");
  }

  private AsyncIterator<ByteBuffer> openStream(
      String bucket, String key, @Nullable ByteRange range) {
    HttpRequest.Builder get = request(bucket, key).GET();
    if (range != null) {
      get.setHeader("Range", range.header());
    } else {
      withChecksumMode(get);
    }
    HttpRequest request = get.build();
    DownloadStream stream =
        range != null
            ? new DownloadStream(() -> http.send(request), what(bucket, key), true)
            : new DownloadStream(
                () -> askingChecksum(request, http::send, HttpResponse::close),
                what(bucket, key),
                runtime,
                (start, into, etag) -> fetchRange(bucket, key, start, into, etag),
                (parts, size) -> partLengths(bucket, key, parts, size),
                config.multipartThreshold(),
                config.concurrency(),
                Math.min(config.partSize(), STREAM_RANGE),
                failure -> config.retryPolicy().shouldRetry(1, failure));
    // The reader (a subscriber of the async facade's publisher) hashes what it takes and runs the
    // caller's code: after each wait it goes on on a virtual thread, not on the I/O thread that
    // answered.
    return offload == null ? stream : AsyncIterators.resumeOn(stream, offload);
  }

  /* A body that ended before the length its response (or range) announced. */
  private static BlobIntegrityException endedEarly(String body, long received, long expected) {
    return new BlobIntegrityException(
        body + " ended after " + received + " of its " + expected + " bytes.",
        Long.toString(expected),
        Long.toString(received));
  }

  /*
   * One range of a stream read in ranges, into its own array (a retry goes on where the last
   * attempt stopped; DownloadStream.Range).
   */
  private CompletionStage<?> fetchRange(
      String bucket, String key, long start, DownloadStream.Range range, String etag) {
    String what = what(bucket, key);
    HttpRequest get =
        request(bucket, key)
            .GET()
            .setHeader("Range", "bytes=" + start + "-" + (start + range.length() - 1))
            .setHeader("If-Match", etag)
            .build();
    return http.send(
        get,
        r -> {
          if (r.status() != 206) {
            r.close();
            throw new IllegalStateException(
                "The server answered " + r.status() + " to a ranged GET of " + what
                    + ": it does not serve ranges.");
          }
          // A copy per chunk, in place: the stream's reader, which hashes what it takes, goes on
          // off the I/O thread (openStream).
          return range.fill(r.body().chunks());
        });
  }

  // ---- metadata, delete, list, copy ----

  /**
   * Returns an object's metadata without its bytes.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @return a stage that completes with the metadata; it fails with {@link NoSuchKeyException}
   *     if there is no such object (or no such bucket: a HEAD response has no body to tell)
   */
  public CompletionStage<BlobObject> head(String bucket, String key) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    return http.send(
        request(bucket, key).HEAD().build(),
        r ->
            discard(r)
                .thenApply(
                    ignored ->
                        metadata(
                            key, r.headers().firstValueAsLong("content-length").orElse(0), r.headers())));
  }

  /**
   * Returns everything a HEAD request tells about an object: size, ETag, last modification, content
   * type, cache control, content disposition and encoding, user metadata ({@code x-amz-meta-*}) and
   * the checksums the service stored (asked for with
   * {@code x-amz-checksum-mode: ENABLED}; services that keep none return none).
   *
   * @param bucket the bucket
   * @param key the object's key
   * @return a stage that completes with the details; it fails with {@link NoSuchKeyException} if
   *     there is no such object (or no such bucket: a HEAD response has no body to tell)
   * @throws IllegalArgumentException if the bucket name or the key breaks the S3 rules
   */
  public CompletionStage<ObjectDetails> describe(String bucket, String key) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    return http.send(
        request(bucket, key).HEAD().setHeader("x-amz-checksum-mode", "ENABLED").build(),
        r -> discard(r).thenApply(ignored -> details(key, r.headers())));
  }

  private static ObjectDetails details(String key, HttpHeaders headers) {
    BlobObject object =
        metadata(key, headers.firstValueAsLong("content-length").orElse(0), headers);
    java.util.Map<String, String> meta = new java.util.TreeMap<>();
    java.util.Map<String, String> sums = new java.util.TreeMap<>();
    headers.map().forEach((name, values) -> {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      if (values.isEmpty()) {
        return;
      }
      if (n.startsWith("x-amz-meta-")) {
        meta.put(n.substring("x-amz-meta-".length()), String.join(",", values));
      } else if (n.startsWith("x-amz-checksum-") && !n.equals("x-amz-checksum-type")) {
        sums.put(n.substring("x-amz-checksum-".length()), values.get(0));
      }
    });
    return new ObjectDetails(
        key,
        object.size(),
        object.etag(),
        object.lastModified(),
        headers.firstValue("content-type").orElse(null),
        headers.firstValue("cache-control").orElse(null),
        headers.firstValue("content-disposition").orElse(null),
        headers.firstValue("content-encoding").orElse(null),
        meta,
        sums);
  }

  /**
   * Returns an address that lets whoever holds it make one kind of request on an object without
   * credentials, until it expires: SigV4 query-string signing (a "presigned URL"). Nothing is sent;
   * the address is computed from the client's endpoint, addressing style, region and credentials,
   * and its validity starts now. The payload is not part of the signature.
   *
   * @param method {@code GET}, {@code PUT}, {@code HEAD} or {@code DELETE}
   * @param bucket the bucket
   * @param key the object's key
   * @param expiry how long the address stays valid: from one second to seven days (S3's limit)
   * @return the presigned address
   * @throws IllegalArgumentException if the method is not one of those four, the expiry is out of
   *     range, or the bucket name or the key breaks the S3 rules
   */
  public URI presign(String method, String bucket, String key, Duration expiry) {
    checkOpen();
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(expiry, "expiry");
    Validate.bucket(bucket);
    Validate.key(key);
    if (!List.of("GET", "PUT", "HEAD", "DELETE").contains(method)) {
      throw new IllegalArgumentException(
          "presign supports GET, PUT, HEAD and DELETE, not '" + method + "'.");
    }
    if (expiry.compareTo(Duration.ofSeconds(1)) < 0 || expiry.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException(
          "A presigned address must expire after 1 second to 7 days, not " + expiry + ".");
    }
    return SigV4.presign(
        method,
        request(bucket, key).build().uri(),
        config.credentials(),
        config.region(),
        "s3",
        Instant.now(),
        expiry.toSeconds());
  }

  /**
   * Deletes an object. Deleting a key that does not exist succeeds, as in S3.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @return a stage that completes when the object is gone
   */
  public CompletionStage<Void> delete(String bucket, String key) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    return http.send(request(bucket, key).DELETE().build(), BlobCore::discard);
  }

  /**
   * Finds out whether the service checks uploads' flexible checksums of {@code algorithm}, by
   * trying one: a PUT of an empty object under {@code key} whose {@code x-amz-checksum-*} header
   * is deliberately wrong (the checksum of one zero byte). A service that checks refuses it and
   * stores nothing; one that ignores the header stores the object, which is then deleted. Use it
   * where the endpoint's kind is unknown, to choose {@link BlobConfig.Builder#checksum} or {@link
   * PutOptions#withChecksum} (the {@code blob} tool does, before its first upload): a
   * service that only echoes a checksum (moto) cannot be told from one that checks it any other
   * way, and a checksum nobody checks protects nothing (ARCHITECTURE.md, choice 70).
   *
   * <p>It writes: it needs permission to put (and, on a service that does not check, to delete)
   * {@code key}; choose a key nothing else uses, under a prefix the credentials may write. On a
   * versioned bucket a service that does not check keeps the deleted probe as a noncurrent
   * version.
   *
   * @param bucket the bucket
   * @param key a key for the probe object, used by nothing else
   * @param algorithm a flexible checksum (not {@link ChecksumAlgorithm#MD5}, which every service
   *     checks)
   * @return a stage that completes with true if the service refused the wrong checksum (S3's
   *     {@code BadDigest}, MinIO's {@code XAmzContentChecksumMismatch}), false if it stored the
   *     object (deleted again) or refused the header itself (a 400 or 501 with another code,
   *     such as {@code NotImplemented} or {@code InvalidArgument}); it fails as {@code put} would
   *     for anything else (credentials, a missing bucket, the network), and if the object was
   *     stored but could not be deleted, with the delete's failure (whose message, for a refusal,
   *     names the object to delete)
   * @throws IllegalArgumentException if {@code algorithm} is {@link ChecksumAlgorithm#MD5}
   */
  public CompletionStage<Boolean> probeChecksum(
      String bucket, String key, ChecksumAlgorithm algorithm) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(algorithm, "algorithm");
    if (!algorithm.flexible()) {
      throw new IllegalArgumentException(
          "MD5 is not a flexible checksum: every S3-compatible service checks Content-MD5, so"
              + " there is nothing to probe; probe CRC32C, CRC32, CRC64NVME, SHA1 or SHA256.");
    }
    String wrong = BASE64.encodeToString(Hasher.of(algorithm, new byte[1], 0, 1));
    HttpRequest put =
        request(bucket, key).PUT(RequestBody.empty()).setHeader(algorithm.header(), wrong).build();
    CompletionStage<ProbeAnswer> answer =
        Chains.recover(
            Chains.then(http.send(put, BlobCore::discard), ok -> Chains.done(ProbeAnswer.STORED)),
            failure -> {
              if (failure instanceof BlobIntegrityException integrity
                  && integrity.refusal() != null
                  && integrity.refusal().bodySnippet().contains("<Code>BadDigest</Code>")) {
                return ProbeAnswer.REFUSED_AS_WRONG;
              }
              if (failure instanceof BlobException e) {
                if (e.code().equals("BadDigest")
                    || e.code().equals("XAmzContentChecksumMismatch")) {
                  return ProbeAnswer.REFUSED_AS_WRONG;
                }
                if ((e.status() == 400 || e.status() == 501)
                    && !(e instanceof BlobAuthenticationException)
                    && !(e instanceof NoSuchBucketException)) {
                  return ProbeAnswer.HEADER_REFUSED;
                }
              }
              throw failure instanceof RuntimeException r ? r : new CompletionException(failure);
            });
    return Chains.then(
        answer,
        a -> switch (a) {
          case REFUSED_AS_WRONG -> Chains.done(Boolean.TRUE);
          case HEADER_REFUSED -> Chains.done(Boolean.FALSE); // nothing was stored
          case STORED ->
              Chains.onFailure(
                  Chains.then(delete(bucket, key), deleted -> Chains.done(Boolean.FALSE)),
                  failure -> {
                    if (failure instanceof BlobException e) {
                      e.withDetail(
                          "The service stored the checksum probe " + what(bucket, key) + " (it"
                              + " does not check " + algorithm + "), and this delete of it"
                              + " failed: delete it yourself.");
                    }
                  });
        });
  }

  /* What a service did with probeChecksum's upload. */
  private enum ProbeAnswer {
    /* Refused as a checksum mismatch: it checks. */
    REFUSED_AS_WRONG,
    /* Refused the checksum header itself: it does not check, and stored nothing. */
    HEADER_REFUSED,
    /* Stored it: it does not check; the probe is to be deleted. */
    STORED
  }

  /**
   * Lists the buckets the credentials own (ListBuckets), in the order the service gives them
   * (by name on S3). Services that paginate the list (S3 with a {@code ContinuationToken}) are
   * followed page by page as the listing is pulled; the others answer it in one document.
   *
   * @return the buckets, fetched lazily
   */
  public AsyncIterator<Bucket> listBuckets() {
    checkOpen();
    URI e = config.endpoint();
    return whileOpen(listBucketPages(e), "listBuckets()");
  }

  private AsyncIterator<Bucket> listBucketPages(URI e) {
    return AsyncIterators.paginate(
        (String) null,
        (@Nullable String token) -> {
          HttpRequest.Builder b =
              HttpRequest.newBuilder(URI.create(e.getScheme() + "://" + e.getRawAuthority() + "/"));
          if (token != null) {
            b.query("continuation-token", token);
          }
          return Chains.then(
              http.send(b.GET().build(), r -> xml(r).thenApply(S3Xml::bucketsPage)),
              page -> Chains.done(Page.of(page.buckets(), page.nextToken())));
        });
  }

  /**
   * Lists the objects whose keys start with {@code prefix}, in key order, fetching pages of
   * {@code listPageSize} keys lazily as the listing is read (ListObjectsV2 continuation tokens).
   *
   * @param bucket the bucket
   * @param prefix the key prefix, or null (or empty) for every object
   * @return the objects, fetched page by page as they are pulled
   * @throws IllegalArgumentException if the bucket name breaks the S3 naming rules, or the prefix
   *     is not valid Unicode (an unpaired surrogate)
   */
  public AsyncIterator<BlobObject> list(String bucket, @Nullable String prefix) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.unicode("prefix", prefix);
    AsyncIterator<BlobObject> pages =
        AsyncIterators.paginate(
        (String) null,
        (@Nullable String token) ->
            Chains.then(
                listPage(bucket, prefix, null, token),
                page -> {
                  List<BlobObject> objects = new ArrayList<>(page.entries().size());
                  for (ListEntry e : page.entries()) {
                    if (e instanceof BlobObject o) {
                      objects.add(o);
                    }
                  }
                  return Chains.done(Page.of(objects, page.nextToken()));
                }));
    return whileOpen(pages, "list(" + bucket + ", " + prefix + ")");
  }

  /**
   * Lists one level of a hierarchy: the objects directly under {@code prefix}, and a {@link
   * CommonPrefix} for each "directory" (the keys that share the prefix up to the next {@code
   * delimiter}), fetched lazily page by page.
   *
   * @param bucket the bucket
   * @param prefix the key prefix, or null (or empty) for the top level
   * @param delimiter the delimiter, usually {@code "/"}
   * @return the entries, fetched page by page as they are pulled
   * @throws IllegalArgumentException if the bucket name breaks the S3 naming rules, the delimiter
   *     is empty, or the prefix or the delimiter is not valid Unicode (an unpaired surrogate)
   */
  public AsyncIterator<ListEntry> list(String bucket, @Nullable String prefix, String delimiter) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.unicode("prefix", prefix);
    Objects.requireNonNull(delimiter, "delimiter");
    if (delimiter.isEmpty()) {
      throw new IllegalArgumentException(
          "delimiter must not be empty; use list(bucket, prefix) for a flat listing");
    }
    Validate.unicode("delimiter", delimiter);
    AsyncIterator<ListEntry> pages =
        AsyncIterators.paginate(
        (String) null,
        (@Nullable String token) ->
            Chains.then(
                listPage(bucket, prefix, delimiter, token),
                page -> Chains.done(Page.of(page.entries(), page.nextToken()))));
    return whileOpen(pages, "list(" + bucket + ", " + prefix + ", " + delimiter + ")");
  }

  private CompletionStage<S3Xml.ListPage> listPage(
      String bucket, @Nullable String prefix, @Nullable String delimiter, @Nullable String token) {
    HttpRequest.Builder b =
        request(bucket, null)
            .query("list-type", "2")
            .query("encoding-type", "url") // decoded where the answer says it is (S3Xml)
            .query("max-keys", Integer.toString(config.listPageSize()));
    if (prefix != null && !prefix.isEmpty()) {
      b.query("prefix", prefix);
    }
    if (delimiter != null) {
      b.query("delimiter", delimiter);
    }
    if (token != null) {
      b.query("continuation-token", token);
    }
    return http.send(b.build(), r -> xml(r).thenApply(S3Xml::listPage));
  }

  /**
   * Lists the multipart uploads that were started under {@code prefix} and neither completed nor
   * aborted, in key order, fetched page by page as they are pulled (ListMultipartUploads). This
   * client aborts the uploads it fails or is cancelled in; the listing finds the ones a crashed
   * process or another client left.
   *
   * @param bucket the bucket
   * @param prefix the key prefix, or null (or empty) for every key
   * @return the pending uploads
   * @throws IllegalArgumentException if the bucket name breaks the S3 naming rules, or the prefix
   *     is not valid Unicode (an unpaired surrogate)
   */
  public AsyncIterator<PendingUpload> listUploads(String bucket, @Nullable String prefix) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.unicode("prefix", prefix);
    record Marker(String key, @Nullable String uploadId) {}
    AsyncIterator<PendingUpload> pages =
        AsyncIterators.paginate(
        (Marker) null,
        (@Nullable Marker marker) -> {
          HttpRequest.Builder b =
              request(bucket, null).query("uploads", null).query("encoding-type", "url");
          if (prefix != null && !prefix.isEmpty()) {
            b.query("prefix", prefix);
          }
          if (marker != null) {
            b.query("key-marker", marker.key());
            if (marker.uploadId() != null) {
              b.query("upload-id-marker", marker.uploadId());
            }
          }
          return Chains.then(
              http.send(b.GET().build(), BlobCore::xml),
              bytes -> {
                io.ambidex.blob.internal.UploadsXml.Page page =
                    io.ambidex.blob.internal.UploadsXml.page(bytes);
                Marker next =
                    page.nextKeyMarker() == null
                        ? null
                        : new Marker(page.nextKeyMarker(), page.nextUploadIdMarker());
                return Chains.done(Page.of(page.uploads(), next));
              });
        });
    return whileOpen(pages, "listUploads(" + bucket + ", " + prefix + ")");
  }

  /**
   * Aborts a multipart upload: the service deletes its stored parts. Aborting an upload that is
   * already gone succeeds (its end is what was asked for).
   *
   * @param bucket the bucket
   * @param key the key the upload writes
   * @param uploadId the upload's identifier, from {@link #listUploads}
   * @return a stage that completes when the service has aborted it
   * @throws IllegalArgumentException if the bucket name or the key breaks the S3 rules, or the
   *     upload id is empty
   */
  public CompletionStage<Void> abortUpload(String bucket, String key, String uploadId) {
    checkOpen();
    Validate.bucket(bucket);
    Validate.key(key);
    Objects.requireNonNull(uploadId, "uploadId");
    if (uploadId.isEmpty()) {
      throw new IllegalArgumentException("uploadId must not be empty; take it from listUploads");
    }
    Validate.unicode("uploadId", uploadId);
    CompletableFuture<Void> done = new CompletableFuture<>();
    http.send(request(bucket, key).query("uploadId", uploadId).DELETE().build(), BlobCore::discard)
        .whenComplete(
            (ignored, failure) -> {
              Throwable f = failure == null ? null : Chains.unwrap(failure);
              if (f == null || (f instanceof BlobException e && e.code().equals("NoSuchUpload"))) {
                done.complete(null);
              } else {
                done.completeExceptionally(f);
              }
            });
    return done;
  }

  /**
   * Copies an object on the server side (up to 5 GiB, the limit of a single S3 copy), with the
   * source's content type, other object headers and user metadata (S3's default {@code COPY}
   * directive). To set them instead, use the {@code copy} that takes {@link PutOptions}.
   *
   * @param sourceBucket the source's bucket
   * @param sourceKey the source's key
   * @param targetBucket the copy's bucket
   * @param targetKey the copy's key
   * @return a stage that completes with the copy's ETag
   */
  public CompletionStage<String> copy(
      String sourceBucket, String sourceKey, String targetBucket, String targetKey) {
    checkOpen();
    Validate.bucket(sourceBucket);
    Validate.key(sourceKey);
    Validate.bucket(targetBucket);
    Validate.key(targetKey);
    return copyRequest(sourceBucket, sourceKey, targetBucket, targetKey, null, null);
  }

  /**
   * Copies an object on the server side (up to 5 GiB), replacing its content type, other object
   * headers and user metadata with {@code options} ({@code x-amz-metadata-directive: REPLACE}):
   * the copy has exactly what the options set, and the server's defaults for the rest, so {@link
   * PutOptions#defaults()} clears them. (The other {@code copy} keeps the source's.) The part size
   * this client records on a multipart upload ({@value PutOptions#RESERVED_METADATA_NAME}) is
   * carried over, read with a HEAD of the source first, so the copy's downloads are checked as the
   * source's are.
   *
   * @param sourceBucket the source's bucket
   * @param sourceKey the source's key
   * @param targetBucket the copy's bucket
   * @param targetKey the copy's key
   * @param options what the copy stores beside the bytes
   * @return a stage that completes with the copy's ETag; it fails with {@link NoSuchKeyException}
   *     if there is no such source
   */
  public CompletionStage<String> copy(
      String sourceBucket,
      String sourceKey,
      String targetBucket,
      String targetKey,
      PutOptions options) {
    checkOpen();
    Validate.bucket(sourceBucket);
    Validate.key(sourceKey);
    Validate.bucket(targetBucket);
    Validate.key(targetKey);
    Objects.requireNonNull(options, "options");
    return Chains.then(
        http.send(
            request(sourceBucket, sourceKey).HEAD().build(),
            r ->
                discard(r)
                    .thenApply(
                        ignored ->
                            r.headers().firstValue(DownloadVerifier.PART_SIZE_HEADER).orElse(""))),
        partSize ->
            copyRequest(
                sourceBucket,
                sourceKey,
                targetBucket,
                targetKey,
                options,
                partSize.matches("[0-9]{1,10}") ? partSize : null));
  }

  /*
   * CopyObject: without options the server copies the source's headers and metadata (the COPY
   * directive, its default); with them, REPLACE and the options, plus the source's part-size
   * record when it had one.
   */
  private CompletionStage<String> copyRequest(
      String sourceBucket,
      String sourceKey,
      String targetBucket,
      String targetKey,
      @Nullable PutOptions options,
      @Nullable String partSize) {
    HttpRequest.Builder b =
        request(targetBucket, targetKey)
            .PUT(RequestBody.empty())
            .setHeader("x-amz-copy-source", SigV4.encodePath("/" + sourceBucket + "/" + sourceKey));
    if (options != null) {
      withOptions(b, options).setHeader("x-amz-metadata-directive", "REPLACE");
      if (partSize != null) {
        b.setHeader(DownloadVerifier.PART_SIZE_HEADER, partSize);
      }
    }
    HttpRequest put = b.build();
    return Chains.onFailure(
        http.send(
            put,
            r ->
                xml(r)
                    .thenApply(
                        bytes -> {
                          // CopyObject may fail after a 200 status, in the body.
                          return etagOfSuccess(put, r, bytes);
                        })),
        failure -> {
          if (failure instanceof BlobException e) {
            copyFailed(e, sourceBucket, sourceKey, targetBucket);
          }
        });
  }

  /*
   * A copy's request is addressed to its target and names its source only in a header, so a
   * NoSuchKey or NoSuchBucket would read as if the target were missing: say which it was. A PUT
   * needs no target key, so a missing key is the source's; S3 and moto name the missing bucket
   * (BucketName), S3Proxy does not.
   */
  private static void copyFailed(
      BlobException e, String sourceBucket, String sourceKey, String targetBucket) {
    if (e instanceof NoSuchKeyException) {
      e.withDetail("The copy's source " + what(sourceBucket, sourceKey) + " does not exist.");
    } else if (e instanceof NoSuchBucketException) {
      String named;
      try {
        named = S3Xml.firstText(e.bodySnippet().getBytes(StandardCharsets.UTF_8), "BucketName");
      } catch (RuntimeException unreadable) { // the snippet may be cut short
        named = null;
      }
      if (sourceBucket.equals(targetBucket) || sourceBucket.equals(named)) {
        e.withDetail("The copy's source bucket " + sourceBucket + " does not exist.");
      } else if (targetBucket.equals(named)) {
        e.withDetail("The copy's target bucket " + targetBucket + " does not exist.");
      } else {
        e.withDetail(
            "The copy reads " + what(sourceBucket, sourceKey) + " into bucket " + targetBucket
                + ": one of the two buckets does not exist.");
      }
    }
  }

  // ---- helpers ----

  /*
   * A GET of a whole object asks for the object's flexible checksum, whatever the client's own
   * algorithm (choice 268): an object uploaded with one is then checked with it, by a hardware
   * CRC rather than MD5, and a service that keeps none ignores the header. Not once a service has
   * refused the header itself (sendAskingChecksum).
   */
  private HttpRequest.Builder withChecksumMode(HttpRequest.Builder b) {
    if (!checksumModeRefused) {
      b.setHeader(CHECKSUM_MODE, "ENABLED");
    }
    return b;
  }

  /*
   * Sends a GET made with withChecksumMode. A service that refuses x-amz-checksum-mode itself
   * (501 NotImplemented, as an S3Proxy before flexible checksums answers an x-amz- header it does
   * not know; 400 InvalidArgument or InvalidRequest) gets the request again without it; when that
   * succeeds, this client asks no more. A failure of the second request is the one reported.
   */
  private <T> CompletionStage<T> sendAskingChecksum(
      HttpRequest request, Function<HttpResponse, CompletionStage<T>> handler) {
    // The handler has closed the response; a value that comes too late holds nothing.
    return askingChecksum(request, r -> http.send(r, handler), value -> {});
  }

  /*
   * The resend of sendAskingChecksum, for a send whose value is `late`'s to release when it
   * arrives after the caller cancelled (a response: see Chains.recoverWith).
   */
  private <T> CompletionStage<T> askingChecksum(
      HttpRequest request,
      Function<HttpRequest, CompletionStage<T>> send,
      Consumer<? super T> late) {
    if (request.headers().firstValue(CHECKSUM_MODE).isEmpty()) {
      return send.apply(request);
    }
    if (checksumModeRefused) { // refused since the request was built (a stream reconnecting)
      return send.apply(request.toBuilder().removeHeader(CHECKSUM_MODE).build());
    }
    CompletionStage<T> first = send.apply(request);
    return Chains.recoverWith(
        first,
        failure -> {
          if (!(failure instanceof BlobException e)
              || !(e.status() == 501
                  || (e.status() == 400
                      && (e.code().equals("InvalidArgument") || e.code().equals("InvalidRequest"))))) {
            return Chains.failed(failure);
          }
          return send.apply(request.toBuilder().removeHeader(CHECKSUM_MODE).build());
        },
        value -> checksumModeRefused = true,
        late);
  }

  private HttpRequest.Builder request(String bucket, @Nullable String key) {
    URI e = config.endpoint();
    String authority;
    String path;
    // A dotted bucket name stays path-style in virtual-host mode (BlobConfig.Builder.pathStyle).
    if (config.pathStyle() || bucket.indexOf('.') >= 0) {
      authority = e.getRawAuthority();
      path = "/" + bucket + (key == null ? "" : "/" + key);
    } else {
      authority = bucket + "." + e.getRawAuthority();
      path = "/" + (key == null ? "" : key);
    }
    return HttpRequest.newBuilder(URI.create(e.getScheme() + "://" + authority + SigV4.encodePath(path)));
  }

  /* The object headers and user metadata of an upload, a multipart upload's create or a copy. */
  private static HttpRequest.Builder withOptions(HttpRequest.Builder b, PutOptions options) {
    options.headers().forEach(b::setHeader);
    return b;
  }

  private HttpRequest.Builder withDigests(HttpRequest.Builder b, Part part) {
    Digests d = part.digests();
    if (d.algorithm().flexible()) {
      b.setHeader(d.algorithm().header(), d.checksumBase64());
      b.setHeader("x-amz-sdk-checksum-algorithm", d.algorithm().name());
    } else {
      b.setHeader("Content-MD5", d.checksumBase64());
    }
    String sha = part.digests().sha256Hex();
    b.setHeader("x-amz-content-sha256", sha != null ? sha : SigV4.UNSIGNED_PAYLOAD);
    return b;
  }

  private static BlobObject metadata(String key, long size, HttpHeaders headers) {
    Instant modified = Dates.rfc1123(headers.firstValue("last-modified").orElse(null));
    return new BlobObject(
        key, size, S3Xml.unquote(headers.firstValue("etag").orElse("")), modified);
  }

  private static String what(String bucket, String key) {
    return "s3://" + bucket + "/" + key;
  }

  private static CompletionStage<Void> discard(HttpResponse response) {
    return response.body().readAllBytes(MAX_XML).thenApply(bytes -> null);
  }

  private static CompletionStage<byte[]> xml(HttpResponse response) {
    return response.body().readAllBytes(MAX_XML);
  }

  /** Reads an upload's response and checks the ETag against the MD5 sent; returns the ETag. */
  private static CompletionStage<String> uploaded(HttpResponse r, Part part, String what) {
    return discard(r)
        .thenApply(
            ignored -> {
              String etag = S3Xml.unquote(r.headers().firstValue("etag").orElse(""));
              Digests d = part.digests();
              if (d.algorithm().flexible()) {
                // The service recomputes the checksum sent and refuses a mismatch (BadDigest);
                // one that answers with another value stored something else.
                String echoed = r.headers().firstValue(d.algorithm().header()).orElse(null);
                String sent = d.checksumBase64();
                if (echoed != null && !echoed.isBlank() && !echoed.strip().equals(sent)) {
                  throw new BlobIntegrityException(
                      what + (part.number() > 1 || r.request().uri().getRawQuery() != null
                          ? " (part " + part.number() + ")" : "")
                          + " was stored with " + d.algorithm() + " checksum " + echoed.strip()
                          + ", but the bytes sent have " + sent
                          + ": the service stored something else.",
                      sent,
                      echoed.strip());
                }
                return etag;
              }
              String md5 = d.md5Hex();
              if (etag.matches("[0-9a-fA-F]{32}")
                  && DownloadVerifier.etagIsChecksum(r.headers())
                  && !etag.equalsIgnoreCase(md5)) {
                throw new BlobIntegrityException(
                    what + (part.number() > 1 || r.request().uri().getRawQuery() != null
                        ? " (part " + part.number() + ")" : "")
                        + " was stored with ETag " + etag + ", but the MD5 of the bytes sent is "
                        + md5 + ": the service stored something else.",
                    md5,
                    etag);
              }
              return etag;
            });
  }

  /**
   * Closes the client: first waits, at most 30 seconds in all, for the downloads to a file and
   * the uploads called before it to end, cleanup included (a cancelled future of the async facade
   * completes at once, before its download has deleted its temporary file or its multipart
   * upload has been aborted); a transfer still waiting for its first response or its first part
   * counts. Then it closes the transport, failing whatever is still in flight (other requests are
   * not waited for), and the runtime. The blocking client waits on the calling thread, even for
   * transfers running on other threads; an interrupt ends that wait early (the flag stays set)
   * and the close goes on. Cancelling the returned stage (or an interrupted wait on it, which
   * cancels it) stops only that wait: the close itself goes on to the end, since a close stopped
   * halfway would leave the transport's threads and connections open.
   *
   * <p>From the moment close is called, every operation of this client (a {@code presign}, a
   * {@code get}, a multipart {@code put}, a listing, a stream, ...) throws {@link
   * IllegalStateException} at the call, on both facades, as a bad argument does ("This BlobClient
   * was closed: create a new one."; the async facades say "This blob client"); and a stream or
   * listing obtained before fails its next pull with {@link CancellationException}, as the
   * requests that the closed transport cut do. Calling close again is harmless.
   *
   * @return a stage that completes when everything is closed
   */
  @Override
  public CompletionStage<Void> close() {
    closed = true;
    CompletableFuture<Void> settled =
        inFlight
            .settled()
            .completeOnTimeout(null, CLEANUP_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    // The blocking client waits here, on the caller's thread (a transfer may be running on
    // another one); an interrupt ends the wait, not the close. A close after an earlier one has
    // closed the runtime (which then refuses every call) has nothing left to wait for.
    CompletableFuture<@Nullable Void> pending;
    try {
      pending =
          runtime
              .await("BlobCore.close", settled)
              .toCompletableFuture()
              .exceptionally(interrupted -> null);
    } catch (BlockingNotAllowedException refused) {
      throw refused;
    } catch (IllegalStateException runtimeClosed) {
      pending = CompletableFuture.completedFuture(null);
    }
    // A copy: Chains.then passes a cancellation on to the stage in flight, here the wait for
    // the cleanups, and closeNow() would then never run.
    return Chains.then(pending, ignored -> closeNow()).copy();
  }

  /*
   * The first check of every operation: a closed client (or one being closed) fails the call at
   * once, on both facades, as bad arguments do (Validate), before anything is sent or started.
   * The core cannot tell which async facade (or flavour) wraps it; the blocking one is BlobClient.
   */
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          (runtime.isBlocking() ? "This BlobClient" : "This blob client")
              + " was closed: create a new one.");
    }
  }

  /*
   * A stream or listing handed out before close(): once the client is closed, its next pull
   * fails with the CancellationException that the transport gives the exchanges it cuts, not
   * with what the closed transport or runtime would throw at a new request (an
   * IllegalStateException that names them). A pull already waiting when close() starts is cut by
   * the transport; if that surfaces as the closed runtime's or executor's refusal, it is
   * translated too, with the refusal as the cause, and so is that refusal thrown at the call by a
   * pull that began as close() ran on another thread (seen once in CI under load:
   * ClosedClientTest's async stream, whose publisher looks ahead on an I/O thread).
   */
  /* Package-private for ClosedClientTest, which times a close between its check and the pull. */
  <T extends @Nullable Object> AsyncIterator<T> whileOpen(
      AsyncIterator<T> source, String what) {
    return new AsyncIterator<>() {
      @Override
      public CompletionStage<Boolean> hasNext() {
        if (closed) {
          return CompletableFuture.failedFuture(closedWhileRead(what, null));
        }
        CompletionStage<Boolean> next;
        try {
          next = source.hasNext();
        } catch (RuntimeException refused) {
          // A pull that passed the check above while close() ran on another thread (a
          // publisher's look-ahead on an I/O thread) meets the closed runtime at the call.
          if (refusedByClose(refused)) {
            return CompletableFuture.failedFuture(closedWhileRead(what, refused));
          }
          throw refused;
        }
        if (next instanceof CompletableFuture<Boolean> f
            && f.isDone()
            && !f.isCompletedExceptionally()) {
          return next; // the sync transport's already completed stages pass as they are
        }
        return Chains.recover(
            next,
            failure -> {
              if (refusedByClose(failure)) {
                throw closedWhileRead(what, failure);
              }
              throw failure instanceof RuntimeException r ? r : new CompletionException(failure);
            });
      }

      @Override
      public T next() {
        return source.next();
      }

      @Override
      public CompletionStage<Void> close() {
        return source.close();
      }

      @Override
      public String toString() {
        return source.toString();
      }
    };
  }

  /* The closed runtime's or executor's refusal of a pull, once this client is closed. */
  private boolean refusedByClose(Throwable failure) {
    return closed
        && (failure instanceof IllegalStateException
            || failure instanceof RejectedExecutionException);
  }

  private CancellationException closedWhileRead(String what, @Nullable Throwable cause) {
    CancellationException e =
        new CancellationException(
            what + " was being read when its client was closed, which closed the transport:"
                + " read it again from a new client.");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private CompletionStage<Void> closeNow() {
    return Chains.then(
        http.close(),
        ignored -> {
          if (offload != null) {
            offload.shutdown();
          }
          return runtime.close().thenApply(x -> null);
        });
  }

  /*
   * CompleteMultipartUpload and CopyObject can fail after a 200 status, with an error document in
   * the body: throw it as the typed exception a non-200 error would have been, else return the
   * ETag of the result document (unquoted, empty if absent).
   */
  private static String etagOfSuccess(HttpRequest request, HttpResponse response, byte[] body) {
    S3Xml.Error error = S3Xml.error(body);
    if (error != null) {
      throw Errors.of(
          new HttpStatusException(
              request.method(),
              request.uri(),
              response.status(),
              response.headers(),
              new String(body, StandardCharsets.UTF_8)),
          error.code(),
          error.message(),
          error.requestId());
    }
    String etag = S3Xml.firstText(body, "ETag");
    return etag == null ? "" : S3Xml.unquote(etag);
  }

  @Override
  public String toString() {
    return "BlobCore[" + config.endpoint() + ", " + config.region()
        + (runtime.isBlocking() ? ", blocking]" : ", async]");
  }

  /** A multipart upload that ListParts still finds after it was aborted. */
  private static final class UploadStillThere extends IOException {
    private static final long serialVersionUID = 1L;

    UploadStillThere(String what, String uploadId) {
      super("The multipart upload " + uploadId + " of " + what + " still had parts after it was"
          + " aborted " + ABORT_ROUNDS + " times (a part sent before the abort may have been"
          + " stored after it): abort it again, or set a lifecycle rule that expires incomplete"
          + " uploads.");
    }
  }
}
