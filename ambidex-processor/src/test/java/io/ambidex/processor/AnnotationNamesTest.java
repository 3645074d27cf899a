package io.ambidex.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncExecutor;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingCore;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.ExcludeFromFacades;
import org.junit.jupiter.api.Test;

/**
 * The processor names the annotations by string so that it never loads them (it runs without
 * ambidex-annotations on the processor module path); here the strings meet the classes.
 */
class AnnotationNamesTest {
  @Test
  void annotationNames_areTheAnnotationsCanonicalNames() {
    assertThat(CoreAnalyzer.ASYNC_CORE).isEqualTo(AsyncCore.class.getCanonicalName());
    assertThat(CoreAnalyzer.BLOCKING_CORE).isEqualTo(BlockingCore.class.getCanonicalName());
    assertThat(CoreAnalyzer.BLOCKING_FACTORY).isEqualTo(BlockingFactory.class.getCanonicalName());
    assertThat(CoreAnalyzer.ASYNC_FACTORY).isEqualTo(AsyncFactory.class.getCanonicalName());
    assertThat(CoreAnalyzer.ASYNC_EXECUTOR).isEqualTo(AsyncExecutor.class.getCanonicalName());
    assertThat(CoreAnalyzer.EXCLUDE).isEqualTo(ExcludeFromFacades.class.getCanonicalName());
  }
}
