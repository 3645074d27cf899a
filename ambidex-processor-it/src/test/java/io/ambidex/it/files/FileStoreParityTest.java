package io.ambidex.it.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.ApiParity;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The facades generated from the blocking-first {@link FileCore}, over a temporary directory. */
class FileStoreParityTest {
  /** A temporary directory, deleted when the run closes it. */
  record TempDir(Path path) implements AutoCloseable {
    static TempDir create() {
      try {
        return new TempDir(Files.createTempDirectory("ambidex-it"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      try (Stream<Path> files = Files.walk(path)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  @RegisterExtension
  static final ParityExtension<FileStore, AsyncFileStore> STORES =
      ParityExtension.<FileStore, AsyncFileStore>builder()
          .blocking("temp dir", TempDir::create, dir -> new FileStore(dir.path()))
          .async("temp dir", TempDir::create, dir -> new AsyncFileStore(dir.path()))
          .build();

  @ParityTest
  void write_thenRead_returnsTheText(Parity<FileStore, AsyncFileStore> parity, TempDir dir)
      throws Exception {
    parity.run(s -> s.write("a.txt", "hi")).async(a -> a.write("a.txt", "hi"));

    assertThat(parity.call(s -> s.read("a.txt")).async(a -> a.read("a.txt"))).isEqualTo("hi");
    assertThat(Files.readString(dir.path().resolve("a.txt"))).isEqualTo("hi");
    assertThat(parity.call(s -> s.list()).async(a -> a.list())).containsExactly("a.txt");
  }

  @ParityTest
  void read_missingFile_failsWithNoSuchFile(Parity<FileStore, AsyncFileStore> parity) {
    assertThatThrownBy(() -> parity.call(s -> s.read("nope")).async(a -> a.read("nope")))
        .isExactlyInstanceOf(NoSuchFileException.class);
  }

  @Test
  void open_notADirectory_isRejectedByBothConstructors() {
    Path missing = Path.of("does-not-exist");

    assertThatThrownBy(() -> new FileStore(missing)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AsyncFileStore(missing))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(FileStore.class, AsyncFileStore.class);
  }
}
