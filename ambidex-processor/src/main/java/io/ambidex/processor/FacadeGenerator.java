package io.ambidex.processor;

import io.ambidex.processor.CoreModel.Factory;
import io.ambidex.processor.CoreModel.FlavourFacade;
import io.ambidex.processor.CoreModel.Method;
import io.ambidex.processor.CoreModel.Parameter;
import io.ambidex.processor.CoreModel.Pass;
import io.ambidex.processor.CoreModel.Result;
import io.ambidex.processor.CoreModel.Style;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.PrimitiveType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Writes the source of a core's facades from its {@link CoreModel}. The output depends only on the
 * model, in declaration order, so the same core always gives byte-identical files.
 */
final class FacadeGenerator {
  static final String PROCESSOR = "io.ambidex.processor.AmbidexProcessor";

  private static final String CALL_FUTURE = "io.ambidex.CallFuture";
  private static final String FACADE_SUPPORT = "io.ambidex.facade.FacadeSupport";
  private static final String ASYNC_CALLBACK = "io.ambidex.control.AsyncCallback";
  private static final String ASYNC_CLOSEABLE = "io.ambidex.AsyncCloseable";

  private final Elements elements;
  private final Types types;
  private final DocLinks docLinks; // null outside javac: comments are copied as written

  FacadeGenerator(Elements elements, Types types, DocLinks docLinks) {
    this.elements = elements;
    this.types = types;
    this.docLinks = docLinks;
  }


  /** Returns the source of the blocking facade. */
  String blocking(CoreModel model) {
    return new Facade(model, true).write();
  }

  /** Returns the source of the async facade. */
  String async(CoreModel model) {
    return new Facade(model, false).write();
  }

  /** Returns the source of a flavour facade (Reactor, RxJava 3, Mutiny) over the async facade. */
  String flavour(CoreModel model, FlavourFacade flavour) {
    return new Facade(model, flavour).write();
  }

  /** The writing of one facade file. */
  private final class Facade {
    private final CoreModel model;
    private final boolean blocking;
    private final String name;
    private final TypeRenderer t;
    private final JavaWriter w = new JavaWriter();
    private final boolean asyncFirst;
    /* The flavour of a flavour facade; null for the blocking and async facades. */
    private final Flavour flavour;

    Facade(CoreModel model, boolean blocking) {
      this(model, blocking, blocking ? model.blockingName() : model.asyncName(), null);
    }

    Facade(CoreModel model, FlavourFacade flavour) {
      this(model, false, flavour.name(), flavour.flavour());
    }

    private Facade(CoreModel model, boolean blocking, String name, Flavour flavour) {
      this.model = model;
      this.blocking = blocking;
      this.name = name;
      this.flavour = flavour;
      this.asyncFirst = model.style() == Style.ASYNC_FIRST;
      String packageName = model.packageName();
      this.t =
          new TypeRenderer(
              packageName,
              name,
              simple ->
                  elements.getTypeElement(
                          packageName.isEmpty() ? simple : packageName + "." + simple)
                      != null);
    }

    /* The doc comment of a core's element, its references made to resolve in this facade. */
    private String docComment(Element element) {
      String comment = elements.getDocComment(element);
      return docLinks == null ? comment : docLinks.qualify(element, comment, TypeRenderer::token);
    }

    String write() {
      TypeElement core = model.core();
      w.javadoc(t.registered(classDoc()));
      if (generatedAvailable(core)) {
        w.wrapped(
            "@" + t.qualified("javax.annotation.processing.Generated") + "(",
            List.of(
                "value = \"" + PROCESSOR + "\"",
                "comments = \"from " + core.getQualifiedName() + "\""),
            ")");
      }
      // The core's own suppressions hold for the facades, which repeat its signatures; a core
      // deprecated for removal is used by every facade, which @Deprecated does not cover.
      Set<String> suppressed = suppressions(core);
      AnnotationMirror deprecated = annotation(core, "java.lang.Deprecated");
      if (deprecated != null) {
        w.line(t.annotation(deprecated));
        if (forRemoval(deprecated)) {
          suppressed.add("removal");
        }
      }
      suppressWarnings(suppressed);
      String closeable = "";
      if (closeMethod() != null && flavour == null) {
        closeable =
            " implements "
                + (blocking ? t.qualified("java.lang.AutoCloseable")
                    : t.qualified(ASYNC_CLOSEABLE));
      }
      w.line("public final class " + name + closeable + " {");
      w.indent();
      if (flavour != null) {
        flavourMembers();
      } else {
        members(core);
      }
      w.outdent();
      w.line("}");
      return source(core);
    }

    private void members(TypeElement core) {
      w.line("private final " + t.className(core) + " core;");
      for (Factory factory : blocking ? model.blockingFactories() : model.asyncFactories()) {
        w.blank();
        factory(factory);
      }
      w.blank();
      w.line("private " + name + "(" + t.className(core) + " core) {");
      w.indent().line("this.core = core;").outdent();
      w.line("}");
      for (Method method : model.methods()) {
        w.blank();
        method(method);
      }
      w.blank();
      w.line("@Override");
      w.line("public " + t.qualified("java.lang.String") + " toString() {");
      w.indent().line("return \"" + name + "[\" + core + \"]\";").outdent();
      w.line("}");
    }

    private String source(TypeElement core) {
      List<String> imports = t.decideImports();
      StringBuilder out = new StringBuilder();
      out.append("// Generated by the Ambidex annotation processor from ")
          .append(core.getQualifiedName())
          .append(".\n")
          .append("// Do not edit: change ")
          .append(core.getSimpleName())
          .append(" and recompile.\n");
      if (!model.packageName().isEmpty()) {
        out.append("package ").append(model.packageName()).append(";\n");
      }
      out.append('\n');
      for (String line : imports) {
        out.append("import ").append(line).append(";\n");
      }
      if (!imports.isEmpty()) {
        out.append('\n');
      }
      out.append(w.layout(t::resolve));
      return out.toString();
    }

    // ---- class documentation ----

