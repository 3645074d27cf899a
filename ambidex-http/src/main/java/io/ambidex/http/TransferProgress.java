package io.ambidex.http;

/**
 * How far one transfer of a body has got: emitted by the {@link RequestClient} to a request's
 * {@linkplain HttpRequest.Builder#onProgress progress listener} after each chunk and once at the
 * end.
 *
 * <p>Policies: {@code loaded} never decreases within an attempt; a retried request starts its
 * upload again from 0. The last event of a completed transfer has {@code loaded == total} (when
 * the length was unknown, {@code total} is then set to {@code loaded}).
 *
 * @param direction whether request bytes are being sent or response bytes received
 * @param loaded the bytes transferred so far
 * @param total the body's length, or -1 if unknown until the end
 */
public record TransferProgress(Direction direction, long loaded, long total) {
  /** Which body is moving. */
  public enum Direction {
    /** The request body, client to server. */
    UPLOAD,
    /** The response body, server to client. */
    DOWNLOAD
  }

  /** Returns true once every byte has been transferred: {@code loaded == total}. */
  public boolean isComplete() {
    return loaded == total;
  }

  /** Returns {@code loaded / total} between 0 and 1, or -1 if the total is unknown. */
  public double fraction() {
    return total < 0 ? -1 : total == 0 ? 1 : (double) loaded / total;
  }
}
