package io.ambidex.processor;

import io.ambidex.processor.CoreModel.Bridge;
import io.ambidex.processor.CoreModel.Factory;
import io.ambidex.processor.CoreModel.Method;
import io.ambidex.processor.CoreModel.Parameter;
import io.ambidex.processor.CoreModel.Pass;
import io.ambidex.processor.CoreModel.Result;
import io.ambidex.processor.CoreModel.Style;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.IntersectionType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Reads one annotated core and builds its {@link CoreModel}, reporting every problem it finds on
 * the offending element. It never stops at the first problem, so one compile shows them all; a
 * core with problems gets no facades.
 */
final class CoreAnalyzer {
  /*
   * The annotations by name, never by class literal: the processor reads them as mirrors and
   * never loads them, so it runs from its own jar alone. On --processor-module-path it is an
   * automatic module, which requires nothing, so io.ambidex.annotations would not be resolved
   * there and loading AsyncCore failed (NoClassDefFoundError). AnnotationNamesTest keeps these
   * strings equal to the annotations' names.
   */
  static final String ASYNC_CORE = "io.ambidex.annotations.AsyncCore";
  static final String BLOCKING_CORE = "io.ambidex.annotations.BlockingCore";
  static final String BLOCKING_FACTORY = "io.ambidex.annotations.BlockingFactory";
  static final String ASYNC_FACTORY = "io.ambidex.annotations.AsyncFactory";
  static final String ASYNC_EXECUTOR = "io.ambidex.annotations.AsyncExecutor";
  static final String EXCLUDE = "io.ambidex.annotations.ExcludeFromFacades";

  /* "java.util.List<java.lang.String>" -> "List<String>", for messages. */
  private static final Pattern PACKAGE_PREFIX =
      Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+(?=[A-Z])");

  /* Identifiers that are not keywords but cannot name a type (JLS 3.9, TypeIdentifier). */
  private static final Set<String> RESTRICTED_TYPE_NAMES =
      Set.of("var", "yield", "record", "sealed", "permits");

  private final Elements elements;
  private final Types types;
  private final Messager messager;
  private final TypeElement completionStage;
  private final TypeElement future;
  private final TypeElement completableFuture;
  private final TypeElement flowPublisher;
  private final TypeElement autoCloseable;
  private final TypeElement executor;
  private final TypeElement asyncIterator;
  private final TypeElement asyncCallback;
  private final TypeElement synchronizerBound;
  private final TypeMirror runtimeException;
  private final TypeMirror error;
  private final TypeMirror exception;
  private boolean failed;
  private boolean checkSignatureAccess;

  CoreAnalyzer(ProcessingEnvironment env) {
    this.elements = env.getElementUtils();
    this.types = env.getTypeUtils();
    this.messager = env.getMessager();
    this.completionStage = elements.getTypeElement("java.util.concurrent.CompletionStage");
    this.future = elements.getTypeElement("java.util.concurrent.Future");
    this.completableFuture = elements.getTypeElement("java.util.concurrent.CompletableFuture");
    this.flowPublisher = elements.getTypeElement("java.util.concurrent.Flow.Publisher");
    this.autoCloseable = elements.getTypeElement("java.lang.AutoCloseable");
    this.executor = elements.getTypeElement("java.util.concurrent.Executor");
    // Null when ambidex-core is not on the class path; the generated code then fails to compile
    // with "package io.ambidex does not exist", which says what is missing.
    this.asyncIterator = elements.getTypeElement("io.ambidex.stream.AsyncIterator");
    this.asyncCallback = elements.getTypeElement("io.ambidex.control.AsyncCallback");
    this.synchronizerBound = elements.getTypeElement("io.ambidex.synchronizer.SynchronizerBound");
    this.runtimeException = elements.getTypeElement("java.lang.RuntimeException").asType();
    this.error = elements.getTypeElement("java.lang.Error").asType();
    this.exception = elements.getTypeElement("java.lang.Exception").asType();
  }