    private List<String> classDoc() {
      String coreName = "{@code " + model.coreSimpleName() + "}";
      List<String> lines =
          new ArrayList<>(Javadoc.parse(docComment(model.core())).description());
      List<String> policies = new ArrayList<>();
      String intro;
      boolean streams = hasResult(Result.ITERATOR) || hasResult(Result.PUBLISHER);
      String lifecycle = closeMethod() == null ? null : "<b>Lifecycle</b>: {@link #close()} closes"
          + " the core.";
      if (flavour != null) {
        intro = "The " + flavour.title + " facade of " + coreName + ", generated by Ambidex over"
            + " its async facade {@link " + model.asyncName() + "}: each method returns a lazy "
            + flavourTypes() + " that makes the core's call once per subscription.";
        flavourPolicies(policies, streams);
        if (closeMethod() != null) {
          lifecycle = "<b>Lifecycle</b>: subscribing to {@link #close()} closes the core.";
        }
      } else if (asyncFirst && model.onSynchronizer()) {
        synchronizerPolicies(policies, streams);
        intro = blocking
            ? "The blocking facade of " + coreName + ", generated by Ambidex: each method runs"
                + " the core's operation on the loop thread of its {@link io.ambidex.synchronizer.Synchronizer}"
                + " and returns its outcome on the calling thread."
            : "The async facade of " + coreName + ", generated by Ambidex: each method starts"
                + " the core's operation on the loop thread of its {@link io.ambidex.synchronizer.Synchronizer}"
                + " and returns a {@link io.ambidex.CallFuture}.";
        if (closeMethod() != null) {
          lifecycle = "<b>Lifecycle</b>: {@link #close()} closes the core on the loop, then the"
              + " Synchronizer if the core {@linkplain io.ambidex.synchronizer.SynchronizerBound#ownsSynchronizer()"
              + " owns} it.";
        }
      } else if (asyncFirst && blocking) {
        intro = "The blocking facade of " + coreName + ", generated by Ambidex: each method runs"
            + " the core's operation and returns its outcome on the calling thread.";
        policies.add(
            switch (model.bridge()) {
              case IMMEDIATE ->
                  "<b>Waiting</b>: none. The operation completes during the call and its outcome"
                      + " is read in place, with no other thread ({@link io.ambidex.Immediate});"
                      + " an operation that did not complete is cancelled and fails at once with"
                      + " {@link io.ambidex.IncompleteStageException}.";
              case CALLER_DRAINED ->
                  "<b>Waiting</b>: the calling thread runs the operation's scheduled work until"
                      + " it completes ({@link io.ambidex.CallerDrained}); interrupting it cancels"
                      + " the operation.";
              case BLOCKING_WAIT ->
                  "<b>Waiting</b>: the calling thread waits while other threads complete the"
                      + " operation ({@link io.ambidex.BlockingWait}); interrupting it cancels the"
                      + " operation.";
              case SYNCHRONIZER -> throw new AssertionError("handled above");
            });
        policies.add(
            "<b>Failures</b>: a method throws the exception its operation failed with, with the"
                + " caller's stack attached as a suppressed {@link io.ambidex.CallerStackTrace};"
                + " a checked exception the method does not declare arrives as the cause of an"
                + " {@link java.lang.reflect.UndeclaredThrowableException}.");
        if (streams) {
          policies.add(
              "<b>Streams</b> are pulled on the calling thread the same way; close them"
                  + " (try-with-resources) to stop early.");
        }
      } else if (asyncFirst) {
        intro = "The async facade of " + coreName + ", generated by Ambidex: each method starts"
            + " the core's operation and returns a {@link io.ambidex.CallFuture}.";
        policies.add(
            "<b>Futures</b>: cancelling one cancels the operation; callers cannot complete them."
                + " Their continuations run on the thread that completes the operation, or on"
                + " the caller's if it has already completed.");
        policies.add(
            "<b>Failures</b>: invalid arguments are rejected by the call itself, as by the"
                + " blocking facade; any other failure fails the future, with the exception type"
                + " the blocking facade would throw.");
        if (streams) {
          policies.add("<b>Publishers</b> have a single subscriber and pull items on demand.");
        }
      } else if (blocking) {
        intro = "The blocking facade of " + coreName + ", generated by Ambidex: each method calls"
            + " the core on the calling thread.";
      } else {
        String where =
            model.executor() == null
                ? "on a new virtual thread"
                : "on the executor returned by {@code " + model.coreSimpleName() + "."
                    + model.executor().getSimpleName() + "()}";
        intro = "The async facade of " + coreName + ", generated by Ambidex: each method runs"
            + " the core's blocking method " + where + " and returns a {@link"
            + " io.ambidex.CallFuture}.";
        policies.add(
            "<b>Cancellation</b>: cancelling the future interrupts the thread running the call,"
                + " or keeps the call from starting.");
        policies.add(
            "<b>Failures</b>: whatever the call throws, invalid arguments and checked exceptions"
                + " included, fails the future.");
      }
      if (lifecycle != null && !policies.isEmpty()) {
        policies.add(lifecycle);
      }
      if (!lines.isEmpty()) {
        lines.add("");
        intro = "<p>" + intro;
      }
      lines.addAll(Javadoc.wrap(intro, 97, "", ""));
      if (!policies.isEmpty()) {
        lines.add("");
        lines.add("<ul>");
        for (String policy : policies) {
          lines.addAll(Javadoc.wrap("<li>" + policy, 97, "  ", "      "));
        }
        lines.add("</ul>");
      }
      return lines;
    }

    /* "{@code Mono}/{@code Flux}": the flavour's types, for the class documentation. */
    private String flavourTypes() {
      List<String> names = new ArrayList<>();
      for (String type : List.of(flavour.single, flavour.maybe, flavour.empty, flavour.stream)) {
        String code = "{@code " + Flavour.simple(type) + "}";
        if (!names.contains(code)) {
          names.add(code);
        }
      }
      return String.join(", ", names.subList(0, names.size() - 1)) + " or "
          + names.get(names.size() - 1);
    }

    /* The policies of a flavour facade. */
    private void flavourPolicies(List<String> policies, boolean streams) {
      policies.add(
          "<b>Laziness</b>: calling a method only evaluates its arguments; nothing starts until"
              + " subscription, and each subscription makes a new call through the async facade.");
      policies.add(
          "<b>Cancellation</b>: cancelling (disposing) a subscription cancels the call in flight,"
              + " down to the transport; a call cancelled on the core's side signals {@code"
              + " onError} with a {@link java.util.concurrent.CancellationException}, the"
              + " library's cancellation signal.");
      policies.add(
          "<b>Failures</b>: whatever the call fails with or throws, argument validation and"
              + " checked exceptions included, arrives as {@code onError} at subscription, with the"
              + " exception type the blocking facade would throw, never a {@link"
              + " java.util.concurrent.CompletionException}.");
      policies.add(
          "<b>Threads</b>: signals arrive on the thread that completes the call, or on the"
              + " subscribing thread when it completed during the call.");
      if (streams) {
        policies.add(
            "<b>Streams</b> pull items from the core only as they are requested downstream"
                + " (with at most one item looked ahead); cancelling one closes the core's"
                + " sequence.");
      }
    }

    /* The policies of a facade in Synchronizer mode. */
    private void synchronizerPolicies(List<String> policies, boolean streams) {
      String threads =
          "<b>Threads</b>: the core's async methods run on the Synchronizer's loop thread ({@code"
              + " ambidex-synchronizer-NAME}); their arguments are evaluated on the calling thread"
              + " first. Synchronous methods of the core run on the calling thread.";
      if (blocking) {
        policies.add(threads + " Called on the loop thread itself, a method fails at once with"
            + " {@link io.ambidex.BlockingNotAllowedException}.");
        policies.add(
            "<b>Interrupts</b>: interrupting a waiting caller cancels the operation on the loop,"
                + " waits (at most the Synchronizer's cancel grace) until the loop has run the"
                + " cleanup that cancellation triggered, restores the interrupt flag and throws"
                + " {@link io.ambidex.CallInterruptedException}.");
        policies.add(
            "<b>Failures</b>: a method throws what its operation failed with, and what the core"
                + " method threw on the loop (argument validation included), with the caller's"
                + " stack attached as a suppressed {@link io.ambidex.CallerStackTrace}; a checked"
                + " exception the method does not declare arrives as the cause of an {@link"
                + " java.lang.reflect.UndeclaredThrowableException}.");
        if (streams) {
          policies.add(
              "<b>Streams</b> are pulled on the loop in batches, one loop round trip per batch;"
                  + " close them (try-with-resources) to stop early, which closes the source on"
                  + " the loop.");
        }
      } else {
        policies.add(threads);
        policies.add(
            "<b>Futures</b> complete on the Synchronizer's callback executor, never on the loop,"
                + " so a continuation that blocks cannot stall the core. Cancelling one cancels"
                + " the operation on the loop; callers cannot complete them.");
        policies.add(
            "<b>Failures</b>: whatever the core method throws on the loop, argument validation"
                + " and checked exceptions included, fails the future, with the exception type the"
                + " blocking facade would throw.");
        if (streams) {
          policies.add(
              "<b>Publishers</b> have a single subscriber; the core's sequence is opened on the"
                  + " loop at the first request and pulled in batches, one loop round trip per"
                  + " batch; no signal runs on the loop.");
        }
      }
    }

