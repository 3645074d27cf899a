package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.Page;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * The pages of a paginated listing. Nothing is fetched before the first hasNext(); each hasNext()
 * after a page was taken fetches the next one, with the token the previous page gave, until a page
 * has no next token.
 *
 * A fetch whose stage is already complete (a sync transport) is read in place and answered with
 * the shared TRUE, so a blocking consumer pays no allocation for the answer. An incomplete fetch
 * is answered with a CallFuture that depends on it: cancelling the answer cancels the fetch, and
 * close() cancels it too. A failed, cancelled or invalid fetch ends the iteration: that failure is
 * the answer of this and every later hasNext().
 *
 * A token that comes back. A next token equal to the one that fetched its page is refused at once.
 * A longer cycle (a -> b -> a) is found with Brent's algorithm, in constant memory: `mark` holds
 * one token of the listing, and each next token is compared with it; after `power` pages the mark
 * moves to the newest token and `power` doubles. Once the listing is in a cycle of length L, the
 * mark lands in it by the time `power` reaches L, so the token comes back within about twice the
 * pages before and in the cycle. A listing that never repeats a token is never refused; one equals
 * per page is the cost.
 */
public final class PageIterator<T extends @Nullable Object, K> implements AsyncIterator<Page<T, K>> {
  private final Function<? super @Nullable K, ? extends CompletionStage<Page<T, K>>> fetch;
  private @Nullable K token;
  private @Nullable K mark;
  private long power = 1;
  private long sinceMark;
  private boolean started;
  private @Nullable Page<T, K> current;
  private @Nullable CompletionStage<Boolean> terminal;
  private volatile @Nullable CallFuture<Boolean> inFlight;
  private volatile boolean closed;

  public PageIterator(
      @Nullable K firstToken,
      Function<? super @Nullable K, ? extends CompletionStage<Page<T, K>>> fetch) {
    this.token = firstToken;
    this.mark = firstToken;
    this.fetch = fetch;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw Iteration.closed("page iterator", "hasNext");
    }
    if (current != null) {
      return Results.TRUE;
    }
    CompletionStage<Boolean> end = terminal;
    if (end != null) {
      return end;
    }
    if (started && token == null) {
      terminal = Results.FALSE;
      return Results.FALSE;
    }
    started = true;
    K requested = token;
    CompletableFuture<Page<T, K>> page;
    try {
      CompletionStage<Page<T, K>> stage = fetch.apply(requested);
      if (stage == null) {
        throw new NullPointerException("The page fetch function returned null, not a stage");
      }
      page = Stages.asFuture(stage);
    } catch (Throwable t) {
      return fail(t);
    }
    if (page.isDone()) {
      Throwable failure = accept(requested, page);
      return failure == null ? Results.TRUE : java.util.Objects.requireNonNull(terminal);
    }
    CallFuture<Boolean> answer = Calls.create("paginate.hasNext");
    Calls.dependOn(answer, page);
    inFlight = answer;
    page.whenComplete(
        (p, e) -> {
          inFlight = null;
          Throwable failure = accept(requested, page);
          if (failure == null) {
            Calls.succeed(answer, true);
          } else {
            Calls.fail(answer, failure);
          }
        });
    if (closed) {
      answer.cancel(true);
    }
    return answer;
  }

  /* Takes in a completed fetch; returns null, or the failure that ends the iteration. */
  private @Nullable Throwable accept(@Nullable K requested, CompletableFuture<Page<T, K>> f) {
    Page<T, K> page;
    try {
      page = f.join();
    } catch (CompletionException | CancellationException e) {
      return end(Failures.unwrap(e));
    }
    if (page == null) {
      return end(new NullPointerException("The page fetch completed with null, not a Page"));
    }
    K next = page.nextToken();
    if (next != null && next.equals(requested)) {
      return end(
          new IllegalStateException(
              "A page's next token must differ from the token that fetched it, or the listing"
                  + " never ends; the service returned the token '"
                  + next
                  + "' again"));
    }
    if (next != null) {
      if (next.equals(mark)) {
        return end(
            new IllegalStateException(
                "A token of the listing came back, so the listing would never end: the service"
                    + " returned the token '"
                    + next
                    + "' again, within "
                    + (sinceMark + 1)
                    + " pages"));
      }
      if (++sinceMark == power) {
        mark = next;
        power <<= 1;
        sinceMark = 0;
      }
    }
    token = next;
    current = page;
    return null;
  }

  private Throwable end(Throwable failure) {
    terminal = Calls.failed("paginate.hasNext", failure);
    return failure;
  }

  private CompletionStage<Boolean> fail(Throwable failure) {
    end(failure);
    return java.util.Objects.requireNonNull(terminal);
  }

  @Override
  public Page<T, K> next() {
    if (closed) {
      throw Iteration.closed("page iterator", "next");
    }
    Page<T, K> page = current;
    if (page == null) {
      throw Iteration.noItem("page iterator");
    }
    current = null;
    return page;
  }

  /** Cancels a fetch in flight; the pending hasNext() fails with CancellationException. */
  @Override
  public CompletionStage<Void> close() {
    closed = true;
    CallFuture<Boolean> pending = inFlight;
    if (pending != null) {
      pending.cancel(true);
    }
    return Results.DONE;
  }

  @Override
  public String toString() {
    return "page iterator" + (closed ? " [closed]" : token == null ? "" : " at token " + token);
  }
}
