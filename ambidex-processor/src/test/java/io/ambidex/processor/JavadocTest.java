package io.ambidex.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JavadocTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a stage that completes with the blob's bytes | the blob's bytes",
        "A future which is completed with the value | the value",
        "the stage that will complete with the key's value | the key's value",
        "a {@code CompletionStage} that completes normally with true | true",
        "a stage of the keys, in order | the keys, in order",
        "a CompletionStage holding the result | the result",
        "a {@link java.util.concurrent.CompletionStage} of the keys | the keys",
        "a {@linkplain CallFuture future} that completes with the key | the key"
      })
  void unwrapAsyncResult_asyncPhrasing_returnsTheResultItself(String text, String result) {
    assertThat(Javadoc.unwrapAsyncResult(text)).isEqualTo(result);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "the blob's bytes",
        "true if it exists",
        "a stage manager",
        "the {@link Blob} for the key",
        "a {@code Map} of words to counts",
        "a {@linkplain java.util.List list} with the keys"
      })
  void unwrapAsyncResult_plainPhrasing_returnsNull(String text) {
    assertThat(Javadoc.unwrapAsyncResult(text)).isNull();
  }

  @Test
  void parse_splitsDescriptionAndTags_keepingMultiLineTagsAndPreBlocks() {
    Javadoc doc =
        Javadoc.parse(
            " Reads it.\n"
                + "\n"
                + " <pre>{@code\n"
                + " @Override\n"
                + " }</pre>\n"
                + "\n"
                + " @param key the key,\n"
                + "     not empty\n"
                + " @return a stage that completes with\n"
                + "     the value\n");

    assertThat(doc.description())
        .containsExactly("Reads it.", "", "<pre>{@code", "@Override", "}</pre>");
    assertThat(doc.tags()).extracting(Javadoc.Tag::name).containsExactly("param", "return");
    assertThat(doc.tag("param")).isEqualTo("key the key,\nnot empty");
    assertThat(Javadoc.unwrapAsyncResult(doc.tag("return"))).isEqualTo("the value");
  }

  @Test
  void parse_linesStartingWithAtInsideInlineTags_areNotBlockTags() {
    Javadoc doc =
        Javadoc.parse(
            " Watches a key, for example with a listener type of your own:\n"
                + " {@snippet :\n"
                + " @FunctionalInterface\n"
                + " interface Listener { void changed(String key); }\n"
                + " }\n"
                + " The returned stage completes when the watch ends, {@code\n"
                + " @Nullable} or not.\n"
                + "\n"
                + " @param key the key\n"
                + " @return a stage that completes when the watch ends\n");

    assertThat(doc.description())
        .containsExactly(
            "Watches a key, for example with a listener type of your own:",
            "{@snippet :",
            "@FunctionalInterface",
            "interface Listener { void changed(String key); }",
            "}",
            "The returned stage completes when the watch ends, {@code",
            "@Nullable} or not.");
    assertThat(doc.tags()).extracting(Javadoc.Tag::name).containsExactly("param", "return");
  }

  @Test
  void inlineReturn_isReadAndReplaced() {
    Javadoc doc = Javadoc.parse(" {@return a stage that completes with the {@code size}} Fast.\n");

    assertThat(doc.inlineReturn()).isEqualTo("a stage that completes with the {@code size}");
    assertThat(doc.withInlineReturn("the {@code size}").description())
        .containsExactly("{@return the {@code size}} Fast.");
  }

  @Test
  void withReturn_replacesInPlaceOrAddsAfterTheParams() {
    Javadoc doc = Javadoc.parse(" Gets.\n @param a x\n @throws E if\n");

    assertThat(doc.withReturn("the value").lines())
        .containsExactly("Gets.", "", "@param a x", "@return the value", "@throws E if");
    assertThat(Javadoc.parse(" G.\n @return old\n").withReturn("new").lines())
        .containsExactly("G.", "", "@return new");
  }

  @Test
  void impliedResult_returnsSentence_isReadAsTheResult() {
    assertThat(Javadoc.impliedResult(Javadoc.of(List.of("Returns how many there are.")), "x"))
        .isEqualTo("how many there are");
    assertThat(Javadoc.impliedResult(Javadoc.of(List.of("Counts them.")), "x")).isEqualTo("x");
  }

  @Test
  void wrap_breaksAtTheWidthWithIndents() {
    assertThat(Javadoc.wrap("<li>one two three four", 12, "  ", "      "))
        .containsExactly("  <li>one", "      two", "      three", "      four");
  }

  @Test
  void decapitalize_lowersOnlyOrdinaryWords() {
    assertThat(Javadoc.decapitalize("The value")).isEqualTo("the value");
    assertThat(Javadoc.decapitalize("URL of it")).isEqualTo("URL of it");
  }
}
