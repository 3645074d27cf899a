package io.ambidex.it.docs;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** The transport of the docs' blob client: sync or async, behind one async-shaped interface. */
public interface BlobTransport {
  CompletionStage<byte[]> get(String key);

  CompletionStage<Void> put(String key, byte[] data);

  CompletionStage<List<String>> list(String prefix);
}
