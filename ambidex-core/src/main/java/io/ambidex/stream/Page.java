package io.ambidex.stream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One page of a paginated listing: its items and the token that fetches the next page, or null on
 * the last page. Pages are what the fetch function of {@link AsyncIterators#paginate} returns.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Immutable</b>: the items are copied into an unmodifiable list; they may be null if
 *       {@code T} allows it.
 *   <li><b>Tokens are opaque</b>: {@code K} is whatever the service uses (a continuation string, a
 *       marker record, a URI). Ambidex only compares tokens with {@code equals}, to detect a
 *       service that would loop forever (a token that comes back).
 * </ul>
 *
 * @param items the page's items, never null (an empty page is allowed)
 * @param nextToken the token of the next page, or null if this page is the last
 * @param <T> the item type
 * @param <K> the token type
 */
public record Page<T extends @Nullable Object, K>(List<T> items, @Nullable K nextToken) {
  /**
   * Creates a page, copying {@code items}.
   *
   * @throws NullPointerException if {@code items} is null
   */
  public Page {
    Objects.requireNonNull(items, "items");
    items = Collections.unmodifiableList(new ArrayList<>(items));
  }

  /**
   * Returns a page that has a next page if {@code nextToken} is not null.
   *
   * @param items the page's items
   * @param nextToken the token of the next page, or null if this page is the last
   * @return the page
   */
  public static <T extends @Nullable Object, K> Page<T, K> of(
      List<T> items, @Nullable K nextToken) {
    return new Page<>(items, nextToken);
  }

  /**
   * Returns the last page of a listing.
   *
   * @param items the page's items
   * @return a page with no next token
   */
  public static <T extends @Nullable Object, K> Page<T, K> last(List<T> items) {
    return new Page<>(items, null);
  }

  /** Returns true if this page is the last one (it has no next token). */
  public boolean isLast() {
    return nextToken == null;
  }
}
