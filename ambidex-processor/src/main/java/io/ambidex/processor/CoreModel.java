package io.ambidex.processor;

import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;

/** What the analyzer learned about one annotated core: everything the generator needs. */
record CoreModel(
    TypeElement core,
    Style style,
    String packageName,
    /* The core's simple name, used in operation names ("BlobCore.get"). */
    String coreSimpleName,
    /* Blocking facade's simple name, or null when none is generated. */
    String blockingName,
    String asyncName,
    Bridge bridge,
    List<Factory> blockingFactories,
    List<Factory> asyncFactories,
    List<Method> methods,
    /* The method annotated @AsyncExecutor of a blocking core, or null. */
    ExecutableElement executor,
    /* The flavour facades requested, in Flavour order; empty for none. */
    List<FlavourFacade> flavours) {

  /** A requested flavour facade and its simple name. */
  record FlavourFacade(Flavour flavour, String name) {}

  /** Which way the core is written. */
  enum Style {
    ASYNC_FIRST,
    BLOCKING_FIRST
  }

  /** The bridge of a blocking facade over an async-first core. */
  enum Bridge {
    IMMEDIATE("Immediate", "immediateStream"),
    CALLER_DRAINED("CallerDrained", "drainedStream"),
    BLOCKING_WAIT("BlockingWait", "waitingStream"),
    /* A mode of both facades: every async call runs on the core's Synchronizer. */
    SYNCHRONIZER("Synchronizer", "stream");

    final String className;
    final String streamMethod;

    Bridge(String className, String streamMethod) {
      this.className = className;
      this.streamMethod = streamMethod;
    }
  }

  /** Whether both facades route the core's async methods through its Synchronizer. */
  boolean onSynchronizer() {
    return bridge == Bridge.SYNCHRONIZER;
  }

  boolean hasBlockingFacade() {
    return blockingName != null;
  }

  /** A factory method, and the name of the static method to generate, or "" for a constructor. */
  record Factory(ExecutableElement method, String staticName) {}

  /** What a core method returns, as far as the mapping is concerned. */
  enum Result {
    /** {@code CompletionStage<T>} (or a subtype): T blocking, {@code CallFuture<T>} async. */
    STAGE,
    /** {@code CompletionStage<Void>}: void blocking, {@code CallFuture<Void>} async. */
    STAGE_VOID,
    /** {@code AsyncIterator<T>}: {@code Stream<T>} blocking, {@code Flow.Publisher<T>} async. */
    ITERATOR,
    /** {@code Flow.Publisher<T>}: {@code Stream<T>} blocking, {@code Flow.Publisher<T>} async. */
    PUBLISHER,
    /** The core's own type: each facade returns its own type, wrapping the new core. */
    CORE,
    /** void, in a synchronous method. */
    VOID,
    /** Any other type, in a synchronous method: passed through. */
    PLAIN
  }

  /** How a parameter is passed. */
  enum Pass {
    /** Unchanged, in both facades. */
    PLAIN,
    /** {@code AsyncCallback<E>}: {@code Consumer<E>} on the blocking facade. */
    CALLBACK,
    /** A generic functional type whose result type argument is a stage: that argument unwrapped. */
    ASYNC_FUNCTION,
    /** The core's own type: each facade takes its own type and passes its core. */
    CORE
  }

  /**
   * One exposed method of the core.
   *
   * @param element the method
   * @param returnType its return type as a member of the core
   * @param result how the return type maps
   * @param value for STAGE, ITERATOR, PUBLISHER: the result or item type T
   * @param parameters its parameters, in order
   * @param checked the checked exceptions of its throws clause, without subsumed ones
   * @param close whether it is the core's close method
   */
  record Method(
      ExecutableElement element,
      TypeMirror returnType,
      Result result,
      TypeMirror value,
      List<Parameter> parameters,
      List<? extends TypeMirror> thrown,
      List<TypeMirror> checked,
      boolean close) {
    String name() {
      return element.getSimpleName().toString();
    }
  }

  /**
   * One parameter of an exposed method.
   *
   * @param element the parameter
   * @param type its type as a member of the core
   * @param pass how it is passed
   * @param functional for CALLBACK and ASYNC_FUNCTION: the parameter's declared type
   * @param stageArgument for ASYNC_FUNCTION: the index of the stage type argument
   * @param syncArgument for ASYNC_FUNCTION: what replaces it (T or ? extends T); for CALLBACK: E
   * @param arity for ASYNC_FUNCTION: the number of parameters of the functional method
   * @param samName for ASYNC_FUNCTION: the name of the functional method
   * @param samThrowsChecked for ASYNC_FUNCTION: the functional method declares checked exceptions
   * @param completable for ASYNC_FUNCTION: the stage type argument is a {@code CompletableFuture}
   */
  record Parameter(
      VariableElement element,
      TypeMirror type,
      Pass pass,
      DeclaredType functional,
      int stageArgument,
      TypeMirror syncArgument,
      int arity,
      String samName,
      boolean samThrowsChecked,
      boolean completable) {
    String name() {
      return element.getSimpleName().toString();
    }

    static Parameter plain(VariableElement element, TypeMirror type, Pass pass) {
      return new Parameter(element, type, pass, null, -1, null, 0, null, false, false);
    }
  }
}
