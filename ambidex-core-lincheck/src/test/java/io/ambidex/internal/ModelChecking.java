package io.ambidex.internal;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

/** The model checker's settings shared by every Lincheck test of the core. */
public final class ModelChecking {
  /**
   * Lincheck's wall-clock limit per invocation, instead of its default 30 s. It is a backstop only:
   * a deadlock or livelock among the threads the model checker schedules is found by the checker
   * itself and reported with its interleaving. But the limit also counts Lincheck's own lazy
   * instrumentation, which runs inside the first invocations that reach a class: beside two busy
   * loops and other builds (load near 10 on two cores), one invocation of
   * SynchronizerStreamLincheckTest passed 30 s while a thread was still inside Lincheck's class
   * transformer (its dump: {@code LincheckClassFileTransformer.transformImpl} under {@code
   * Synchronizer.stream}), reported as "The execution has hung, see the thread dump"
   * (2026-12-06; the same test then passed three runs in three at that load).
   */
  private static final long INVOCATION_TIMEOUT_MILLIS = 120_000;

  private ModelChecking() {}

  /**
   * Model-checking options with the invocation limit above; the caller adds the rest. Also: the
   * registration of a producer's view with the process-wide {@link java.lang.ref.Cleaner} ({@code
   * producer.internal.Abandoned}, run when a scenario makes its iterator) is one atomic step. It
   * shares nothing with the hand-offs checked (the Cleaner's list is its own lock's), and traced
   * into the JDK's code it cost the ring's two checks 68 s -> 103 s of interleavings (2026-12-08).
   */
  public static ModelCheckingOptions options() {
    // Lincheck 3.7 keeps the setter Kotlin-internal; the JVM name is public and stable there.
    ModelCheckingOptions options =
        new ModelCheckingOptions().invocationTimeout$lincheck(INVOCATION_TIMEOUT_MILLIS);
    options.addGuarantee(
        forClasses((String name) -> name.equals("io.ambidex.producer.internal.Abandoned"))
            .allMethods()
            .treatAsAtomic());
    return options;
  }
}
