package io.ambidex.bench;

import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerIterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Streaming across threads: a producer on another thread sends 10,000 boxed ints that the
 * benchmark thread (a platform thread) consumes and sums. Scores are per item
 * ({@code @OperationsPerInvocation(10_000)}); allocation per item is {@code gc.alloc.rate.norm}
 * from {@code -prof gc}, and includes the 16 B of each boxed {@code Integer} above 127. Means are
 * noise on a small machine: read the p50 of the sample distribution.
 *
 * <p>Rows: Ambidex's {@link Producer} through its blocking iterator, and through its publisher
 * with {@code request(1)} per item and {@code request(256)} per 256 items; the peers Reactor
 * {@code Flux.create(...).subscribeOn(single()).toIterable()}, a JDK {@link SubmissionPublisher}
 * (buffer 256), and a producer thread with an {@code ArrayBlockingQueue(256)}.
 *
 * <p>The iterator rows hand every item from one thread to the other. The publisher rows do not:
 * a producer's publisher (like the {@code SubmissionPublisher} here, whose executor is the
 * submitting thread) calls {@code onNext} on the producing thread, so they measure the cost of the
 * publisher machinery per item, and the benchmark thread only waits for {@code onComplete}.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     ProducerBenchmark -f 1 -wi 3 -w 2s -i 5 -r 4s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
public class ProducerBenchmark {
  static final int N = 10_000;
  private static final Integer END = Integer.MIN_VALUE;

  private Producer<Integer, Void> producer;
  private Scheduler single;

  /** Builds the producer and the peers' schedulers. */
  @Setup(Level.Trial)
  public void setUp() {
    producer =
        Producer.of(ctx -> {
          ctx.started();
          for (int i = 0; i < N; i++) {
            ctx.send(i);
          }
        });
    single = Schedulers.newSingle("bench-flux");
  }

  /** Stops the peers' threads. */
  @TearDown(Level.Trial)
  public void tearDown() {
    single.dispose();
  }

  /** Ambidex: producer on a virtual thread, consumed through its blocking iterator. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long producerIterator() {
    long sum = 0;
    try (ProducerIterator<Integer, Void> it = producer.iterator()) {
      while (it.hasNext()) {
        sum += it.next();
      }
    }
    return sum;
  }

  /** Ambidex: producer's publisher, the subscriber requesting one item at a time. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long producerPublisherRequest1() throws InterruptedException {
    return drain(producer.publisher(), 1);
  }

  /** Ambidex: producer's publisher, the subscriber requesting 256 items at a time. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long producerPublisherRequest256() throws InterruptedException {
    return drain(producer.publisher(), 256);
  }

  /** Reactor: {@code Flux.create} on a single-thread scheduler, read with {@code toIterable}. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long fluxCreateSubscribeOnToIterable() {
    long sum = 0;
    Flux<Integer> flux =
        Flux.<Integer>create(sink -> {
          for (int i = 0; i < N && !sink.isCancelled(); i++) {
            sink.next(i);
          }
          sink.complete();
        }).subscribeOn(single);
    for (Integer i : flux.toIterable()) {
      sum += i;
    }
    return sum;
  }

  /** JDK: a {@link SubmissionPublisher} (buffer 256) fed by a virtual thread. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long submissionPublisher() throws InterruptedException {
    SubmissionPublisher<Integer> publisher =
        new SubmissionPublisher<>(Runnable::run, 256); // delivered on the submitting thread
    AtomicLong sum = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    publisher.subscribe(new Summer(sum, done, 256));
    Thread.ofVirtual().start(() -> {
      for (int i = 0; i < N; i++) {
        publisher.submit(i);
      }
      publisher.close();
    });
    done.await();
    return sum.get();
  }

  /** The hand-written baseline: a producer thread and an {@code ArrayBlockingQueue(256)}. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long arrayBlockingQueue() throws InterruptedException {
    BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(256);
    Thread.ofVirtual().start(() -> {
      try {
        for (int i = 0; i < N; i++) {
          queue.put(i);
        }
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long sum = 0;
    for (Integer i = queue.take(); i != END; i = queue.take()) {
      sum += i;
    }
    return sum;
  }

  private static long drain(Flow.Publisher<Integer> publisher, int batch)
      throws InterruptedException {
    AtomicLong sum = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    publisher.subscribe(new Summer(sum, done, batch));
    done.await();
    return sum.get();
  }

  /** Sums what it receives, requesting {@code batch} items at a time from inside onNext. */
  static final class Summer implements Flow.Subscriber<Integer> {
    private final AtomicLong total;
    private final CountDownLatch done;
    private final int batch;
    private Flow.Subscription subscription;
    private long sum;
    private int left;

    Summer(AtomicLong total, CountDownLatch done, int batch) {
      this.total = total;
      this.done = done;
      this.batch = batch;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      left = batch;
      s.request(batch);
    }

    @Override
    public void onNext(Integer item) {
      sum += item;
      if (--left == 0) {
        left = batch;
        subscription.request(batch);
      }
    }

    @Override
    public void onError(Throwable t) {
      total.set(Long.MIN_VALUE);
      done.countDown();
    }

    @Override
    public void onComplete() {
      total.set(sum);
      done.countDown();
    }
  }
}
