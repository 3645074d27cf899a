package io.ambidex.it.kv;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * An in-memory key-value server with two transports: {@link #syncTransport()} answers during the
 * call, {@link #asyncTransport(Executor)} answers on an executor.
 */
public final class MemoryServer {
  private final Map<String, String> data = new TreeMap<>();

  /** Creates an empty server. */
  public MemoryServer() {}

  /** Returns a transport whose every response is complete on return. */
  public KvTransport syncTransport() {
    return command -> answer(command, Runnable::run);
  }

  /**
   * Returns a transport whose responses complete on {@code executor}.
   *
   * @param executor runs each exchange
   * @return the transport
   */
  public KvTransport asyncTransport(Executor executor) {
    return command -> answer(command, executor);
  }

  /** Returns a copy of the stored entries. */
  public synchronized Map<String, String> contents() {
    return new TreeMap<>(data);
  }

  private CompletionStage<String> answer(String command, Executor executor) {
    CompletableFuture<String> response = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            response.complete(execute(command));
          } catch (KvException e) {
            response.completeExceptionally(e);
          }
        });
    return response;
  }

  private synchronized String execute(String command) throws KvException {
    List<String> words = List.of(command.split(" ", 3));
    return switch (words.get(0)) {
      case "GET" -> {
        String value = data.get(words.get(1));
        if (value == null) {
          throw new KvException("no such key: " + words.get(1));
        }
        yield value;
      }
      case "PUT" -> {
        data.put(words.get(1), words.get(2));
        yield "OK";
      }
      case "DEL" -> data.remove(words.get(1)) == null ? "0" : "1";
      case "KEYS" -> String.join(",", data.keySet());
      default -> throw new KvException("unknown command: " + words.get(0));
    };
  }
}
