package io.ambidex.processor;

/**
 * Every error the processor reports. Each has a stable tag, printed in brackets at the start of the
 * message so that builds and tests can recognize it, and a sentence saying what to write instead,
 * printed at the end. {@code docs/processor.md} lists them with examples.
 */
enum Problem {
  CORE_KIND(
      "AMBIDEX-CORE-KIND",
      "Put @AsyncCore or @BlockingCore, not both, on a class (not an interface, enum or record)."),
  CORE_ACCESS(
      "AMBIDEX-CORE-ACCESS",
      "Make the core a top-level class in its own file, or a static nested class, not private"
          + " and not inside a private class, so that the facades generated in its package can"
          + " use it."),
  GENERIC_CORE(
      "AMBIDEX-GENERIC-CORE",
      "Remove the core's type parameters: give it concrete types, or make its methods generic"
          + " instead."),
  FACADE_NAME(
      "AMBIDEX-FACADE-NAME",
      "Use simple Java identifiers, different from each other and from the core's name, for"
          + " example blocking = \"BlobClient\", async = \"AsyncBlobClient\"."),
  MISSING_FACTORY(
      "AMBIDEX-MISSING-FACTORY",
      "Add a static method to the core, package-private, that builds the core for that facade and"
          + " is annotated with the factory annotation named above; its parameters become the"
          + " facade's public constructor."),
  FACTORY(
      "AMBIDEX-FACTORY",
      "A factory is a static, non-private method of the annotated core that returns the core's"
          + " type."),
  EXECUTOR(
      "AMBIDEX-EXECUTOR",
      "Annotate at most one method of a @BlockingCore with @AsyncExecutor: an instance method"
          + " with no parameters, not private, returning java.util.concurrent.Executor."),
  SYNCHRONIZER_BOUND(
      "AMBIDEX-SYNCHRONIZER-BOUND",
      "Implement io.ambidex.synchronizer.SynchronizerBound in the core: its synchronizer() returns the"
          + " Synchronizer whose loop the core runs on, such as the one its factories create."),
  FLAVOUR(
      "AMBIDEX-FLAVOUR",
      "Add the flavour's runtime module and its library to the compile path of the core (and,"
          + " in a named module, require the runtime module), or remove the attribute."),
  RAW_STAGE(
      "AMBIDEX-RAW-STAGE",
      "Give the stage its result type: CompletionStage<T>, or CompletionStage<Void> when there is"
          + " no result."),
  WILDCARD_STAGE(
      "AMBIDEX-WILDCARD-STAGE",
      "Name the result type: CompletionStage<T> or CompletionStage<? extends T>, or"
          + " CompletionStage<Void> when there is no result."),
  FUTURE(
      "AMBIDEX-FUTURE",
      "Return CompletionStage<T> instead (a CompletableFuture is accepted): a plain Future can be"
          + " read only by blocking, and its cancellation cannot be passed on."),
  RAW_STREAM(
      "AMBIDEX-RAW-STREAM",
      "Give the sequence its item type: AsyncIterator<T> or Flow.Publisher<T>."),
  ASYNC_CALLBACK(
      "AMBIDEX-ASYNC-CALLBACK",
      "Declare the parameter as AsyncCallback<E>, or as a generic functional interface whose"
          + " result type argument is the stage, such as Function<K, CompletionStage<V>>, so that"
          + " the blocking facade can take Consumer<E> or Function<K, V>."),
  ASYNC_IN_BLOCKING_CORE(
      "AMBIDEX-ASYNC-IN-BLOCKING-CORE",
      "A @BlockingCore method blocks and returns its value: return T itself, or write an"
          + " async-first core annotated with @AsyncCore."),
  TYPE_ACCESS(
      "AMBIDEX-TYPE-ACCESS",
      "The facades are top-level classes of the core's package: a type in a signature they copy"
          + " must not be private, and must be public (with every class enclosing it) if it is in"
          + " another package. Widen its access, use another type, or keep the method out of the"
          + " facades with @ExcludeFromFacades."),
  CLASH(
      "AMBIDEX-CLASH",
      "Rename one of the two methods, or keep one out of the facades with @ExcludeFromFacades."),
  UNSUPPORTED(
      "AMBIDEX-UNSUPPORTED",
      "Rewrite the signature with the supported forms listed in docs/processor.md, or keep the"
          + " method out of the facades with @ExcludeFromFacades.");

  private final String tag;
  private final String fix;

  Problem(String tag, String fix) {
    this.tag = tag;
    this.fix = fix;
  }

  /** The stable tag, such as {@code AMBIDEX-RAW-STAGE}. */
  String tag() {
    return tag;
  }

  /** The tag's usual fix: what to write instead. */
  String fix() {
    return fix;
  }

  /** The message for one occurrence: the tag, what is wrong, and how to fix it. */
  String message(String whatIsWrong) {
    return message(whatIsWrong, fix);
  }

  /**
   * The message for an occurrence whose fix is more specific than the tag's usual one: the tag,
   * what is wrong, and {@code fixInstead}.
   */
  String message(String whatIsWrong, String fixInstead) {
    return "[" + tag + "] " + whatIsWrong + " " + fixInstead;
  }
}
