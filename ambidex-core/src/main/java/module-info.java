/**
 * Ambidex core: write I/O logic once against {@link java.util.concurrent.CompletionStage} and
 * obtain a blocking path and an async path from it.
 *
 * <p>One exported package per concept, each depending only on the ones listed before it:
 *
 * <ul>
 *   <li>{@code io.ambidex.context}: context propagation across the core's thread hops (the
 *       {@code ContextPropagator} SPI), below everything so that every hop may use it;
 *   <li>{@code io.ambidex}: the call boundary (bridges, {@code CallFuture}, deadlines, the
 *       blocking guard, the exceptions every bridge shares);
 *   <li>{@code io.ambidex.control}: stack-safe control flow ({@code Async}, retries) and the
 *       runtimes;
 *   <li>{@code io.ambidex.stream}: async iterators, their operators, pagination and the bridges to
 *       {@code Iterator}, {@code Stream} and {@code Flow.Publisher};
 *   <li>{@code io.ambidex.producer}: two-phase producers;
 *   <li>{@code io.ambidex.taskgroup}: structured concurrency;
 *   <li>{@code io.ambidex.synchronizer}: the library-owned loop thread;
 *   <li>{@code io.ambidex.facade}: what generated facades call.
 * </ul>
 *
 * <p>The {@code internal} packages are implementation details, not exported, and may change in
 * any release.
 */
module io.ambidex.core {
  requires static transitive org.jspecify;

  exports io.ambidex.context;
  exports io.ambidex;
  exports io.ambidex.control;
  exports io.ambidex.stream;
  exports io.ambidex.producer;
  exports io.ambidex.taskgroup;
  exports io.ambidex.synchronizer;
  exports io.ambidex.facade;
}
