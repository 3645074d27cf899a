package io.ambidex.it.docs;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** An in-memory blob store with a sync transport and an async one. */
public final class MemoryBlobs {
  private final Map<String, byte[]> blobs = new TreeMap<>();

  public BlobTransport syncTransport() {
    return transport(Runnable::run);
  }

  public BlobTransport asyncTransport(Executor executor) {
    return transport(executor);
  }

  private BlobTransport transport(Executor executor) {
    return new BlobTransport() {
      @Override
      public CompletionStage<byte[]> get(String key) {
        return CompletableFuture.supplyAsync(
            () -> {
              synchronized (blobs) {
                byte[] data = blobs.get(key);
                if (data == null) {
                  throw new java.util.concurrent.CompletionException(
                      new BlobNotFoundException(key));
                }
                return data.clone();
              }
            },
            executor);
      }

      @Override
      public CompletionStage<Void> put(String key, byte[] data) {
        return CompletableFuture.runAsync(
            () -> {
              synchronized (blobs) {
                blobs.put(key, data.clone());
              }
            },
            executor);
      }

      @Override
      public CompletionStage<List<String>> list(String prefix) {
        return CompletableFuture.supplyAsync(
            () -> {
              synchronized (blobs) {
                return blobs.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
              }
            },
            executor);
      }
    };
  }
}