    // ---- flavour facades ----

    private void flavourMembers() {
      String async = model.asyncName();
      w.line("private final " + async + " async;");
      for (Factory factory : model.asyncFactories()) {
        w.blank();
        factory(factory);
      }
      w.blank();
      w.line("private " + name + "(" + async + " async) {");
      w.indent().line("this.async = async;").outdent();
      w.line("}");
      for (Method method : model.methods()) {
        w.blank();
        flavourMethod(method);
      }
      w.blank();
      w.line("@Override");
      w.line("public " + t.qualified("java.lang.String") + " toString() {");
      w.indent().line("return \"" + name + "[\" + async + \"]\";").outdent();
      w.line("}");
    }

    private void flavourMethod(Method method) {
      Set<String> taken = new HashSet<>();
      for (Parameter parameter : method.parameters()) {
        taken.add(parameter.name());
      }
      String field = taken.contains("async") ? "this.async" : "async";
      w.javadoc(t.registered(methodDoc(method)));
      boolean safeVarargs = annotations(method.element(), true);
      List<String> parameters = new ArrayList<>();
      List<String> arguments = new ArrayList<>();
      for (int i = 0; i < method.parameters().size(); i++) {
        Parameter parameter = method.parameters().get(i);
        boolean varargs = method.element().isVarArgs() && i == method.parameters().size() - 1;
        parameters.add(parameterType(parameter, varargs) + " " + parameter.name());
        arguments.add(
            parameter.pass() == Pass.CORE
                ? (isNullable(parameter)
                    ? parameter.name() + " == null ? null : " + parameter.name() + ".async"
                    : parameter.name() + ".async")
                : parameter.name());
      }
      String typeParameters = t.typeParameters(method.element().getTypeParameters());
      boolean lazy = switch (method.result()) {
        case STAGE, STAGE_VOID, ITERATOR, PUBLISHER -> true;
        default -> false;
      };
      String head =
          "public " + (safeVarargs ? "final " : "") + spaced(typeParameters) + returnType(method)
              + " " + method.name() + "(";
      w.wrapped(head, parameters, ")" + (lazy ? "" : throwsClause(method.thrown())) + " {");
      w.indent();
      String call = field + "." + method.name() + "(" + String.join(", ", arguments) + ")";
      switch (method.result()) {
        case STAGE, STAGE_VOID, ITERATOR, PUBLISHER ->
            w.wrapped(
                "return " + t.qualified(flavour.support) + "." + flavourMethodName(method) + "(",
                List.of("() -> " + call),
                ");");
        case VOID -> w.wrapped(field + "." + method.name() + "(", arguments, ");");
        case CORE -> wrapCore(method, call, model.asyncName(), taken);
        case PLAIN -> w.wrapped("return " + field + "." + method.name() + "(", arguments, ");");
      }
      w.outdent();
      w.line("}");
    }

    /*
     * "return new Facade(call);" for a result of the core's own type (here `type`, the async
     * facade's for a flavour); a @Nullable result is checked first and passed on as null.
     */
    private void wrapCore(Method method, String call, String type, Set<String> taken) {
      if (!isNullableResult(method)) {
        w.wrapped("return new " + name + "(", List.of(call), ");");
        return;
      }
      String result = fresh("result", taken);
      w.wrapped(
          t.annotations(method.returnType().getAnnotationMirrors()) + type + " " + result + " = ",
          List.of(call),
          ";");
      w.line("return " + result + " == null ? null : new " + name + "(" + result + ");");
    }

    /* Whether the method's result is marked @Nullable (of any package, type-use or declaration). */
    private boolean isNullableResult(Method method) {
      List<AnnotationMirror> annotations =
          new ArrayList<>(method.returnType().getAnnotationMirrors());
      annotations.addAll(method.element().getAnnotationMirrors());
      for (AnnotationMirror annotation : annotations) {
        if (annotation.getAnnotationType().asElement().getSimpleName().contentEquals("Nullable")) {
          return true;
        }
      }
      return false;
    }

    /* The flavour's type for a lazy method's result. */
    private String flavourType(Method method) {
      return switch (method.result()) {
        case STAGE_VOID -> flavour.empty;
        case STAGE -> isNullableValue(method) ? flavour.maybe : flavour.single;
        default -> flavour.stream;
      };
    }

    private String flavourMethodName(Method method) {
      return switch (method.result()) {
        case STAGE_VOID -> flavour.emptyMethod;
        case STAGE -> isNullableValue(method) ? flavour.maybeMethod : flavour.singleMethod;
        default -> flavour.streamMethod;
      };
    }

    /*
     * The item type of a lazy method's result. Only Mutiny emits null items; the others complete
     * empty instead, so their type argument drops a top-level @Nullable (Mono<String>, not
     * Mono<@Nullable String>).
     */
    private TypeMirror flavourValue(Method method) {
      TypeMirror value = method.value();
      if (flavour == Flavour.MUTINY || value.getKind() != TypeKind.DECLARED
          || value.getAnnotationMirrors().isEmpty()) {
        return value;
      }
      DeclaredType declared = (DeclaredType) value;
      TypeMirror enclosing = declared.getEnclosingType();
      TypeMirror[] arguments = declared.getTypeArguments().toArray(new TypeMirror[0]);
      return enclosing.getKind() == TypeKind.DECLARED
          ? types.getDeclaredType(
              (DeclaredType) enclosing, (TypeElement) declared.asElement(), arguments)
          : types.getDeclaredType((TypeElement) declared.asElement(), arguments);
    }

    /* Whether the result type carries a @Nullable type annotation (of any package). */
    private boolean isNullableValue(Method method) {
      for (AnnotationMirror annotation : method.value().getAnnotationMirrors()) {
        if (annotation.getAnnotationType().asElement().getSimpleName().contentEquals("Nullable")) {
          return true;
        }
      }
      return false;
    }

    // ---- construction ----

    private void factory(Factory factory) {
      ExecutableElement method = factory.method();
      boolean constructor = factory.staticName().isEmpty();
      Javadoc doc = Javadoc.parse(docComment(method)).without("return");
      if (doc.isEmpty()) {
        doc =
            Javadoc.of(
                List.of(
                    "Creates " + (flavour != null ? "a " + flavour.title
                        : blocking ? "a blocking" : "an async") + " {@code " + name
                        + "} over the core that {@code " + model.coreSimpleName() + "."
                        + method.getSimpleName() + "} builds."));
      }
      if (!constructor) {
        doc = doc.withReturn("a new {@code " + name + "}");
      }
      w.javadoc(t.registered(doc.lines()));
      annotations(method, false);
      List<String> parameters = new ArrayList<>();
      List<String> arguments = new ArrayList<>();
      List<? extends VariableElement> elements = method.getParameters();
      for (int i = 0; i < elements.size(); i++) {
        VariableElement parameter = elements.get(i);
        boolean varargs = method.isVarArgs() && i == elements.size() - 1;
        parameters.add(
            (varargs ? t.varargs(parameter.asType()) : t.type(parameter.asType())) + " "
                + parameter.getSimpleName());
        arguments.add(parameter.getSimpleName().toString());
      }
      String typeParameters = t.typeParameters(method.getTypeParameters());
      String head =
          constructor
              ? "public " + spaced(typeParameters) + name + "("
              : "public static " + spaced(typeParameters) + name + " " + factory.staticName()
                  + "(";
      w.wrapped(head, parameters, ")" + throwsClause(method.getThrownTypes()) + " {");
      w.indent();
      String build = t.className(model.core()) + "." + method.getSimpleName() + "(";
      if (flavour != null) {
        build = constructor ? "new " + model.asyncName() + "("
            : model.asyncName() + "." + factory.staticName() + "(";
      }
      String call = build + String.join(", ", arguments) + ")";
      if (constructor) {
        w.wrapped("this(", List.of(call), ");");
      } else {
        w.wrapped("return new " + name + "(", List.of(call), ");");
      }
      w.outdent();
      w.line("}");
    }

