/**
 * Annotations that mark a core class for the Ambidex annotation processor, which generates its
 * public facades as Java source at compile time.
 *
 * <table>
 *   <caption>The annotations</caption>
 *   <tr><th>Annotation</th><th>On</th><th>Means</th></tr>
 *   <tr><td>{@link io.ambidex.annotations.AsyncCore}</td><td>a class</td>
 *       <td>an async-first core (methods return {@code CompletionStage}); generates a blocking
 *       facade and an async facade</td></tr>
 *   <tr><td>{@link io.ambidex.annotations.BlockingCore}</td><td>a class</td>
 *       <td>a blocking-first core (plain blocking methods); generates an async facade that runs
 *       each call on a virtual thread, and optionally a blocking facade</td></tr>
 *   <tr><td>{@link io.ambidex.annotations.BlockingFactory}, {@link
 *       io.ambidex.annotations.AsyncFactory}</td><td>static methods of the core</td>
 *       <td>how each facade obtains its core; their parameters become the facade's public
 *       constructors (or static factory methods)</td></tr>
 *   <tr><td>{@link io.ambidex.annotations.AsyncExecutor}</td><td>a method of a blocking core</td>
 *       <td>the executor the async facade runs calls on, instead of virtual threads</td></tr>
 *   <tr><td>{@link io.ambidex.annotations.ExcludeFromFacades}</td><td>a public method</td>
 *       <td>not exposed by the facades</td></tr>
 * </table>
 *
 * <p>Every annotation has {@link java.lang.annotation.RetentionPolicy#CLASS} retention: nothing
 * here is needed at run time. The mapping from core methods to facade methods, the build setup and
 * every diagnostic are described in {@code docs/processor.md}.
 */
package io.ambidex.annotations;
