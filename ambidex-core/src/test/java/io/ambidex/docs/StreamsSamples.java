package io.ambidex.docs;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.stream.CloseableIterator;
import io.ambidex.stream.Page;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The code samples of {@code docs/streams.md}. Each ```java block of the page appears here line
 * for line (indentation aside), which {@link StreamsDocTest} checks; {@link StreamsSamplesTest}
 * runs them.
 */
final class StreamsSamples {
  private StreamsSamples() {}

  /** The async-shaped transport of the core; a sync transport completes during the call. */
  interface Transport {
    CompletionStage<String> send(String request);
  }

  // ---- a core written once ----

  /** Lists keys, page by page, over whichever transport it is given. */
  static final class ListingCore {
    private final Transport transport;

    ListingCore(Transport transport) {
      this.transport = transport;
    }

    /** The keys under {@code prefix}; pages are fetched as the caller iterates. */
    AsyncIterator<String> list(String prefix) {
      return AsyncIterators.paginate(null, (String token) -> listPage(prefix, token));
    }

    private CompletionStage<Page<String, String>> listPage(String prefix, @Nullable String token) {
      String request = "LIST " + prefix + (token == null ? "" : " FROM " + token);
      // Async.then, not thenApply: closing the iterator mid-page cancels the request itself.
      return Async.then(
          transport.send(request),
          body -> CompletableFuture.completedFuture(parsePage(body)));
    }

    /** Parses "key1,key2;next-token", with no ";next-token" on the last page. */
    private static Page<String, String> parsePage(String body) {
      int semicolon = body.indexOf(';');
      String keys = semicolon < 0 ? body : body.substring(0, semicolon);
      List<String> items = keys.isEmpty() ? List.of() : List.of(keys.split(","));
      return Page.of(items, semicolon < 0 ? null : body.substring(semicolon + 1));
    }
  }

  // ---- the two facades ----

  /** The blocking facade: iterates on the caller's thread. */
  static final class BlockingListing {
    private final ListingCore core;

    BlockingListing(ListingCore core) {
      this.core = core;
    }

    /** The keys under {@code prefix}. Close the stream if you stop before the end. */
    Stream<String> list(String prefix) {
      return AsyncIterators.blockingStream(core.list(prefix));
    }
  }

  /** The async facade: a publisher that lists anew for each subscriber. */
  static final class AsyncListing {
    private final ListingCore core;

    AsyncListing(ListingCore core) {
      this.core = core;
    }

    Flow.Publisher<String> list(String prefix) {
      return AsyncIterators.toPublisher(() -> core.list(prefix));
    }
  }

  // ---- using them ----

  static List<String> firstThreeJpegs(BlockingListing listing) {
    try (Stream<String> keys = listing.list("photos/")) {
      return keys.filter(key -> key.endsWith(".jpg")).limit(3).toList();
    }
  }

  static int countKeys(ListingCore core) {
    int count = 0;
    try (CloseableIterator<String> keys = AsyncIterators.blockingIterator(core.list(""))) {
      while (keys.hasNext()) {
        keys.next();
        count++;
      }
    }
    return count;
  }

  // ---- operators and terminal operations ----

  static CallFuture<@Nullable Void> deleteJpegs(
      ListingCore core, Function<List<String>, CompletionStage<?>> deleteBatch) {
    AsyncIterator<String> jpegs =
        AsyncIterators.filter(core.list("photos/"), key -> key.endsWith(".jpg"));
    AsyncIterator<List<String>> batches = AsyncIterators.batch(jpegs, 1000);
    return AsyncIterators.forEachStage(batches, deleteBatch);
  }

  static CallFuture<List<String>> firstTenKeys(ListingCore core) {
    return AsyncIterators.collect(AsyncIterators.take(core.list(""), 10), Collectors.toList());
  }

  static CallFuture<Integer> totalKeyLength(ListingCore core, List<String> prefixes) {
    AsyncIterator<String> keys =
        AsyncIterators.flatMap(AsyncIterators.fromIterable(prefixes), core::list);
    return AsyncIterators.fold(AsyncIterators.map(keys, String::length), 0, Integer::sum);
  }

  // ---- an AsyncIterator written by hand ----

  /** The lines of a log, read from a reader: every stage it returns is already complete. */
  static final class LogLines implements AsyncIterator<String> {
    private final BufferedReader reader;
    private @Nullable String line;
    private boolean closed;

    LogLines(BufferedReader reader) {
      this.reader = reader;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      if (closed) {
        throw new IllegalStateException("LogLines must not be used after close()");
      }
      if (line == null) {
        try {
          line = reader.readLine();
        } catch (IOException e) {
          return CompletableFuture.failedFuture(new UncheckedIOException(e));
        }
      }
      return AsyncIterators.completedStage(line != null);
    }

    @Override
    public String next() {
      String current = line;
      if (current == null) {
        throw new NoSuchElementException("call next() after hasNext() completed with true");
      }
      line = null;
      return current;
    }

    @Override
    public CompletionStage<Void> close() {
      closed = true;
      try {
        reader.close();
        return CompletableFuture.completedFuture(null);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(new UncheckedIOException(e));
      }
    }
  }

  // ---- from a Flow.Publisher ----

  /**
   * The buffers of a body publisher, for example the JDK HttpClient's {@code
   * BodyHandlers.ofPublisher()}, pulled with at most 16 lists of buffers requested ahead.
   */
  static AsyncIterator<ByteBuffer> bodyBuffers(Flow.Publisher<List<ByteBuffer>> body) {
    return AsyncIterators.flatMapIterable(AsyncIterators.fromPublisher(body, 16), list -> list);
  }

  // ---- off the producing thread ----

  /**
   * Writes a body's buffers to a file on {@code executor}, never on the thread that delivers them
   * (an async transport's I/O thread): started there, and resumed there after every wait.
   */
  static CallFuture<@Nullable Void> save(
      AsyncIterator<ByteBuffer> body, Executor executor, WritableByteChannel file) {
    AsyncIterator<ByteBuffer> chunks = AsyncIterators.resumeOn(body, executor);
    return Async.startOn(executor, () -> AsyncIterators.forEach(chunks, chunk -> write(file, chunk)));
  }

  private static void write(WritableByteChannel file, ByteBuffer chunk) {
    try {
      while (chunk.hasRemaining()) {
        file.write(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