    // ---- methods ----

    private void method(Method method) {
      Set<String> taken = new HashSet<>();
      for (Parameter parameter : method.parameters()) {
        taken.add(parameter.name());
      }
      String field = taken.contains("core") ? "this.core" : "core";
      w.javadoc(t.registered(methodDoc(method)));
      if (method.close()) {
        w.line("@Override");
      }
      boolean safeVarargs = annotations(method.element(), true);
      List<String> parameters = new ArrayList<>();
      for (int i = 0; i < method.parameters().size(); i++) {
        Parameter parameter = method.parameters().get(i);
        boolean varargs = method.element().isVarArgs() && i == method.parameters().size() - 1;
        parameters.add(parameterType(parameter, varargs) + " " + parameter.name());
      }
      String typeParameters = t.typeParameters(method.element().getTypeParameters());
      String head =
          "public " + (safeVarargs ? "final " : "") + spaced(typeParameters) + returnType(method)
              + " " + method.name() + "(";
      w.wrapped(head, parameters, ")" + throwsClause(declaredThrows(method)) + " {");
      w.indent();
      List<String> arguments = new ArrayList<>();
      for (Parameter parameter : method.parameters()) {
        arguments.add(argument(parameter, taken));
      }
      String call = field + "." + method.name() + "(" + String.join(", ", arguments) + ")";
      if (asyncFirst && blocking) {
        blockingBody(method, call, field, arguments, taken);
      } else if (asyncFirst) {
        asyncBody(method, call, field, arguments);
      } else if (blocking) {
        passThrough(method, call, field, arguments);
      } else {
        offloadBody(method, call, field);
      }
      w.outdent();
      w.line("}");
    }

    private static Set<String> parameterNames(Method method) {
      Set<String> taken = new HashSet<>();
      for (Parameter parameter : method.parameters()) {
        taken.add(parameter.name());
      }
      return taken;
    }

    private String operation(Method method) {
      return "\"" + model.coreSimpleName() + "." + method.name() + "\"";
    }

    private void blockingBody(
        Method method, String call, String field, List<String> arguments, Set<String> taken) {
      String operation = operation(method);
      boolean onLoop = model.onSynchronizer();
      switch (method.result()) {
        case STAGE, STAGE_VOID, ITERATOR, PUBLISHER -> {
          if (!onLoop && (method.result() == Result.ITERATOR
              || method.result() == Result.PUBLISHER)) {
            w.wrapped(
                "return " + t.qualified(FACADE_SUPPORT) + "." + model.bridge().streamMethod + "(",
                List.of(operation, call),
                ");");
            return;
          }
          String prefix = method.result() == Result.STAGE_VOID ? "" : "return ";
          List<TypeMirror> declared = new ArrayList<>();
          for (TypeMirror type : method.checked()) {
            if (isException(type)) {
              declared.add(type);
            }
          }
          if (declared.size() <= 1) {
            String declaredClass =
                declared.isEmpty() ? null : t.className(element(declared.get(0))) + ".class";
            readCall(prefix, method, call, field, operation, declaredClass, taken);
          } else {
            String failure = fresh("failure", taken);
            w.line("try {").indent();
            readCall(prefix, method, call, field, operation,
                t.qualified("java.lang.Exception") + ".class", taken);
            w.outdent();
            List<String> rethrown = new ArrayList<>();
            for (TypeMirror type : declared) {
              rethrown.add(t.className(element(type)));
            }
            rethrown.add(t.qualified("java.lang.RuntimeException"));
            w.line("} catch (" + String.join(" | ", rethrown) + " " + failure + ") {");
            w.indent().line("throw " + failure + ";").outdent();
            w.line("} catch (" + t.qualified("java.lang.Exception") + " " + failure + ") {");
            w.indent()
                .line(
                    "throw " + t.qualified(FACADE_SUPPORT) + ".undeclared(" + failure + ", "
                        + operation + ");")
                .outdent();
            w.line("}");
          }
        }
        default -> passThrough(method, call, field, arguments);
      }
    }

    /* The statement that reads a stage (or opens a stream) through the bridge or the loop. */
    private void readCall(
        String prefix,
        Method method,
        String call,
        String field,
        String operation,
        String declaredClass,
        Set<String> taken) {
      if (!model.onSynchronizer()) {
        bridgeCall(prefix, call, operation, declaredClass, taken, !method.checked().isEmpty());
        return;
      }
      List<String> arguments = new ArrayList<>();
      arguments.add(operation);
      if (method.close()) {
        arguments.add(declaredClass == null ? "null" : declaredClass);
        arguments.add(field);
        arguments.add("() -> " + call);
        w.wrapped(prefix + t.qualified(FACADE_SUPPORT) + ".closeOnLoop(", arguments, ");");
        return;
      }
      if (declaredClass != null) {
        arguments.add(declaredClass);
      }
      arguments.add(loopSupplier(method, call));
      boolean stream = method.result() == Result.ITERATOR || method.result() == Result.PUBLISHER;
      w.wrapped(
          prefix + field + ".synchronizer()." + (stream ? "stream(" : "call("), arguments, ");");
    }

    /*
     * The Supplier a Synchronizer runs on its loop: "() -> core.m(args)", adapted for a wildcard
     * stage, a publisher, or a method that declares checked exceptions.
     */
    private String loopSupplier(Method method, String call) {
      String invocation = call;
      if (method.result() == Result.PUBLISHER) {
        invocation = t.qualified("io.ambidex.stream.AsyncIterators") + ".fromPublisher(" + call + ")";
      } else if (isWildcardStage(method)) {
        invocation = t.qualified(FACADE_SUPPORT) + ".widen(" + call + ")";
      }
      return method.checked().isEmpty()
          ? "() -> " + invocation
          : t.qualified(FACADE_SUPPORT) + ".unchecked(() -> " + invocation + ")";
    }

    private boolean isWildcardStage(Method method) {
      if (method.result() != Result.STAGE && method.result() != Result.STAGE_VOID) {
        return false;
      }
      TypeElement stage = elements.getTypeElement("java.util.concurrent.CompletionStage");
      for (TypeMirror type = method.returnType(); type != null; ) {
        if (type.getKind() != TypeKind.DECLARED) {
          return false;
        }
        DeclaredType declared = (DeclaredType) type;
        if (declared.asElement().equals(stage)) {
          return !declared.getTypeArguments().isEmpty()
              && declared.getTypeArguments().get(0).getKind() == TypeKind.WILDCARD;
        }
        TypeMirror next = null;
        for (TypeMirror supertype : types.directSupertypes(type)) {
          if (types.isSubtype(types.erasure(supertype), types.erasure(stage.asType()))) {
            next = supertype;
          }
        }
        type = next;
      }
      return false;
    }