  /** Returns the model of the core, or null if a problem was reported. */
  CoreModel analyze(TypeElement core) {
    failed = false;
    AnnotationMirror asyncCore = annotation(core, ASYNC_CORE);
    AnnotationMirror blockingCore = annotation(core, BLOCKING_CORE);
    AnnotationMirror marker = asyncCore != null ? asyncCore : blockingCore;
    if (asyncCore != null && blockingCore != null) {
      report(Problem.CORE_KIND, core, "A class cannot be both an @AsyncCore and a @BlockingCore.");
      return null;
    }
    if (core.getKind() != ElementKind.CLASS) {
      report(
          Problem.CORE_KIND,
          core,
          "@" + simpleName(marker) + " is on " + kindName(core) + " " + core.getSimpleName() + ".");
      return null;
    }
    Style style = asyncCore != null ? Style.ASYNC_FIRST : Style.BLOCKING_FIRST;
    checkAccess(core);
    // Signatures naming an inaccessible core would each repeat its [AMBIDEX-CORE-ACCESS].
    checkSignatureAccess = !failed;
    if (!core.getTypeParameters().isEmpty()) {
      report(
          Problem.GENERIC_CORE,
          core,
          "The core " + core.getSimpleName() + " has type parameters, which its facades cannot"
              + " choose.");
    }

    String blockingName = stringValue(marker, "blocking");
    String asyncName = stringValue(marker, "async");
    if (style == Style.BLOCKING_FIRST && blockingName.isEmpty()) {
      blockingName = null;
    }
    checkNames(core, marker, blockingName, asyncName);
    List<CoreModel.FlavourFacade> flavours =
        style == Style.ASYNC_FIRST
            ? flavours(core, marker, blockingName, asyncName)
            : List.of();
    Bridge bridge = Bridge.IMMEDIATE;
    if (style == Style.ASYNC_FIRST) {
      AnnotationValue value = explicitValue(marker, "bridge");
      if (value != null) {
        bridge = Bridge.valueOf(((VariableElement) value.getValue()).getSimpleName().toString());
      }
      if (bridge == Bridge.SYNCHRONIZER && !isSubtypeOf(core.asType(), synchronizerBound)) {
        report(
            Problem.SYNCHRONIZER_BOUND,
            core,
            "The core " + core.getSimpleName() + " uses bridge = Bridge.SYNCHRONIZER but does not"
                + " implement io.ambidex.synchronizer.SynchronizerBound, so its facades cannot find its"
                + " Synchronizer.");
      }
    }

    List<Factory> blockingFactories = factories(core, BLOCKING_FACTORY);
    List<Factory> asyncFactories = factories(core, ASYNC_FACTORY);
    // A factory annotation on an invalid method has had its [AMBIDEX-FACTORY]; saying the core has
    // no such method as well would contradict the source.
    if (blockingName != null
        && blockingFactories.isEmpty()
        && !hasAnnotatedMethod(core, BLOCKING_FACTORY)) {
      report(
          Problem.MISSING_FACTORY,
          core,
          "The blocking facade " + blockingName + " has no way to obtain its core: "
              + core.getSimpleName() + " has no method annotated @BlockingFactory.");
    }
    if (blockingName == null && !blockingFactories.isEmpty()) {
      report(
          Problem.FACTORY,
          blockingFactories.get(0).method(),
          "This @BlockingFactory is unused: the @BlockingCore " + core.getSimpleName()
              + " does not name a blocking facade (set blocking = \"...\").");
    }
    if (asyncFactories.isEmpty() && !hasAnnotatedMethod(core, ASYNC_FACTORY)) {
      report(
          Problem.MISSING_FACTORY,
          core,
          "The async facade " + asyncName + " has no way to obtain its core: "
              + core.getSimpleName() + " has no method annotated @AsyncFactory.");
    }
    ExecutableElement executorMethod = executorMethod(core, style);

    List<Method> methods = new ArrayList<>();
    for (ExecutableElement method : exposedMethods(core, executorMethod)) {
      if (!accessibleSignature(core, method, memberType(core, method))) {
        continue;
      }
      Method analyzed =
          style == Style.ASYNC_FIRST ? asyncFirst(core, method) : blockingFirst(core, method);
      if (analyzed != null) {
        methods.add(analyzed);
      }
    }
    // Clashes are checked among the methods that could be mapped even when others could not,
    // so that one compile shows every error.
    String packageName = elements.getPackageOf(core).getQualifiedName().toString();
    CoreModel model =
        new CoreModel(
            core,
            style,
            packageName,
            core.getSimpleName().toString(),
            blockingName,
            asyncName,
            bridge,
            blockingFactories,
            asyncFactories,
            methods,
            executorMethod,
            flavours);
    checkClashes(model);
    return failed ? null : model;
  }

  /** Reports a factory or executor annotation on a method of a class that is not a core. */
  void checkPlacement(Element annotated, String annotation) {
    Element enclosing = annotated.getEnclosingElement();
    boolean onCore =
        enclosing instanceof TypeElement type
            && (annotation(type, ASYNC_CORE) != null || annotation(type, BLOCKING_CORE) != null);
    if (onCore) {
      return;
    }
    String simple = annotation.substring(annotation.lastIndexOf('.') + 1);
    report(
        annotation.equals(ASYNC_EXECUTOR) ? Problem.EXECUTOR : Problem.FACTORY,
        annotated,
        "@" + simple + " is on " + annotated.getSimpleName() + ", which is not a method of a class"
            + " annotated @AsyncCore or @BlockingCore.");
  }

  // ---- the core itself ----

  private void checkAccess(TypeElement core) {
    TypeElement topLevel = core;
    while (topLevel.getEnclosingElement() instanceof TypeElement enclosing) {
      topLevel = enclosing;
    }
    JavaFileObject file = elements.getFileObjectOf(topLevel);
    if (file != null
        && file.getKind() == JavaFileObject.Kind.SOURCE
        && topLevel.getNestingKind() == NestingKind.TOP_LEVEL
        && !file.isNameCompatible(topLevel.getSimpleName().toString(), JavaFileObject.Kind.SOURCE)) {
      // javac warns ([auxiliaryclass]) when another file, such as a facade, uses such a class.
      report(
          Problem.CORE_ACCESS,
          core,
          (topLevel == core ? "The core " : "Its enclosing class ") + topLevel.getSimpleName()
              + " is declared in a file of another name, " + file.getName() + "; move it into "
              + topLevel.getSimpleName() + ".java.");
      return;
    }
    for (Element e = core; e instanceof TypeElement type; e = e.getEnclosingElement()) {
      String which = e == core ? "The core " + core.getSimpleName() : "Its enclosing class "
          + type.getSimpleName();
      if (type.getModifiers().contains(Modifier.PRIVATE)) {
        report(Problem.CORE_ACCESS, core, which + " is private.");
        return;
      }
      if (type.getNestingKind() == NestingKind.LOCAL
          || type.getNestingKind() == NestingKind.ANONYMOUS) {
        report(Problem.CORE_ACCESS, core, which + " is a local class.");
        return;
      }
      if (type.getNestingKind() == NestingKind.MEMBER
          && !type.getModifiers().contains(Modifier.STATIC)
          && type.getKind() == ElementKind.CLASS) {
        report(
            Problem.CORE_ACCESS,
            core,
            which + " is an inner (non-static) class, which needs an enclosing instance.");
        return;
      }
    }
  }

  private void checkNames(
      TypeElement core, AnnotationMirror marker, String blockingName, String asyncName) {
    String coreName = core.getSimpleName().toString();
    if (blockingName != null) {
      checkName(core, marker, "blocking", blockingName, coreName);
    }
    checkName(core, marker, "async", asyncName, coreName);
    if (blockingName != null
        && blockingName.equals(asyncName)
        && SourceVersion.isName(asyncName)) {
      report(
          Problem.FACADE_NAME,
          core,
          marker,
          "async",
          "Both facades are named " + asyncName + ".");
    }
  }

