package io.ambidex.processor.samples;

import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingCore;
import io.ambidex.annotations.BlockingFactory;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tiny in-memory file store written in plain blocking style.
 */
@BlockingCore(async = "AsyncDisk", blocking = "Disk")
final class DiskCore implements AutoCloseable {
  private final Map<String, String> files;
  private final String directory;
  private final AtomicBoolean closed;

  private DiskCore(Map<String, String> files, String directory, AtomicBoolean closed) {
    this.files = files;
    this.directory = directory;
    this.closed = closed;
  }

  /**
   * Opens a new, empty disk.
   *
   * @param files the disk's contents, shared with the caller
   * @return the core
   */
  @BlockingFactory
  @AsyncFactory
  static DiskCore open(Map<String, String> files) {
    return new DiskCore(Objects.requireNonNull(files, "files"), "", new AtomicBoolean());
  }

  /**
   * Reads a file.
   *
   * @param path the file's path
   * @return the file's content
   * @throws IOException if there is no such file
   */
  public String read(String path) throws IOException {
    String content;
    synchronized (files) {
      content = files.get(directory + path);
    }
    if (content == null) {
      throw new NoSuchFileException(directory + path);
    }
    return content;
  }

  /**
   * Writes a file.
   *
   * @param path the file's path, not empty
   * @param content the content
   * @throws IOException if the disk is closed
   */
  public void write(String path, String content) throws IOException {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("path must not be empty");
    }
    if (closed.get()) {
      throw new IOException("closed");
    }
    synchronized (files) {
      files.put(directory + path, content);
    }
  }

  /** Returns how many files there are. */
  public int count() {
    synchronized (files) {
      return files.size();
    }
  }

  /** Returns the paths of the files, in order. */
  public List<String> list() {
    synchronized (files) {
      return List.copyOf(new TreeMap<>(files).keySet());
    }
  }

  /**
   * Returns a view of a directory.
   *
   * @param name the directory's name
   * @return the view
   */
  public DiskCore directory(String name) {
    return new DiskCore(files, directory + name + "/", closed);
  }

  /**
   * Blocks until interrupted, for tests of cancellation.
   *
   * @param started counted down when the call has started
   * @param interrupted completed with true when the call is interrupted
   * @return "not interrupted", which it never returns in practice
   * @throws InterruptedException when interrupted
   */
  public String block(CountDownLatch started, CompletableFuture<Boolean> interrupted)
      throws InterruptedException {
    started.countDown();
    try {
      new CountDownLatch(1).await();
      return "not interrupted";
    } catch (InterruptedException e) {
      interrupted.complete(true);
      throw e;
    }
  }

  /** Returns the name of the thread running the call. */
  public Thread thread() {
    return Thread.currentThread();
  }

  /** Returns whether the disk is closed. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
