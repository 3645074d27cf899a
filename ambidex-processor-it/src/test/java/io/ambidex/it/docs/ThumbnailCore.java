package io.ambidex.it.docs;

import io.ambidex.annotations.AsyncExecutor;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingCore;
import io.ambidex.annotations.BlockingFactory;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/** Scales images, in plain blocking code. */
@BlockingCore(blocking = "Thumbnails", async = "AsyncThumbnails")
final class ThumbnailCore {
  private final ExecutorService pool;

  private ThumbnailCore(ExecutorService pool) {
    this.pool = pool;
  }

  /**
   * Creates a thumbnailer whose async calls run on {@code pool}.
   *
   * @param pool runs the async facade's calls
   */
  @BlockingFactory
  @AsyncFactory
  static ThumbnailCore create(ExecutorService pool) {
    return new ThumbnailCore(pool);
  }

  @AsyncExecutor
  Executor executor() {
    return pool;
  }

  /**
   * Scales an image down.
   *
   * @param image the image
   * @param width the width of the thumbnail
   * @return the thumbnail
   * @throws IOException if the image cannot be decoded
   */
  public byte[] scale(byte[] image, int width) throws IOException {
    if (image.length == 0) {
      throw new IOException("not an image");
    }
    return new byte[Math.min(width, image.length)];
  }
}
