package io.ambidex.it.files;

import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingCore;
import io.ambidex.annotations.BlockingFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of text files, written in plain blocking style; the async facade runs each call on
 * a virtual thread.
 */
@BlockingCore(blocking = "FileStore", async = "AsyncFileStore")
final class FileCore {
  private final Path root;

  private FileCore(Path root) {
    this.root = root;
  }

  /**
   * Opens the store over a directory.
   *
   * @param root the directory, which must exist
   */
  @BlockingFactory
  @AsyncFactory
  static FileCore open(Path root) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("not a directory: " + root);
    }
    return new FileCore(root);
  }

  /**
   * Reads a file.
   *
   * @param name the file's name
   * @return the file's text
   * @throws IOException if it cannot be read
   */
  public String read(String name) throws IOException {
    return Files.readString(root.resolve(name));
  }

  /**
   * Writes a file.
   *
   * @param name the file's name
   * @param text the text
   * @throws IOException if it cannot be written
   */
  public void write(String name, String text) throws IOException {
    Files.writeString(root.resolve(name), text);
  }

  /**
   * Lists the files' names, in order.
   *
   * @return the names
   * @throws IOException if the directory cannot be read
   */
  public List<String> list() throws IOException {
    try (Stream<Path> files = Files.list(root)) {
      return files.map(path -> path.getFileName().toString()).sorted().toList();
    }
  }
}