    /*
     * The statement that reads a stage through the facade's bridge. `throwsChecked`: the call
     * declares checked exceptions, which the caller-drained bridge's Function cannot throw.
     */
    private void bridgeCall(
        String prefix,
        String stage,
        String operation,
        String declaredClass,
        Set<String> taken,
        boolean throwsChecked) {
      String bridge = t.qualified("io.ambidex." + model.bridge().className) + ".get(";
      List<String> arguments = new ArrayList<>();
      switch (model.bridge()) {
        case IMMEDIATE -> {
          arguments.add(stage);
          arguments.add(operation);
          if (declaredClass != null) {
            arguments.add(declaredClass);
          }
        }
        case BLOCKING_WAIT -> {
          arguments.add(stage);
          arguments.add(operation);
          if (declaredClass != null) {
            arguments.add("null");
            arguments.add(declaredClass);
          }
        }
        case SYNCHRONIZER -> throw new AssertionError("see readCall");
        case CALLER_DRAINED -> {
          arguments.add(operation);
          if (declaredClass != null) {
            arguments.add("null");
            arguments.add(declaredClass);
          }
          // The call runs inside the bridge's Function, which declares no checked exceptions:
          // FacadeSupport.unchecked lets the core's propagate unchanged, to the caller as they
          // are (the facade method declares them), as with the other bridges.
          arguments.add(
              fresh("executor", taken) + " -> "
                  + (throwsChecked
                      ? t.qualified(FACADE_SUPPORT) + ".unchecked(() -> " + stage + ").get()"
                      : stage));
        }
      }
      w.wrapped(prefix + bridge, arguments, ");");
    }

    /*
     * What a facade method declares: everything the core method does, except on async methods,
     * whose failures all arrive through the future.
     */
    private List<? extends TypeMirror> declaredThrows(Method method) {
      boolean async = switch (method.result()) {
        case STAGE, STAGE_VOID, ITERATOR, PUBLISHER -> true;
        default -> false;
      };
      if (blocking || (asyncFirst && !async)) {
        return method.thrown();
      }
      if (!asyncFirst) {
        return List.of();
      }
      List<TypeMirror> unchecked = new ArrayList<>();
      for (TypeMirror type : method.thrown()) {
        if (type.getKind() != TypeKind.TYPEVAR && !method.checked().contains(type)
            && !isCheckedAmong(type, method.checked())) {
          unchecked.add(type);
        }
      }
      return unchecked;
    }

    private boolean isCheckedAmong(TypeMirror type, List<TypeMirror> checked) {
      for (TypeMirror other : checked) {
        if (types.isSubtype(type, other)) {
          return true;
        }
      }
      return false;
    }

    private void asyncBody(Method method, String call, String field, List<String> arguments) {
      String operation = operation(method);
      if (model.onSynchronizer()) {
        switch (method.result()) {
          case STAGE, STAGE_VOID -> {
            if (method.close()) {
              w.wrapped(
                  "return " + t.qualified(FACADE_SUPPORT) + ".closeOnLoopAsync(",
                  List.of(operation, field, "() -> " + call),
                  ");");
            } else {
              w.wrapped(
                  "return " + field + ".synchronizer().async(",
                  List.of(operation, loopSupplier(method, call)),
                  ");");
            }
          }
          case ITERATOR, PUBLISHER ->
              w.wrapped(
                  "return " + field + ".synchronizer().publisher(",
                  List.of(operation, loopSupplier(method, call)),
                  ");");
          default -> passThrough(method, call, field, arguments);
        }
        return;
      }
      String support = t.qualified(FACADE_SUPPORT);
      switch (method.result()) {
        case STAGE, STAGE_VOID ->
            checkedToResult(
                method,
                () -> w.wrapped(
                    "return " + t.qualified(CALL_FUTURE) + ".of(", List.of(operation, call), ");"),
                failure -> support + ".failedFuture(" + operation + ", " + failure + ")");
        case ITERATOR, PUBLISHER ->
            checkedToResult(
                method,
                () -> {
                  if (method.result() == Result.ITERATOR) {
                    w.wrapped("return " + support + ".publisher(", List.of(operation, call), ");");
                  } else {
                    passThrough(method, call, field, arguments);
                  }
                },
                failure -> support + ".publisher(" + operation + ", "
                    + t.qualified("io.ambidex.stream.AsyncIterators") + ".failed(" + failure
                    + "))");
        default -> passThrough(method, call, field, arguments);
      }
    }

    /*
     * Writes `returning`, the statement that returns the async result of the call; when the call
     * declares checked exceptions, which async methods do not, it is wrapped in a try whose catch
     * returns `failed` of what the call threw instead: a failed future, or a publisher that
     * signals it.
     */
    private void checkedToResult(
        Method method, Runnable returning, java.util.function.Function<String, String> failed) {
      if (method.checked().isEmpty()) {
        returning.run();
        return;
      }
      String failure = fresh("failure", parameterNames(method));
      List<String> caught = new ArrayList<>();
      for (TypeMirror type : method.checked()) {
        caught.add(t.className(element(type)));
      }
      // A caught Exception or Throwable would also catch what the call throws unchecked, such
      // as argument validation, which is thrown at the call: rethrow it first.
      List<String> rethrown = new ArrayList<>();
      for (String unchecked : List.of("java.lang.RuntimeException", "java.lang.Error")) {
        TypeMirror type = elements.getTypeElement(unchecked).asType();
        if (isCheckedAmong(type, method.checked())) {
          rethrown.add(t.qualified(unchecked));
        }
      }
      w.line("try {").indent();
      returning.run();
      if (!rethrown.isEmpty()) {
        w.outdent().line("} catch (" + String.join(" | ", rethrown) + " " + failure + ") {");
        w.indent().line("throw " + failure + ";");
      }
      w.outdent().line("} catch (" + String.join(" | ", caught) + " " + failure + ") {");
      w.indent().line("return " + failed.apply(failure) + ";").outdent();
      w.line("}");
    }

    private void passThrough(Method method, String call, String field, List<String> arguments) {
      String invoke = field + "." + method.name() + "(";
      switch (method.result()) {
        case VOID -> w.wrapped(invoke, arguments, ");");
        case CORE -> wrapCore(method, call, t.className(model.core()), parameterNames(method));
        default -> w.wrapped("return " + invoke, arguments, ");");
      }
    }

    /* The async facade of a blocking core: run the call on another thread. */
    private void offloadBody(Method method, String call, String field) {
      List<String> arguments = new ArrayList<>();
      arguments.add(operation(method));
      // close() runs on a new virtual thread, never on the core's executor: a core that owns its
      // executor shuts it down and waits for it in close(), which would wait for itself there,
      // and a second close() would be refused by the shut-down executor.
      if (model.executor() != null && !method.close()) {
        arguments.add(field + "." + model.executor().getSimpleName() + "()");
      }
      String support = t.qualified(FACADE_SUPPORT);
      switch (method.result()) {
        case VOID -> {
          arguments.add("() -> " + call);
          w.wrapped("return " + support + ".runAsync(", arguments, ");");
        }
        case CORE -> {
          arguments.add(
              isNullableResult(method)
                  ? "() -> " + t.qualified("java.util.Optional") + ".ofNullable(" + call
                      + ").map(" + name + "::new).orElse(null)"
                  : "() -> new " + name + "(" + call + ")");
          w.wrapped("return " + support + ".callAsync(", arguments, ");");
        }
        default -> {
          arguments.add("() -> " + call);
          w.wrapped("return " + support + ".callAsync(", arguments, ");");
        }
      }
    }

