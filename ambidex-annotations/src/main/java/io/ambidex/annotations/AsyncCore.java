package io.ambidex.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an <em>async-first</em> core: a class whose operations return {@code CompletionStage}
 * and run the same code over a sync transport or an async one. The processor generates, in the
 * core's package, two public final classes with parallel shapes:
 *
 * <ul>
 *   <li>the {@linkplain #blocking() blocking facade}: each {@code CompletionStage<T>} method
 *       becomes a method returning {@code T}, read through the {@linkplain #bridge() bridge};
 *       {@code AutoCloseable} if the core has an async {@code close()};
 *   <li>the {@linkplain #async() async facade}: each such method returns a {@code CallFuture<T>}
 *       that callers can cancel (cancellation reaches the core's stage) but not complete; {@code
 *       AsyncCloseable} if the core is.
 * </ul>
 *
 * <p>On request, more facades over the same core, one per reactive ecosystem: {@link #reactor()}
 * ({@code Mono}/{@code Flux}), {@link #rxjava3()} ({@code Single}/{@code Maybe}/{@code
 * Completable}/{@code Flowable}) and {@link #mutiny()} ({@code Uni}/{@code Multi}). Each is
 * generated over the async facade (it holds one and calls it), is lazy (each subscription makes a
 * new call) and needs its runtime module on the compile path ({@code ambidex-reactor}, {@code
 * ambidex-rxjava3}, {@code ambidex-mutiny}); {@code docs/reactive.md} has the mapping.
 *
 * <p>Each facade obtains its core from the core's static methods annotated {@link
 * BlockingFactory} and {@link AsyncFactory}; at least one of each is required. Every other public
 * instance method of the core (declared or inherited, except those of {@code Object} and those
 * annotated {@link ExcludeFromFacades}) is mapped; {@code docs/processor.md} has the full table.
 *
 * <pre>{@code
 * @AsyncCore(blocking = "BlobClient", async = "AsyncBlobClient")
 * final class BlobCore implements AsyncCloseable {
 *   @BlockingFactory
 *   static BlobCore blocking(URI endpoint) { ... sync transport, SyncRuntime ... }
 *
 *   @AsyncFactory
 *   static BlobCore async(URI endpoint) { ... async transport, AsyncRuntime ... }
 *
 *   public CompletionStage<byte[]> get(String key) throws BlobException { ... }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AsyncCore {
  /**
   * The simple name of the generated blocking facade, for example {@code "BlobClient"}. It is
   * generated in the core's package.
   *
   * @return a Java identifier, different from the core's name and from {@link #async()}
   */
  String blocking();

  /**
   * The simple name of the generated async facade, for example {@code "AsyncBlobClient"}. It is
   * generated in the core's package.
   *
   * @return a Java identifier, different from the core's name and from {@link #blocking()}
   */
  String async();

  /**
   * How the blocking facade turns each stage into a result.
   *
   * @return {@link Bridge#IMMEDIATE} by default, for cores whose blocking factory builds them on a
   *     sync transport; {@link Bridge#SYNCHRONIZER} for a core that runs on a Synchronizer's loop
   *     (both facades then call it there)
   */
  Bridge bridge() default Bridge.IMMEDIATE;

  /**
   * The simple name of a generated Project Reactor facade, for example {@code
   * "ReactorBlobClient"}, or {@code ""} (the default) for none. Its single results are {@code
   * Mono}, its streams {@code Flux}, its close {@code Mono<Void>}. Needs {@code
   * io.ambidex:ambidex-reactor} (and {@code reactor-core}) on the compile path.
   *
   * @return a Java identifier different from the other facades' names, or {@code ""}
   */
  String reactor() default "";

  /**
   * The simple name of a generated RxJava 3 facade, for example {@code "Rx3BlobClient"}, or
   * {@code ""} (the default) for none. Its results are {@code Single} ({@code Maybe} when the
   * result type is annotated {@code @Nullable}, {@code Completable} for {@code Void}), its streams
   * {@code Flowable}. Needs {@code io.ambidex:ambidex-rxjava3} (and {@code rxjava}) on the compile
   * path.
   *
   * @return a Java identifier different from the other facades' names, or {@code ""}
   */
  String rxjava3() default "";

  /**
   * The simple name of a generated SmallRye Mutiny facade, for example {@code
   * "MutinyBlobClient"}, or {@code ""} (the default) for none. Its single results are {@code Uni},
   * its streams {@code Multi}, its close {@code Uni<Void>}. Needs {@code
   * io.ambidex:ambidex-mutiny} (and {@code mutiny}) on the compile path.
   *
   * @return a Java identifier different from the other facades' names, or {@code ""}
   */
  String mutiny() default "";
}
