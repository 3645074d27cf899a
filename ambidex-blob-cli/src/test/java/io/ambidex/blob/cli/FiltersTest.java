package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Globs translate as Python's fnmatch does (what the AWS CLI uses), sets included. */
@Timeout(10)
class FiltersTest {
  private static boolean excluded(String glob, String path) {
    return !Filters.of(List.of(Filters.rule(false, glob))).accepts(path);
  }

  @Test
  void set_withOpeningBracket_matchesTheBracket() {
    assertThat(excluded("[[]*", "[draft].txt")).isTrue();
    assertThat(excluded("[[]*", "draft.txt")).isFalse();
  }

  @Test
  void set_posixClassSyntax_isCharactersAsInFnmatch() {
    // fnmatch has no [:alpha:]: the set is "[:alph" and a literal "]" follows.
    assertThat(excluded("[[:alpha:]]*", "a]x")).isTrue();
    assertThat(excluded("[[:alpha:]]*", ":]")).isTrue();
    assertThat(excluded("[[:alpha:]]*", "abc")).isFalse();
  }

  @Test
  void set_withAmpersands_isCharactersNotIntersection() {
    assertThat(excluded("[a&&b]*", "a.txt")).isTrue();
    assertThat(excluded("[a&&b]*", "b.txt")).isTrue();
    assertThat(excluded("[a&&b]*", "&.txt")).isTrue();
    assertThat(excluded("[a&&b]*", "c.txt")).isFalse();
  }

  @Test
  void set_caretsBackslashesRangesAndNegation_asFnmatch() {
    assertThat(excluded("[^a]", "^")).isTrue();
    assertThat(excluded("[^a]", "b")).isFalse();
    assertThat(excluded("[a^]", "^")).isTrue();
    assertThat(excluded("[!^]", "^")).isFalse();
    assertThat(excluded("[!^]", "x")).isTrue();
    assertThat(excluded("[\\]", "\\")).isTrue();
    assertThat(excluded("[a-c]", "b")).isTrue();
    assertThat(excluded("[a-c]", "d")).isFalse();
    assertThat(excluded("[a-]", "-")).isTrue();
    assertThat(excluded("[]]", "]")).isTrue();
    assertThat(excluded("[!]]", "]")).isFalse();
    assertThat(excluded("[z-a]x", "zx")).isFalse(); // an empty range, as fnmatch drops it
    assertThat(excluded("[z-a]x", "x")).isFalse();
    assertThat(excluded("[x", "[x")).isTrue(); // no closing bracket: a literal '['
  }

  @Test
  void parse_setPatterns_areNoUsageError() {
    for (String glob : List.of("[[]*", "[[:alpha:]]*", "[a&&b]*", "[z-a]", "[]-]", "[\\]")) {
      BlobTool.commandLine(new BlobTool(), "rm", "--exclude", glob, "s3://bkt/k")
          .parseArgs("rm", "--exclude", glob, "s3://bkt/k");
    }
  }
}
