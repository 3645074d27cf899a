package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The tool's picocli classes are built from picocli's sources at our release (ARCHITECTURE.md,
 * choice 255), not taken from its jar of Java 5 class files, which the JDK's AOT cache does not
 * store: with the jar's classes back, every command starts about 40 ms later and nothing else
 * tells.
 */
class PicocliBytecodeTest {
  private static final int RELEASE_21 = 65;

  @Test
  void picocliClasses_areOfOurRelease_soTheStartUpCacheStoresThem() throws IOException {
    Class<?>[] types = {
      CommandLine.class, CommandLine.Model.CommandSpec.class, picocli.AutoComplete.class
    };
    for (Class<?> type : types) {
      assertThat(majorVersion(type))
          .as("class file version of %s", type.getName())
          .isEqualTo(RELEASE_21);
    }
  }

  private static int majorVersion(Class<?> type) throws IOException {
    String file = type.getName().substring(type.getPackageName().length() + 1) + ".class";
    try (InputStream in = Objects.requireNonNull(type.getResourceAsStream(file), file);
        DataInputStream data = new DataInputStream(in)) {
      assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
      data.readUnsignedShort(); // minor
      return data.readUnsignedShort();
    }
  }
}
