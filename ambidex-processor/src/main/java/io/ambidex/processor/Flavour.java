package io.ambidex.processor;

/**
 * A reactive ecosystem the processor can generate a facade for, on request ({@code
 * @AsyncCore(reactor = "...")} and the like). A flavour facade holds the core's async facade and
 * maps each of its results to the ecosystem's types through the flavour's support class, which
 * lives in the flavour's optional runtime module (never in the core).
 */
enum Flavour {
  REACTOR(
      "reactor",
      "Project Reactor",
      "io.ambidex.reactor.ReactorFacades",
      "io.ambidex:ambidex-reactor and io.projectreactor:reactor-core",
      "reactor.core.publisher.Mono",
      "reactor.core.publisher.Mono",
      "reactor.core.publisher.Mono",
      "reactor.core.publisher.Flux",
      "mono",
      "mono",
      "mono",
      "flux"),
  RXJAVA3(
      "rxjava3",
      "RxJava 3",
      "io.ambidex.rxjava3.RxJavaFacades",
      "io.ambidex:ambidex-rxjava3 and io.reactivex.rxjava3:rxjava",
      "io.reactivex.rxjava3.core.Single",
      "io.reactivex.rxjava3.core.Maybe",
      "io.reactivex.rxjava3.core.Completable",
      "io.reactivex.rxjava3.core.Flowable",
      "single",
      "maybe",
      "completable",
      "flowable"),
  MUTINY(
      "mutiny",
      "SmallRye Mutiny",
      "io.ambidex.mutiny.MutinyFacades",
      "io.ambidex:ambidex-mutiny and io.smallrye.reactive:mutiny",
      "io.smallrye.mutiny.Uni",
      "io.smallrye.mutiny.Uni",
      "io.smallrye.mutiny.Uni",
      "io.smallrye.mutiny.Multi",
      "uni",
      "uni",
      "uni",
      "multi");

  /** The attribute of {@code @AsyncCore} that requests it. */
  final String attribute;

  /** The ecosystem's name, for documentation and messages. */
  final String title;

  /** The support class in the flavour's runtime module that generated code calls. */
  final String support;

  /** What to add to the build when {@link #support} is missing. */
  final String artifacts;

  /** The type of a single result, of a nullable one, of a {@code Void} one, and of a stream. */
  final String single;

  final String maybe;
  final String empty;
  final String stream;

  /** The support methods for each of those. */
  final String singleMethod;

  final String maybeMethod;
  final String emptyMethod;
  final String streamMethod;

  Flavour(
      String attribute,
      String title,
      String support,
      String artifacts,
      String single,
      String maybe,
      String empty,
      String stream,
      String singleMethod,
      String maybeMethod,
      String emptyMethod,
      String streamMethod) {
    this.attribute = attribute;
    this.title = title;
    this.support = support;
    this.artifacts = artifacts;
    this.single = single;
    this.maybe = maybe;
    this.empty = empty;
    this.stream = stream;
    this.singleMethod = singleMethod;
    this.maybeMethod = maybeMethod;
    this.emptyMethod = emptyMethod;
    this.streamMethod = streamMethod;
  }

  /** The simple name of a qualified type name. */
  static String simple(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }

  /** Whether {@code Void} results have a type of their own (Completable) rather than X<Void>. */
  boolean voidIsOwnType() {
    return !empty.equals(single);
  }
}