    // ---- types and arguments ----

    private String returnType(Method method) {
      Result result = method.result();
      if (flavour != null) {
        return switch (result) {
          case STAGE_VOID -> flavour.voidIsOwnType() ? t.qualified(flavour.empty)
              : t.qualified(flavour.empty) + "<" + t.type(method.value()) + ">";
          case STAGE, ITERATOR, PUBLISHER ->
              t.qualified(flavourType(method)) + "<" + t.type(flavourValue(method)) + ">";
          case VOID -> "void";
          case CORE -> t.annotations(method.returnType().getAnnotationMirrors()) + name;
          case PLAIN -> t.type(method.returnType());
        };
      }
      if (asyncFirst && blocking) {
        return switch (result) {
          case STAGE -> t.type(method.value());
          case STAGE_VOID, VOID -> "void";
          case ITERATOR, PUBLISHER ->
              t.qualified("java.util.stream.Stream") + "<" + t.type(method.value()) + ">";
          case CORE -> t.annotations(method.returnType().getAnnotationMirrors()) + name;
          case PLAIN -> t.type(method.returnType());
        };
      }
      if (asyncFirst) {
        return switch (result) {
          case STAGE, STAGE_VOID -> t.qualified(CALL_FUTURE) + "<" + t.type(method.value()) + ">";
          case ITERATOR, PUBLISHER ->
              t.qualified("java.util.concurrent.Flow") + ".Publisher<" + t.type(method.value())
                  + ">";
          case VOID -> "void";
          case CORE -> t.annotations(method.returnType().getAnnotationMirrors()) + name;
          case PLAIN -> t.type(method.returnType());
        };
      }
      if (blocking) {
        return switch (result) {
          case VOID -> "void";
          case CORE -> t.annotations(method.returnType().getAnnotationMirrors()) + name;
          default -> t.type(method.returnType());
        };
      }
      String value =
          switch (result) {
            case VOID -> t.qualified("java.lang.Void");
            case CORE -> t.annotations(method.returnType().getAnnotationMirrors()) + name;
            default -> t.type(boxed(method.returnType()));
          };
      return t.qualified(CALL_FUTURE) + "<" + value + ">";
    }

    private String parameterType(Parameter parameter, boolean varargs) {
      TypeMirror type = parameter.type();
      boolean mapped = blocking && asyncFirst;
      return switch (parameter.pass()) {
        case CORE -> t.annotations(type.getAnnotationMirrors()) + name;
        case CALLBACK ->
            mapped
                ? t.annotations(type.getAnnotationMirrors())
                    + t.qualified("java.util.function.Consumer") + "<"
                    + t.type(parameter.syncArgument()) + ">"
                : t.type(type);
        case ASYNC_FUNCTION -> {
          if (!mapped) {
            yield t.type(type);
          }
          List<String> arguments = new ArrayList<>();
          List<? extends TypeMirror> original = parameter.functional().getTypeArguments();
          for (int i = 0; i < original.size(); i++) {
            arguments.add(
                i == parameter.stageArgument()
                    ? t.type(parameter.syncArgument())
                    : t.type(original.get(i)));
          }
          yield t.declared(parameter.functional(), arguments);
        }
        case PLAIN -> varargs ? t.varargs(type) : t.type(type);
      };
    }

    private String argument(Parameter parameter, Set<String> taken) {
      String name = parameter.name();
      boolean mapped = blocking && asyncFirst;
      String adapted =
          switch (parameter.pass()) {
            case CORE -> name + ".core";
            // Bound to the caller's context at the call (FacadeSupport.callback).
            case CALLBACK ->
                t.qualified(FACADE_SUPPORT) + ".callback("
                    + (mapped ? t.qualified(ASYNC_CALLBACK) + ".of(" + name + ")" : name) + ")";
            case ASYNC_FUNCTION -> mapped ? lambda(parameter, taken) : null;
            case PLAIN -> null;
          };
      if (adapted == null) {
        return name;
      }
      // A null argument reaches the core as it is on both facades, whatever the parameter says:
      // the core decides what null means. Adapted, it failed in the adapter on the blocking facade
      // (NullPointerException "consumer"), became a lambda around null, or failed reading `core`.
      boolean guarded = isNullable(parameter) || mapped || parameter.pass() == Pass.CORE;
      return guarded ? name + " == null ? null : " + adapted : adapted;
    }