  private void checkName(
      TypeElement core, AnnotationMirror marker, String attribute, String name, String coreName) {
    if (RESTRICTED_TYPE_NAMES.contains(name)) {
      report(
          Problem.FACADE_NAME,
          core,
          marker,
          attribute,
          attribute + " = \"" + name + "\" is not a simple Java class name: var, yield, record,"
              + " sealed and permits are restricted identifiers, which cannot name a class.");
    } else if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
      report(
          Problem.FACADE_NAME,
          core,
          marker,
          attribute,
          attribute + " = \"" + name + "\" is not a simple Java class name (facades are"
              + " generated in the core's package).");
    } else if (name.equals(coreName)) {
      report(
          Problem.FACADE_NAME,
          core,
          marker,
          attribute,
          attribute + " = \"" + name + "\" is the core's own name.");
    }
  }

  /*
   * The flavour facades the core asks for: each name checked as the others are, different from
   * every other facade's, and the flavour's support class present on the compile path.
   */
  private List<CoreModel.FlavourFacade> flavours(
      TypeElement core, AnnotationMirror marker, String blockingName, String asyncName) {
    List<CoreModel.FlavourFacade> flavours = new ArrayList<>();
    Map<String, String> names = new LinkedHashMap<>();
    if (blockingName != null) {
      names.put(blockingName, "blocking");
    }
    names.putIfAbsent(asyncName, "async");
    for (Flavour flavour : Flavour.values()) {
      String name = stringValue(marker, flavour.attribute);
      if (name.isEmpty()) {
        continue;
      }
      String coreName = core.getSimpleName().toString();
      checkName(core, marker, flavour.attribute, name, coreName);
      String other = names.putIfAbsent(name, flavour.attribute);
      if (other != null && SourceVersion.isName(name)) {
        report(
            Problem.FACADE_NAME,
            core,
            marker,
            flavour.attribute,
            "The " + flavour.attribute + " and " + other + " facades are both named " + name
                + ".");
        continue;
      }
      if (elements.getTypeElement(flavour.support) == null) {
        report(
            Problem.FLAVOUR,
            core,
            marker,
            flavour.attribute,
            flavour.attribute + " = \"" + name + "\" asks for a " + flavour.title + " facade, but "
                + flavour.support + " is not on the compile path; it comes with "
                + flavour.artifacts + ".");
        continue;
      }
      flavours.add(new CoreModel.FlavourFacade(flavour, name));
    }
    return List.copyOf(flavours);
  }

  private boolean hasAnnotatedMethod(TypeElement core, String annotationName) {
    for (ExecutableElement method : ElementFilter.methodsIn(core.getEnclosedElements())) {
      if (annotation(method, annotationName) != null) {
        return true;
      }
    }
    return false;
  }

  /*
   * The factory's fix, shown as the user's own method made right: static, not private, returning
   * the core's type (package names left out of the parameters' types, for reading).
   */
  private static String factoryFix(TypeElement core, String simple, ExecutableElement method) {
    StringJoiner parameters = new StringJoiner(", ", "(", ")");
    for (VariableElement parameter : method.getParameters()) {
      String type = PACKAGE_PREFIX.matcher(parameter.asType().toString()).replaceAll("");
      parameters.add(type + " " + parameter.getSimpleName());
    }
    return Problem.FACTORY.fix() + " Write it as: @" + simple + " static " + core.getSimpleName()
        + " " + method.getSimpleName() + parameters + " { ... }";
  }

  private List<Factory> factories(TypeElement core, String annotationName) {
    List<Factory> factories = new ArrayList<>();
    String simple = annotationName.substring(annotationName.lastIndexOf('.') + 1);
    for (ExecutableElement method : ElementFilter.methodsIn(core.getEnclosedElements())) {
      AnnotationMirror annotation = annotation(method, annotationName);
      if (annotation == null) {
        continue;
      }
      boolean valid = true;
      String fix = factoryFix(core, simple, method);
      if (!method.getModifiers().contains(Modifier.STATIC)) {
        report(Problem.FACTORY, method, "@" + simple + " " + method.getSimpleName()
            + " is not static.", fix);
        valid = false;
      }
      if (method.getModifiers().contains(Modifier.PRIVATE)) {
        report(Problem.FACTORY, method, "@" + simple + " " + method.getSimpleName()
            + " is private, so the facade cannot call it.", fix);
        valid = false;
      }
      if (!types.isSameType(types.erasure(method.getReturnType()), types.erasure(core.asType()))) {
        report(
            Problem.FACTORY,
            method,
            "@" + simple + " " + method.getSimpleName() + " returns " + method.getReturnType()
                + ", not the core type " + core.getSimpleName() + ".",
            fix);
        valid = false;
      }
      if (!accessibleSignature(core, method, (ExecutableType) method.asType())) {
        valid = false;
      }
      if (annotation(method, EXCLUDE) != null) {
        report(
            Problem.FACTORY,
            method,
            "@" + simple + " " + method.getSimpleName() + " is also annotated"
                + " @ExcludeFromFacades, which keeps instance methods out of the facades and has"
                + " no effect on a factory; to keep " + method.getSimpleName() + " out of the"
                + " facade, remove @" + simple + " instead.");
        valid = false;
      }
      String staticName = stringValue(annotation, "method");
      if (!staticName.isEmpty()
          && (!SourceVersion.isIdentifier(staticName) || SourceVersion.isKeyword(staticName))) {
        report(
            Problem.FACTORY,
            method,
            annotation,
            "method",
            "method = \"" + staticName + "\" is not a Java method name.");
        valid = false;
      }
      if (valid) {
        factories.add(new Factory(method, staticName));
      }
    }
    return factories;
  }

  private ExecutableElement executorMethod(TypeElement core, Style style) {
    ExecutableElement found = null;
    for (ExecutableElement method : ElementFilter.methodsIn(core.getEnclosedElements())) {
      if (annotation(method, ASYNC_EXECUTOR) == null) {
        continue;
      }
      if (style == Style.ASYNC_FIRST) {
        report(
            Problem.EXECUTOR,
            method,
            "@AsyncExecutor is for @BlockingCore classes; the async facade of an @AsyncCore"
                + " returns the core's own stages.");
        continue;
      }
      if (found != null) {
        report(
            Problem.EXECUTOR,
            method,
            "@AsyncExecutor is on both " + found.getSimpleName() + " and "
                + method.getSimpleName() + ".");
        continue;
      }
      boolean valid =
          !method.getModifiers().contains(Modifier.STATIC)
              && !method.getModifiers().contains(Modifier.PRIVATE)
              && method.getParameters().isEmpty()
              && method.getTypeParameters().isEmpty()
              && types.isAssignable(method.getReturnType(), executor.asType());
      if (!valid) {
        report(
            Problem.EXECUTOR,
            method,
            "@AsyncExecutor " + method.getSimpleName() + " is not an instance method without"
                + " parameters returning an Executor.");
        continue;
      }
      found = method;
    }
    return found;
  }

  /*
   * The public instance methods of the core, declared or inherited, in a stable order: the
   * class's own in declaration order, then each superclass's, then the interfaces', skipping
   * Object's, excluded ones and the executor method. Of methods that override one another only
   * the most specific counts, wherever its type comes in that order (a default method overridden
   * in a subinterface); an excluded one keeps out what it overrides too.
   */
  private List<ExecutableElement> exposedMethods(TypeElement core, ExecutableElement executorMethod) {
    List<ExecutableElement> result = new ArrayList<>();
    List<TypeElement> order = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (TypeElement type = core; type != null; type = superclass(type)) {
      if (type.getQualifiedName().contentEquals("java.lang.Object")) {
        break;
      }
      if (seen.add(type.getQualifiedName().toString())) {
        order.add(type);
      }
    }
    for (int i = 0; i < order.size(); i++) {
      for (TypeMirror iface : order.get(i).getInterfaces()) {
        TypeElement element = (TypeElement) types.asElement(iface);
        if (element != null && seen.add(element.getQualifiedName().toString())) {
          order.add(element);
        }
      }
    }
    List<ExecutableElement> candidates = new ArrayList<>();
    for (TypeElement type : order) {
      for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
        Set<Modifier> modifiers = method.getModifiers();
        boolean isPublic =
            modifiers.contains(Modifier.PUBLIC) || type.getKind() == ElementKind.INTERFACE;
        if (isPublic
            && !modifiers.contains(Modifier.STATIC)
            && !modifiers.contains(Modifier.PRIVATE)) {
          candidates.add(method);
        }
      }
    }
    for (ExecutableElement method : candidates) {
      if (annotation(method, EXCLUDE) != null
          || method.equals(executorMethod)
          || overridesObjectMethod(method)
          || isSynchronizerBoundMethod(method, core)
          || isOverridden(method, candidates, core)) {
        continue;
      }
      result.add(method);
    }
    return result;
  }

  /*
   * The methods of SynchronizerBound (and the core's implementations of them) are plumbing for the
   * facades, never part of them.
   */
  private boolean isSynchronizerBoundMethod(ExecutableElement method, TypeElement core) {
    if (synchronizerBound == null) {
      return false;
    }
    for (ExecutableElement bound : ElementFilter.methodsIn(synchronizerBound.getEnclosedElements())) {
      if (method.equals(bound)
          || (method.getSimpleName().equals(bound.getSimpleName())
              && elements.overrides(method, bound, core))) {
        return true;
      }
    }
    return false;
  }

  private TypeElement superclass(TypeElement type) {
    TypeMirror superclass = type.getSuperclass();
    return superclass.getKind() == TypeKind.DECLARED ? (TypeElement) types.asElement(superclass)
        : null;
  }

  private boolean isOverridden(
      ExecutableElement method, List<ExecutableElement> candidates, TypeElement core) {
    for (ExecutableElement other : candidates) {
      if (other != method
          && other.getSimpleName().equals(method.getSimpleName())
          && elements.overrides(other, method, core)) {
        return true;
      }
    }
    return false;
  }

  private static boolean overridesObjectMethod(ExecutableElement method) {
    String name = method.getSimpleName().toString();
    int arity = method.getParameters().size();
    return switch (name) {
      case "equals" -> arity == 1
          && method.getParameters().get(0).asType().toString().equals("java.lang.Object");
      case "hashCode", "toString", "clone", "finalize" -> arity == 0;
      default -> false;
    };
  }

  // ---- methods ----

  private ExecutableType memberType(TypeElement core, ExecutableElement method) {
    // Methods declared in the core keep their own types, with every type-use annotation;
    // inherited ones are seen as members of the core, with type arguments substituted.
    if (method.getEnclosingElement().equals(core)) {
      return (ExecutableType) method.asType();
    }
    return (ExecutableType) types.asMemberOf((DeclaredType) core.asType(), method);
  }

  private Method asyncFirst(TypeElement core, ExecutableElement method) {
    ExecutableType type = memberType(core, method);
    boolean ok = true;
    TypeMirror returnType = type.getReturnType();
    Result result;
    TypeMirror value = null;
    if (returnType.getKind() == TypeKind.VOID) {
      result = Result.VOID;
    } else if (isSubtypeOf(returnType, completionStage)) {
      value = stageValue(returnType, method, "returns");
      if (value == null) {
        return null;
      }
      result = isVoid(value) ? Result.STAGE_VOID : Result.STAGE;
      if (isCore(value, core)) {
        report(
            Problem.UNSUPPORTED,
            method,
            method.getSimpleName() + " returns " + returnType + ", a stage of the core's own type,"
                + " which the facades would hand out unwrapped, exposing the core; return "
                + core.getSimpleName() + " itself, which each facade wraps in its own type.");
        return null;
      }
    } else if (isSubtypeOf(returnType, future)) {
      report(
          Problem.FUTURE,
          method,
          method.getSimpleName() + " returns " + returnType + ", a Future that is not a"
              + " CompletionStage.");
      return null;
    } else if (isSubtypeOf(returnType, asyncIterator) || isSubtypeOf(returnType, flowPublisher)) {
      boolean iterator = isSubtypeOf(returnType, asyncIterator);
      DeclaredType supertype = supertype(returnType, iterator ? asyncIterator : flowPublisher);
      if (supertype == null || supertype.getTypeArguments().isEmpty()) {
        report(
            Problem.RAW_STREAM,
            method,
            method.getSimpleName() + " returns a raw " + (iterator ? "AsyncIterator" : "Publisher")
                + ".");
        return null;
      }
      value = supertype.getTypeArguments().get(0);
      result = iterator ? Result.ITERATOR : Result.PUBLISHER;
      if (isCore(value, core)) {
        report(
            Problem.UNSUPPORTED,
            method,
            method.getSimpleName() + " returns " + returnType + ", a sequence of the core's own"
                + " type, which the facades would hand out unwrapped, exposing the core.");
        return null;
      }
    } else if (isCore(returnType, core)) {
      result = Result.CORE;
    } else {
      result = Result.PLAIN;
    }

    List<Parameter> parameters = new ArrayList<>();
    List<? extends VariableElement> elements = method.getParameters();
    for (int i = 0; i < elements.size(); i++) {
      Parameter parameter = asyncFirstParameter(core, method, elements.get(i),
          type.getParameterTypes().get(i));
      if (parameter == null) {
        ok = false;
      } else {
        parameters.add(parameter);
      }
    }
    List<TypeMirror> checked = checkedExceptions(method, type.getThrownTypes(), true);
    if (checked == null) {
      ok = false;
    }
    if (!ok) {
      return null;
    }
    boolean close =
        method.getSimpleName().contentEquals("close")
            && parameters.isEmpty()
            && method.getTypeParameters().isEmpty()
            && result == Result.STAGE_VOID;
    return new Method(
        method, returnType, result, value, parameters, type.getThrownTypes(), checked, close);
  }

  private Parameter asyncFirstParameter(
      TypeElement core, ExecutableElement method, VariableElement element, TypeMirror type) {
    if (isCore(type, core)) {
      return Parameter.plain(element, type, Pass.CORE);
    }
    if (type.getKind() != TypeKind.DECLARED) {
      return Parameter.plain(element, type, Pass.PLAIN);
    }
    DeclaredType declared = (DeclaredType) type;
    TypeElement typeElement = (TypeElement) declared.asElement();
    if (typeElement.equals(asyncCallback)) {
      if (declared.getTypeArguments().isEmpty()) {
        report(
            Problem.ASYNC_CALLBACK,
            element,
            "Parameter " + element.getSimpleName() + " of " + method.getSimpleName()
                + " is a raw AsyncCallback.");
        return null;
      }
      return new Parameter(element, type, Pass.CALLBACK, declared, 0,
          declared.getTypeArguments().get(0), 1, "call", false, false);
    }
    if (typeElement.getKind() != ElementKind.INTERFACE
        || !elements.isFunctionalInterface(typeElement)) {
      return Parameter.plain(element, type, Pass.PLAIN);
    }
    ExecutableElement sam = functionalMethod(typeElement);
    if (sam == null) {
      return Parameter.plain(element, type, Pass.PLAIN);
    }
    ExecutableType samType =
        (ExecutableType) types.asMemberOf((DeclaredType) typeElement.asType(), sam);
    TypeMirror samReturn = samType.getReturnType();
    int index = -1;
    if (samReturn.getKind() == TypeKind.TYPEVAR) {
      Element variable = ((TypeVariable) samReturn).asElement();
      List<? extends TypeParameterElement> typeParameters = typeElement.getTypeParameters();
      for (int i = 0; i < typeParameters.size(); i++) {
        if (typeParameters.get(i).equals(variable)) {
          index = i;
        }
      }
    }
    if (index >= 0) {
      if (declared.getTypeArguments().isEmpty()) {
        return Parameter.plain(element, type, Pass.PLAIN); // raw: nothing to unwrap
      }
      TypeMirror argument = declared.getTypeArguments().get(index);
      TypeMirror stage = argument;
      boolean wildcard = false;
      if (argument.getKind() == TypeKind.WILDCARD) {
        stage = ((WildcardType) argument).getExtendsBound();
        wildcard = true;
      }
      if (stage == null || !isSubtypeOf(stage, completionStage)) {
        return Parameter.plain(element, type, Pass.PLAIN); // an ordinary synchronous function
      }
      if (!sam.getTypeParameters().isEmpty()) {
        report(
            Problem.UNSUPPORTED,
            element,
            "Parameter " + element.getSimpleName() + " of " + method.getSimpleName() + " has a"
                + " generic functional method, which a lambda cannot implement.");
        return null;
      }
      TypeMirror value = stageValue(stage, element, "takes");
      if (value == null) {
        return null;
      }
      String problem = unadaptable(typeElement, index, samType, stage, value);
      if (problem != null) {
        report(
            Problem.ASYNC_CALLBACK,
            element,
            "Parameter " + element.getSimpleName() + " of " + method.getSimpleName() + " is a "
                + declared + ": " + problem);
        return null;
      }
      boolean samThrowsChecked = false;
      for (TypeMirror thrown : samType.getThrownTypes()) {
        if (!types.isSubtype(thrown, runtimeException) && !types.isSubtype(thrown, error)) {
          samThrowsChecked = true;
        }
      }
      boolean completable =
          types.isSameType(types.erasure(stage), types.erasure(completableFuture.asType()));
      TypeMirror sync = wildcard ? types.getWildcardType(value, null) : value;
      return new Parameter(element, type, Pass.ASYNC_FUNCTION, declared, index, sync,
          sam.getParameters().size(), sam.getSimpleName().toString(), samThrowsChecked,
          completable);
    }
    if (isSubtypeOf(samReturn, completionStage)) {
      report(
          Problem.ASYNC_CALLBACK,
          element,
          "Parameter " + element.getSimpleName() + " of " + method.getSimpleName() + " is a "
              + typeElement.getSimpleName() + ", whose method returns a stage of a fixed type,"
              + " so the blocking facade has no synchronous type to offer in its place.");
      return null;
    }
    return Parameter.plain(element, type, Pass.PLAIN);
  }

  /*
   * Why the blocking facade cannot offer F<.., T, ..> for the async function F<.., S, ..> whose
   * type argument `index` is the stage S of T, or null if it can: the adapter makes a stage of
   * the value, so S must be a CompletionStage or a CompletableFuture; the functional method must
   * not also take S (UnaryOperator<CompletionStage<T>> would need a value from a stage); and T
   * must be within the bounds of F's type parameter.
   */
  private String unadaptable(
      TypeElement functional, int index, ExecutableType samType, TypeMirror stage, TypeMirror value) {
    TypeMirror erasure = types.erasure(stage);
    if (stage.getKind() != TypeKind.DECLARED
        || !(types.isSameType(erasure, types.erasure(completionStage.asType()))
            || types.isSameType(erasure, types.erasure(completableFuture.asType())))) {
      return "its result type argument " + stage + " is a stage type the blocking facade cannot"
          + " make from a value; declare it as CompletionStage<T> or CompletableFuture<T>.";
    }
    TypeParameterElement variable = functional.getTypeParameters().get(index);
    for (TypeMirror parameter : samType.getParameterTypes()) {
      if (mentions(parameter, variable)) {
        return "its method " + functionalMethod(functional).getSimpleName() + " also takes the"
            + " stage type argument, and the blocking facade has no value to give it in place"
            + " of a stage.";
      }
    }
    for (TypeMirror bound : variable.getBounds()) {
      if (!types.isSubtype(types.erasure(value), types.erasure(bound))) {
        return "the bound " + bound + " of its type parameter " + variable.getSimpleName()
            + " does not admit the result type " + value + " the blocking facade would put"
            + " there.";
      }
    }
    return null;
  }

  /* Whether `type` mentions the type variable `variable`. */
  private static boolean mentions(TypeMirror type, TypeParameterElement variable) {
    return switch (type.getKind()) {
      case TYPEVAR -> ((TypeVariable) type).asElement().equals(variable);
      case DECLARED -> {
        for (TypeMirror argument : ((DeclaredType) type).getTypeArguments()) {
          if (mentions(argument, variable)) {
            yield true;
          }
        }
        yield false;
      }
      case ARRAY -> mentions(((ArrayType) type).getComponentType(), variable);
      case WILDCARD -> {
        WildcardType wildcard = (WildcardType) type;
        yield (wildcard.getExtendsBound() != null && mentions(wildcard.getExtendsBound(), variable))
            || (wildcard.getSuperBound() != null && mentions(wildcard.getSuperBound(), variable));
      }
      default -> false;
    };
  }

  private Method blockingFirst(TypeElement core, ExecutableElement method) {
    ExecutableType type = memberType(core, method);
    TypeMirror returnType = type.getReturnType();
    boolean ok = true;
    if (isSubtypeOf(returnType, completionStage)
        || isSubtypeOf(returnType, future)
        || isSubtypeOf(returnType, asyncIterator)
        || isSubtypeOf(returnType, flowPublisher)) {
      report(
          Problem.ASYNC_IN_BLOCKING_CORE,
          method,
          method.getSimpleName() + " returns " + returnType + ", an async type, in the"
              + " @BlockingCore " + core.getSimpleName() + ".");
      ok = false;
    }
    Result result =
        returnType.getKind() == TypeKind.VOID
            ? Result.VOID
            : isCore(returnType, core) ? Result.CORE : Result.PLAIN;
    List<Parameter> parameters = new ArrayList<>();
    List<? extends VariableElement> elements = method.getParameters();
    for (int i = 0; i < elements.size(); i++) {
      TypeMirror parameterType = type.getParameterTypes().get(i);
      parameters.add(
          Parameter.plain(
              elements.get(i), parameterType, isCore(parameterType, core) ? Pass.CORE : Pass.PLAIN));
    }
    List<TypeMirror> checked = checkedExceptions(method, type.getThrownTypes(), false);
    if (checked == null) {
      ok = false;
    }
    if (!ok) {
      return null;
    }
    boolean close =
        method.getSimpleName().contentEquals("close")
            && parameters.isEmpty()
            && method.getTypeParameters().isEmpty()
            && result == Result.VOID
            && types.isAssignable(core.asType(), autoCloseable.asType());
    return new Method(
        method, returnType, result, null, parameters, type.getThrownTypes(), checked, close);
  }

  /*
   * The checked exceptions of a throws clause, minus those a broader one in the clause covers,
   * in clause order; null after reporting an unsupported clause.
   */
  private List<TypeMirror> checkedExceptions(
      ExecutableElement method, List<? extends TypeMirror> thrown, boolean asyncFirst) {
    List<TypeMirror> checked = new ArrayList<>();
    for (TypeMirror type : thrown) {
      if (type.getKind() == TypeKind.TYPEVAR && asyncFirst) {
        report(
            Problem.UNSUPPORTED,
            method,
            method.getSimpleName() + " throws the type variable " + type + ", which the bridges"
                + " cannot rethrow (it is erased at run time); declare the concrete exception.");
        return null;
      }
      if (types.isSubtype(type, runtimeException) || types.isSubtype(type, error)) {
        continue;
      }
      if (!asyncFirst && !types.isSubtype(type, exception)) {
        report(
            Problem.UNSUPPORTED,
            method,
            method.getSimpleName() + " throws " + type + ", which is not an Exception, so the"
                + " async facade cannot run it as a Callable.");
        return null;
      }
      checked.add(type);
    }
    List<TypeMirror> minimal = new ArrayList<>();
    for (int i = 0; i < checked.size(); i++) {
      boolean covered = false;
      for (int j = 0; j < checked.size(); j++) {
        if (i == j) {
          continue;
        }
        boolean same = types.isSameType(checked.get(i), checked.get(j));
        if (same ? j < i : types.isSubtype(checked.get(i), checked.get(j))) {
          covered = true; // a duplicate, or a subclass of another declared exception
        }
      }
      if (!covered) {
        minimal.add(checked.get(i));
      }
    }
    return minimal;
  }

  // ---- access from the facades ----

  /*
   * Whether the facades, top-level classes of the core's package, can name every type of the
   * signature they copy: its result, parameters, exceptions and type parameters' bounds. Reports
   * each type they cannot, on the parameter or the method.
   */
  private boolean accessibleSignature(
      TypeElement core, ExecutableElement method, ExecutableType type) {
    if (!checkSignatureAccess) {
      return true;
    }
    PackageElement facades = elements.getPackageOf(core);
    boolean ok = checkAccessible(type.getReturnType(), method, method, facades);
    List<? extends VariableElement> parameters = method.getParameters();
    for (int i = 0; i < parameters.size(); i++) {
      ok &= checkAccessible(type.getParameterTypes().get(i), parameters.get(i), method, facades);
    }
    for (TypeMirror thrown : type.getThrownTypes()) {
      ok &= checkAccessible(thrown, method, method, facades);
    }
    for (TypeParameterElement parameter : method.getTypeParameters()) {
      for (TypeMirror bound : parameter.getBounds()) {
        ok &= checkAccessible(bound, method, method, facades);
      }
    }
    return ok;
  }

  private boolean checkAccessible(
      TypeMirror type, Element where, ExecutableElement method, PackageElement facades) {
    TypeElement hidden = inaccessible(type, facades);
    if (hidden == null) {
      return true;
    }
    String name = hidden.getQualifiedName().toString();
    report(
        Problem.TYPE_ACCESS,
        where,
        method.getSimpleName() + " mentions " + name + ", which "
            + (hidden.getModifiers().contains(Modifier.PRIVATE)
                ? "is private."
                : "is not public and is in another package than the facades ("
                    + facades.getQualifiedName() + ")."));
    return false;
  }

  /* The first type named in `type` that code in `facades` cannot name, or null. */
  private TypeElement inaccessible(TypeMirror type, PackageElement facades) {
    switch (type.getKind()) {
      case DECLARED -> {
        DeclaredType declared = (DeclaredType) type;
        for (Element e = declared.asElement(); e instanceof TypeElement element;
            e = e.getEnclosingElement()) {
          Set<Modifier> modifiers = element.getModifiers();
          if (modifiers.contains(Modifier.PRIVATE)
              || (!modifiers.contains(Modifier.PUBLIC)
                  && !elements.getPackageOf(element).equals(facades))) {
            return element;
          }
        }
        if (declared.getEnclosingType().getKind() == TypeKind.DECLARED) {
          TypeElement found = inaccessible(declared.getEnclosingType(), facades);
          if (found != null) {
            return found;
          }
        }
        for (TypeMirror argument : declared.getTypeArguments()) {
          TypeElement found = inaccessible(argument, facades);
          if (found != null) {
            return found;
          }
        }
        return null;
      }
      case ARRAY -> {
        return inaccessible(((ArrayType) type).getComponentType(), facades);
      }
      case WILDCARD -> {
        WildcardType wildcard = (WildcardType) type;
        TypeMirror bound =
            wildcard.getExtendsBound() != null
                ? wildcard.getExtendsBound()
                : wildcard.getSuperBound();
        return bound == null ? null : inaccessible(bound, facades);
      }
      case INTERSECTION -> {
        for (TypeMirror bound : ((IntersectionType) type).getBounds()) {
          TypeElement found = inaccessible(bound, facades);
          if (found != null) {
            return found;
          }
        }
        return null;
      }
      default -> {
        return null; // primitives, void, type variables (their bounds are checked where declared)
      }
    }
  }

  // ---- clashes ----

  private void checkClashes(CoreModel model) {
    if (model.hasBlockingFacade()) {
      checkClashes(model, true);
    }
    checkClashes(model, false);
  }

  private void checkClashes(CoreModel model, boolean blocking) {
    String facade = blocking ? model.blockingName() : model.asyncName();
    String qualifiedFacade =
        model.packageName().isEmpty() ? facade : model.packageName() + "." + facade;
    String side = blocking ? "blocking" : "async";
    Map<String, String> taken = new LinkedHashMap<>();
    String coreErasure = types.erasure(model.core().asType()).toString();
    taken.put("<init>(" + coreErasure + ")", "the constructor that wraps a core");
    taken.put("toString()", "the generated toString()");
    for (Factory factory : blocking ? model.blockingFactories() : model.asyncFactories()) {
      StringBuilder key =
          new StringBuilder(factory.staticName().isEmpty() ? "<init>" : factory.staticName());
      List<String> erasures = new ArrayList<>();
      for (VariableElement parameter : factory.method().getParameters()) {
        erasures.add(types.erasure(parameter.asType()).toString());
      }
      key.append('(').append(String.join(",", erasures)).append(')');
      String described = describe(factory.method());
      String previous = taken.putIfAbsent(key.toString(), "the factory " + described);
      if (previous != null) {
        String what = factory.staticName().isEmpty()
            ? "the public constructor " + facade + "(" + String.join(", ", erasures) + ")"
            : "the static method " + factory.staticName() + "(" + String.join(", ", erasures) + ")";
        String annotation = blocking ? "BlockingFactory" : "AsyncFactory";
        report(
            Problem.CLASH,
            factory.method(),
            "On the " + side + " facade " + facade + ", " + what + " generated from "
                + described + " clashes with " + previous + ".",
            "A factory needs a parameter list of its own, or a static method name: @"
                + annotation + "(method = \"...\"); or remove @" + annotation + " from one of"
                + " them.");
      }
    }
    for (Method method : model.methods()) {
      List<String> erasures = new ArrayList<>();
      for (Parameter parameter : method.parameters()) {
        erasures.add(facadeErasure(parameter, blocking, qualifiedFacade));
      }
      String key = method.name() + "(" + String.join(",", erasures) + ")";
      String described = describe(method.element());
      String previous = taken.putIfAbsent(key, "the method generated from " + described);
      if (previous != null) {
        report(
            Problem.CLASH,
            method.element(),
            "On the " + side + " facade " + facade + ", " + method.name() + "("
                + String.join(", ", erasures) + ") generated from " + described
                + " clashes with " + previous + ".");
      }
    }
  }

  private String facadeErasure(Parameter parameter, boolean blocking, String qualifiedFacade) {
    return switch (parameter.pass()) {
      case CORE -> qualifiedFacade;
      case CALLBACK -> blocking ? "java.util.function.Consumer"
          : types.erasure(parameter.type()).toString();
      default -> types.erasure(parameter.type()).toString();
    };
  }

  private static String describe(ExecutableElement method) {
    List<String> parameters = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      parameters.add(parameter.asType().toString());
    }
    return method.getSimpleName() + "(" + String.join(", ", parameters) + ")";
  }

  // ---- types ----

  /* T of CompletionStage<T>, unwrapping "? extends T"; null after reporting a raw or "?" stage. */
  private TypeMirror stageValue(TypeMirror type, Element where, String verb) {
    DeclaredType stage = supertype(type, completionStage);
    String name = where.getSimpleName().toString();
    if (stage == null || stage.getTypeArguments().isEmpty()) {
      report(
          Problem.RAW_STAGE,
          where,
          name + " " + verb + " a raw " + types.erasure(type) + ", so its result type is"
              + " unknown.");
      return null;
    }
    TypeMirror argument = stage.getTypeArguments().get(0);
    if (argument.getKind() == TypeKind.WILDCARD) {
      TypeMirror upper = ((WildcardType) argument).getExtendsBound();
      if (upper == null) {
        report(
            Problem.WILDCARD_STAGE,
            where,
            name + " " + verb + " " + type + ", whose result type is unknown.");
        return null;
      }
      return upper;
    }
    return argument;
  }

  /* The parameterization of `target` among the supertypes of `type`, or null. */
  private DeclaredType supertype(TypeMirror type, TypeElement target) {
    if (target == null) {
      return null;
    }
    if (type.getKind() == TypeKind.DECLARED
        && ((DeclaredType) type).asElement().equals(target)) {
      return (DeclaredType) type;
    }
    for (TypeMirror supertype : types.directSupertypes(type)) {
      DeclaredType found = supertype(supertype, target);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private boolean isSubtypeOf(TypeMirror type, TypeElement target) {
    if (target == null) {
      return false;
    }
    TypeKind kind = type.getKind();
    if (kind != TypeKind.DECLARED && kind != TypeKind.TYPEVAR) {
      return false;
    }
    return types.isSubtype(types.erasure(type), types.erasure(target.asType()));
  }

  private boolean isCore(TypeMirror type, TypeElement core) {
    return type.getKind() == TypeKind.DECLARED && ((DeclaredType) type).asElement().equals(core);
  }

  private static boolean isVoid(TypeMirror type) {
    return type.getKind() == TypeKind.DECLARED
        && ((TypeElement) ((DeclaredType) type).asElement())
            .getQualifiedName()
            .contentEquals("java.lang.Void");
  }

  private ExecutableElement functionalMethod(TypeElement functional) {
    for (ExecutableElement method : ElementFilter.methodsIn(elements.getAllMembers(functional))) {
      Set<Modifier> modifiers = method.getModifiers();
      if (modifiers.contains(Modifier.ABSTRACT)
          && !modifiers.contains(Modifier.STATIC)
          && !modifiers.contains(Modifier.DEFAULT)
          && !overridesObjectMethod(method)) {
        return method;
      }
    }
    return null;
  }

  // ---- annotations ----

  static AnnotationMirror annotation(Element element, String qualifiedName) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
      if (type.getQualifiedName().contentEquals(qualifiedName)) {
        return mirror;
      }
    }
    return null;
  }

  private static AnnotationValue explicitValue(AnnotationMirror annotation, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        annotation.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(name)) {
        return entry.getValue();
      }
    }
    return null;
  }

  private static String stringValue(AnnotationMirror annotation, String name) {
    AnnotationValue value = explicitValue(annotation, name);
    return value == null ? "" : String.valueOf(value.getValue());
  }

  private static String simpleName(AnnotationMirror annotation) {
    return annotation.getAnnotationType().asElement().getSimpleName().toString();
  }

  private static String kindName(Element element) {
    return switch (element.getKind()) {
      case INTERFACE -> "the interface";
      case ENUM -> "the enum";
      case RECORD -> "the record";
      case ANNOTATION_TYPE -> "the annotation type";
      default -> "the " + element.getKind().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  // ---- reporting ----

  private void report(Problem problem, Element element, String whatIsWrong) {
    messager.printMessage(Diagnostic.Kind.ERROR, problem.message(whatIsWrong), element);
    failed = true;
  }

  private void report(Problem problem, Element element, String whatIsWrong, String fixInstead) {
    messager.printMessage(
        Diagnostic.Kind.ERROR, problem.message(whatIsWrong, fixInstead), element);
    failed = true;
  }

  private void report(
      Problem problem,
      Element element,
      AnnotationMirror annotation,
      String attribute,
      String whatIsWrong) {
    AnnotationValue value = explicitValue(annotation, attribute);
    if (value != null) {
      messager.printMessage(
          Diagnostic.Kind.ERROR, problem.message(whatIsWrong), element, annotation, value);
    } else {
      messager.printMessage(Diagnostic.Kind.ERROR, problem.message(whatIsWrong), element,
          annotation);
    }
    failed = true;
  }
}
