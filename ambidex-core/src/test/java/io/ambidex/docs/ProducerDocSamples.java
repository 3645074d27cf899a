package io.ambidex.docs;

import io.ambidex.control.Async;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerIterator;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The code of {@code docs/producers.md}: every {@code java} block of that page appears in this
 * file (checked by {@link DocSnippetsTest}), and {@link DocSamplesTest} runs it.
 */
final class ProducerDocSamples {
  private ProducerDocSamples() {}

  // ---- stand-ins for the reader's own types ----

  record Row(int id) {}

  /** A connection whose query yields three rows; records whether it was closed. */
  static final class Connection implements AutoCloseable {
    static final AtomicInteger OPEN = new AtomicInteger();

    Connection() {
      OPEN.incrementAndGet();
    }

    List<Row> query() {
      return List.of(new Row(1), new Row(2), new Row(3));
    }

    @Override
    public void close() {
      OPEN.decrementAndGet();
    }
  }

  static Connection open() {
    return new Connection();
  }

  static final List<String> HANDLED = new ArrayList<>();

  static void handle(Connection c, Row row) {
    HANDLED.add("row " + row.id());
  }

  static BufferedReader openLog() {
    return new BufferedReader(new StringReader("started\nERROR disk full\nstopped\n"));
  }

  // ---- the samples ----

  static List<String> quickStart() {
    HANDLED.clear();
    Producer<Row, Connection> rows = Producer.of(ctx -> {
      try (Connection c = open()) {       // setup, on the producer's own thread
        ctx.started(c);                   // setup is done: hand the connection over
        for (Row row : c.query()) {
          ctx.send(row);                  // returns when the consumer wants more
        }
      }                                   // also runs when the consumer stops early
    });

    try (ProducerIterator<Row, Connection> it = rows.iterator()) {
      Connection c = it.setup();          // setup has finished; no row produced yet
      while (it.hasNext()) {
        handle(c, it.next());
      }
    }
    return List.copyOf(HANDLED);
  }

  static List<String> withoutSetupValue() {
    Producer<String, Void> errors = Producer.of(ctx -> {
      try (BufferedReader log = openLog()) {
        ctx.started();
        for (String line; (line = log.readLine()) != null; ) {
          if (line.startsWith("ERROR")) {
            ctx.send(line);
          }
        }
      }
    });

    try (Stream<String> lines = errors.stream()) {
      return lines.map(String::toLowerCase).collect(Collectors.toList());
    }
  }

  static CompletionStage<Integer> asyncConsumer() {
    Producer<Row, Connection> rows = Producer.of(ctx -> {
      try (Connection c = open()) {
        ctx.started(c);
        for (Row row : c.query()) {
          ctx.send(row);
        }
      }
    });

    AsyncProducerIterator<Row, Connection> it = rows.asyncIterator();
    AtomicBoolean more = new AtomicBoolean(true);
    AtomicInteger sum = new AtomicInteger();
    CompletionStage<Integer> total = it.setup()
        .thenCompose(connection -> Async.whileLoop(more::get, () -> it.hasNext()
            .thenAccept(hasNext -> {
              if (hasNext) {
                sum.addAndGet(it.next().id());
              } else {
                more.set(false);
              }
            })))
        .whenComplete((done, failure) -> it.close())
        .thenApply(done -> sum.get());
    return total;
  }

  static Flow.Publisher<Row> publisher() {
    Producer<Row, Connection> rows = Producer.of(ctx -> {
      try (Connection c = open()) {
        ctx.started(c);
        for (Row row : c.query()) {
          ctx.send(row);
        }
      }
    });

    Flow.Publisher<Row> publisher = rows.publisher(); // runs the body once per subscriber
    return publisher;
  }

  static Producer<Row, Connection> configured(ThreadFactory myThreads) {
    Producer<Row, Connection> rows = Producer.builder()
        .threadFactory(myThreads)                 // default: virtual threads
        .bufferSize(1)                            // default 256; 1 = lock step
        .cleanupGrace(Duration.ofMillis(200))     // default 1 s
        .build(ctx -> {
          try (Connection c = open()) {
            ctx.started(c);
            for (Row row : c.query()) {
              ctx.send(row);
            }
          }
        });
    return rows;
  }

  static Producer<Integer, Void> pollingBody() {
    Producer<Integer, Void> ticks = Producer.of(ctx -> {
      ctx.started();
      for (int i = 0; !ctx.isCancelled(); i++) {
        Thread.sleep(10);                         // interrupted by a close
        ctx.send(i);                              // throws once the consumer closed
      }
    });
    return ticks;
  }

  // ---- when not to use a producer ----

  record Page(List<String> names, String nextToken) {}

  /** An async listing: one stage per page; a null token ends it. */
  interface AsyncLister {
    CompletionStage<Page> page(String token);
  }

  /** A plain AsyncIterator over the pages of an async source: no thread anywhere. */
  static final class Listing implements AsyncIterator<String> {
    private final AsyncLister lister;
    private Iterator<String> current = List.<String>of().iterator();
    private String token = "";

    Listing(AsyncLister lister) {
      this.lister = lister;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      if (current.hasNext()) {
        return CompletableFuture.completedFuture(true);
      }
      if (token == null) {
        return CompletableFuture.completedFuture(false);
      }
      return lister.page(token).thenCompose(page -> {
        current = page.names().iterator();
        token = page.nextToken();
        return hasNext();
      });
    }

    @Override
    public String next() {
      if (!current.hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    @Override
    public CompletionStage<Void> close() {
      token = null;
      return CompletableFuture.completedFuture(null);
    }
  }

  static AsyncIterator<String> listing(AsyncLister lister) {
    // Do not: Producer.of(ctx -> { ... BlockingWait.get(lister.page(token), ...) ... })
    AsyncIterator<String> names = new Listing(lister);
    return names;
  }
}