    /* (a, b) -> FacadeSupport.stageOf(() -> fn.apply(a, b)) */
    private String lambda(Parameter parameter, Set<String> taken) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < parameter.arity(); i++) {
        String base = parameter.arity() == 1 ? "input" : "input" + (i + 1);
        names.add(fresh(base, taken));
      }
      String list = String.join(", ", names);
      String head = parameter.arity() == 1 ? list : "(" + list + ")";
      String invocation = "() -> " + parameter.name() + "." + parameter.samName() + "(" + list + ")";
      if (parameter.samThrowsChecked()) {
        // What the caller's function throws checked, its functional method declares: it leaves
        // the adapter as it is, as it would leave the core's own function.
        invocation = t.qualified(FACADE_SUPPORT) + ".unchecked(" + invocation + ")";
      }
      if (!parameter.completable()) {
        return head + " -> " + t.qualified(FACADE_SUPPORT) + ".stageOf(" + invocation + ")";
      }
      // Chained, stageOf gets no target type to infer its value type from: name it.
      TypeMirror value = parameter.syncArgument();
      if (value.getKind() == TypeKind.WILDCARD) {
        value = ((WildcardType) value).getExtendsBound();
      }
      return head + " -> " + t.qualified(FACADE_SUPPORT) + ".<" + t.type(value) + ">stageOf("
          + invocation + ").toCompletableFuture()";
    }

    private boolean isNullable(Parameter parameter) {
      List<AnnotationMirror> annotations = new ArrayList<>(parameter.type().getAnnotationMirrors());
      annotations.addAll(parameter.element().getAnnotationMirrors());
      for (AnnotationMirror annotation : annotations) {
        if (annotation.getAnnotationType().asElement().getSimpleName().contentEquals("Nullable")) {
          return true;
        }
      }
      return false;
    }

    private String throwsClause(List<? extends TypeMirror> thrown) {
      if (thrown.isEmpty()) {
        return "";
      }
      List<String> rendered = new ArrayList<>();
      for (TypeMirror type : thrown) {
        rendered.add(t.type(type));
      }
      return " throws " + String.join(", ", rendered);
    }

    /*
     * Copies @Deprecated, @SafeVarargs and @SuppressWarnings, adding the suppressions the copy
     * needs. Returns whether the method must be final (for @SafeVarargs).
     */
    private boolean annotations(ExecutableElement method, boolean isMethod) {
      Set<String> suppressed = suppressions(method);
      AnnotationMirror deprecated = annotation(method, "java.lang.Deprecated");
      if (deprecated != null) {
        w.line(t.annotation(deprecated));
        if (forRemoval(deprecated)) {
          suppressed.add("removal");
        }
      }
      boolean safeVarargs = annotation(method, "java.lang.SafeVarargs") != null;
      boolean reifiable = true;
      if (method.isVarArgs()) {
        List<? extends VariableElement> parameters = method.getParameters();
        TypeMirror last = parameters.get(parameters.size() - 1).asType();
        reifiable = isReifiable(((ArrayType) last).getComponentType());
      }
      if (safeVarargs) {
        w.line("@" + t.qualified("java.lang.SafeVarargs"));
        if (!reifiable) {
          // The facade passes its varargs array on to the core's @SafeVarargs method, which
          // javac's [varargs] lint cannot tell from an unsafe use.
          suppressed.add("varargs");
        }
      } else if (!reifiable) {
        suppressed.add("unchecked"); // as the core itself must have, for the same declaration
      }
      suppressWarnings(suppressed);
      return safeVarargs && isMethod;
    }

    /* The warnings an element's @SuppressWarnings names, in a sorted set to add to. */
    private Set<String> suppressions(Element element) {
      Set<String> suppressed = new TreeSet<>();
      AnnotationMirror suppress = annotation(element, "java.lang.SuppressWarnings");
      if (suppress != null) {
        for (AnnotationValue value : arrayValue(suppress, "value")) {
          suppressed.add(String.valueOf(value.getValue()));
        }
      }
      return suppressed;
    }

    private boolean forRemoval(AnnotationMirror deprecated) {
      for (AnnotationValue value : arrayValue(deprecated, "forRemoval")) {
        if (Boolean.TRUE.equals(value.getValue())) {
          return true;
        }
      }
      return false;
    }

    /* Writes @SuppressWarnings for the given warnings, or nothing for none. */
    private void suppressWarnings(Set<String> suppressed) {
      if (suppressed.isEmpty()) {
        return;
      }
      List<String> quoted = new ArrayList<>();
      for (String warning : suppressed) {
        quoted.add("\"" + warning + "\"");
      }
      w.line(
          "@" + t.qualified("java.lang.SuppressWarnings") + "("
              + (quoted.size() == 1 ? quoted.get(0) : "{" + String.join(", ", quoted) + "}")
              + ")");
    }

    // ---- method documentation ----

    private List<String> methodDoc(Method method) {
      Javadoc doc = documentation(method.element());
      if (method.close() && doc.isEmpty()) {
        return closeDoc();
      }
      if (doc.isEmpty()) {
        return List.of();
      }
      if (flavour != null) {
        return flavourMethodDoc(method, doc).lines();
      }
      String returned = returnText(doc);
      String unwrapped = returned == null ? null : Javadoc.unwrapAsyncResult(returned);
      Result result = method.result();
      if (asyncFirst && blocking) {
        switch (result) {
          case STAGE -> {
            if (unwrapped != null) {
              doc = withReturn(doc, unwrapped);
            }
          }
          case STAGE_VOID ->
              doc =
                  doc.tag("return") == null && returned != null
                      ? doc.withoutInlineReturn("Returns when the call has completed.")
                      : doc.without("return");
          case ITERATOR, PUBLISHER -> {
            if (returned != null) {
              doc = withReturn(doc,
                  (unwrapped != null ? unwrapped : returned)
                      + ", as a stream to close if it is not read to the end");
            }
          }
          default -> {}
        }
      } else if (asyncFirst) {
        if (result == Result.STAGE || result == Result.STAGE_VOID) {
          doc = throwsToParagraphs(doc, method, "future fails with", false);
        } else if (result == Result.ITERATOR || result == Result.PUBLISHER) {
          doc = throwsToParagraphs(doc, method, "publisher signals", false);
        }
        switch (result) {
          case STAGE -> {
            if (returned != null && unwrapped == null) {
              doc = withReturn(doc,
                  "a future that completes with " + Javadoc.decapitalize(returned));
            }
          }
          case ITERATOR, PUBLISHER -> {
            if (returned != null) {
              doc = withReturn(doc,
                  (unwrapped != null ? unwrapped : returned) + ", as a publisher for one"
                      + " subscriber");
            }
          }
          default -> {}
        }
      } else if (!blocking) {
        doc =
            result == Result.VOID
                ? withReturn(doc, "a future that completes when the call has returned")
                : withReturn(doc,
                    "a future that completes with "
                        + (returned != null
                            ? Javadoc.decapitalize(returned)
                            : Javadoc.impliedResult(doc, "the call's result")));
        // Every failure of the call, argument errors included, fails the future.
        doc = throwsToParagraphs(doc, method, "future fails with", true);
      }
      return doc.lines();
    }

    /* The text of the @return tag, or of an inline {@return}, or null. */
    private String returnText(Javadoc doc) {
      String returned = doc.tag("return");
      return returned != null ? returned : doc.inlineReturn();
    }

    /* The doc with its result described as `text`, where it was: an inline {@return} or a tag. */
    private Javadoc withReturn(Javadoc doc, String text) {
      return doc.tag("return") == null && doc.inlineReturn() != null
          ? doc.withInlineReturn(text)
          : doc.withReturn(text);
    }

    /*
     * A method's doc comment as javadoc would show it: a missing comment, and each
     * {@inheritDoc}, taken from the method it overrides (recursively), since the facade's method
     * overrides nothing to inherit from.
     */
    private Javadoc documentation(ExecutableElement method) {
      Javadoc doc = Javadoc.parse(docComment(method));
      if (!doc.inherits()) {
        return doc;
      }
      ExecutableElement overridden = overridden(method);
      if (overridden == null) {
        return doc;
      }
      Map<String, String> names = new HashMap<>();
      for (int i = 0; i < method.getParameters().size(); i++) {
        names.put(
            overridden.getParameters().get(i).getSimpleName().toString(),
            method.getParameters().get(i).getSimpleName().toString());
      }
      return doc.inheritFrom(documentation(overridden), names);
    }

    /* The method `method` overrides, nearest supertypes first, or null. */
    private ExecutableElement overridden(ExecutableElement method) {
      TypeElement owner = (TypeElement) method.getEnclosingElement();
      List<TypeMirror> pending = new ArrayList<>(types.directSupertypes(owner.asType()));
      Set<String> seen = new HashSet<>();
      while (!pending.isEmpty()) {
        TypeMirror supertype = pending.remove(0);
        TypeElement type = (TypeElement) types.asElement(supertype);
        if (type == null || !seen.add(type.getQualifiedName().toString())) {
          continue;
        }
        for (ExecutableElement candidate : ElementFilter.methodsIn(type.getEnclosedElements())) {
          if (candidate.getSimpleName().equals(method.getSimpleName())
              && elements.overrides(method, candidate, owner)) {
            return candidate;
          }
        }
        pending.addAll(types.directSupertypes(supertype));
      }
      return null;
    }

    /*
     * A lazy method throws nothing: every @throws becomes a paragraph about the signal, and the
     * result is described as the flavour's type.
     */
    private Javadoc flavourMethodDoc(Method method, Javadoc doc) {
      Result result = method.result();
      boolean lazy = switch (result) {
        case STAGE, STAGE_VOID, ITERATOR, PUBLISHER -> true;
        default -> false;
      };
      if (!lazy) {
        return doc;
      }
      String type = "{@code " + Flavour.simple(flavourType(method)) + "}";
      Javadoc result2 = doc;
      for (Javadoc.Tag tag : doc.tags()) {
        if (tag.name().equals("throws") || tag.name().equals("exception")) {
          String condition = tag.afterArgument();
          result2 = result2.withParagraph(
              "The returned " + type + " signals {@code "
                  + TypeRenderer.docSimpleName(tag.argument()) + "}"
                  + (condition.isEmpty() ? "." : " " + condition
                      + (condition.endsWith(".") ? "" : ".")));
        }
      }
      result2 = result2.filterTags(
          tag -> !tag.name().equals("throws") && !tag.name().equals("exception"));
      String returned = returnText(doc);
      String unwrapped = returned == null ? null : Javadoc.unwrapAsyncResult(returned);
      String what = unwrapped != null ? unwrapped : returned;
      String text = switch (result) {
        case STAGE_VOID -> "a " + type + " that makes the call for each subscriber and completes"
            + " when it has completed";
        case STAGE -> "a " + type + " that makes the call for each subscriber and emits "
            + (what == null ? "its result" : Javadoc.decapitalize(what));
        default -> "a " + type + " that makes the call for each subscriber and emits "
            + (what == null ? "its items" : Javadoc.decapitalize(what));
      };
      return withReturn(result2, text);
    }

    /*
     * An async method declares no checked exceptions, so @throws for one would be wrong (and
     * rejected by doclint): say instead that the future fails with it (`fails`: "future fails
     * with", or "publisher signals" for a stream). With `all`, for a method whose every failure
     * fails the future, unchecked ones too.
     */
    private Javadoc throwsToParagraphs(Javadoc doc, Method method, String fails, boolean all) {
      Javadoc result = doc;
      for (Javadoc.Tag tag : doc.tags()) {
        if (isThrowsTag(tag) && (all || isChecked(tag, method))) {
          String condition = tag.afterArgument();
          result = result.withParagraph(
              "The returned " + fails + " {@code "
                  + TypeRenderer.docSimpleName(tag.argument()) + "}"
                  + (condition.isEmpty() ? "." : " " + condition
                      + (condition.endsWith(".") ? "" : ".")));
        }
      }
      return result.filterTags(tag -> !(isThrowsTag(tag) && (all || isChecked(tag, method))));
    }

    private static boolean isThrowsTag(Javadoc.Tag tag) {
      return tag.name().equals("throws") || tag.name().equals("exception");
    }

    /*
     * Whether a @throws tag names a checked exception: one the method declares, or a subclass of
     * Exception that is not a RuntimeException (found by qualified name, in java.lang or in the
     * core's package). Other names are taken as unchecked, as before.
     */
    private boolean isChecked(Javadoc.Tag tag, Method method) {
      String name = TypeRenderer.plain(tag.argument());
      if (declaresChecked(method, name)) {
        return true;
      }
      TypeElement named = elements.getTypeElement(name);
      if (named == null) {
        named = elements.getTypeElement("java.lang." + name);
      }
      if (named == null && !model.packageName().isEmpty()) {
        named = elements.getTypeElement(model.packageName() + "." + name);
      }
      if (named == null) {
        return false;
      }
      TypeMirror type = types.erasure(named.asType());
      return types.isSubtype(type, elements.getTypeElement("java.lang.Exception").asType())
          && !types.isSubtype(type, elements.getTypeElement("java.lang.RuntimeException").asType());
    }

    private boolean declaresChecked(Method method, String name) {
      for (TypeMirror type : method.checked()) {
        TypeElement element = element(type);
        if (element != null
            && (element.getSimpleName().contentEquals(name)
                || element.getQualifiedName().contentEquals(name))) {
          return true;
        }
      }
      return false;
    }

    private List<String> closeDoc() {
      if (flavour != null) {
        String type = Flavour.simple(flavourType(closeMethod()));
        return List.of(
            "Closes the core when subscribed to.",
            "",
            "@return a {@code " + type + "} that starts closing the core for each subscriber and"
                + " completes",
            "    when it has closed");
      }
      if (model.onSynchronizer()) {
        return blocking
            ? List.of(
                "Closes the core on the loop of its Synchronizer and waits until it has closed;"
                    + " then closes",
                "the Synchronizer if the core owns it.")
            : List.of(
                "Starts closing the core on the loop of its Synchronizer, then the Synchronizer if"
                    + " the core",
                "owns it.",
                "",
                "@return a future that completes, off the loop, when they have closed");
      }
      if (blocking) {
        return asyncFirst
            ? List.of("Closes the core and waits, through the bridge, until it has closed.")
            : List.of("Closes the core.");
      }
      return asyncFirst
          ? List.of(
              "Starts closing the core.", "", "@return a future that completes when the core has"
                  + " closed")
          : List.of(
              model.executor() == null
                  ? "Closes the core on another thread."
                  : "Closes the core on a new virtual thread, not on the core's executor, which"
                      + " its close may shut down.",
              "",
              "@return a future that completes when the core's close has returned");
    }

    // ---- helpers ----

    private Method closeMethod() {
      for (Method method : model.methods()) {
        if (method.close()) {
          return method;
        }
      }
      return null;
    }

    private boolean hasResult(Result result) {
      for (Method method : model.methods()) {
        if (method.result() == result) {
          return true;
        }
      }
      return false;
    }

    private boolean isException(TypeMirror type) {
      return types.isSubtype(type, elements.getTypeElement("java.lang.Exception").asType());
    }

    private TypeElement element(TypeMirror type) {
      return type.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) type).asElement()
          : null;
    }

    private TypeMirror boxed(TypeMirror type) {
      if (type.getKind().isPrimitive()) {
        return types.boxedClass((PrimitiveType) type).asType();
      }
      return type;
    }

    private boolean isReifiable(TypeMirror type) {
      return switch (type.getKind()) {
        case ARRAY -> isReifiable(((ArrayType) type).getComponentType());
        case DECLARED -> {
          for (TypeMirror argument : ((DeclaredType) type).getTypeArguments()) {
            if (argument.getKind() != TypeKind.WILDCARD
                || ((WildcardType) argument).getExtendsBound() != null
                || ((WildcardType) argument).getSuperBound() != null) {
              yield false;
            }
          }
          TypeMirror enclosing = ((DeclaredType) type).getEnclosingType();
          yield enclosing.getKind() != TypeKind.DECLARED || isReifiable(enclosing);
        }
        case TYPEVAR, INTERSECTION, UNION -> false;
        default -> true;
      };
    }

    private boolean generatedAvailable(TypeElement core) {
      if (elements.getTypeElement("javax.annotation.processing.Generated") == null) {
        return false;
      }
      ModuleElement module = elements.getModuleOf(core);
      if (module == null || module.isUnnamed()) {
        return true;
      }
      // A public class of a named module annotated with a type the module does not require
      // transitively draws javac's [exports] warning, so only use @Generated when it is
      // ("requires static transitive java.compiler" costs nothing at run time).
      for (ModuleElement.RequiresDirective requires :
          ElementFilter.requiresIn(module.getDirectives())) {
        String dependency = requires.getDependency().getQualifiedName().toString();
        if ((dependency.equals("java.compiler") || dependency.equals("java.se"))
            && requires.isTransitive()) {
          return true;
        }
      }
      return false;
    }
  }

  private static String spaced(String typeParameters) {
    return typeParameters.isEmpty() ? "" : typeParameters + " ";
  }

  private static String fresh(String base, Set<String> taken) {
    String candidate = base;
    for (int i = 2; taken.contains(candidate) || candidate.equals("core"); i++) {
      candidate = base + i;
    }
    taken.add(candidate);
    return candidate;
  }

  private static AnnotationMirror annotation(Element element, String qualifiedName) {
    return CoreAnalyzer.annotation(element, qualifiedName);
  }

  private static List<? extends AnnotationValue> arrayValue(
      AnnotationMirror annotation, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        annotation.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(name)) {
        Object value = entry.getValue().getValue();
        if (value instanceof List<?> list) {
          List<AnnotationValue> values = new ArrayList<>();
          for (Object item : list) {
            values.add((AnnotationValue) item);
          }
          return values;
        }
        return List.of(entry.getValue());
      }
    }
    return List.of();
  }
}
