package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run of {@code bin/blob}'s start-up cache stays a run of working commands: a change
 * to a command's options that breaks one of them would otherwise only show as a launcher that
 * keeps no cache.
 */
class StartupTrainingTest {
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void train_everyCommand_succeedsAndLeavesOnlyItsDirectory(@TempDir Path dir) throws Exception {
    List<String> failures = StartupTraining.train(dir);

    assertThat(failures).as("commands of the training that failed").isEmpty();
    try (Stream<Path> files = Files.list(dir)) {
      // Its tree, the two stores and what it downloaded: nothing written elsewhere.
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains("tree", "served", "embedded", "down-endpoint", "down-async");
    }
  }
}
