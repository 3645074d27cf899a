package io.ambidex.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * The Ambidex annotation processor: for each class annotated {@code @AsyncCore} or
 * {@code @BlockingCore}, generates its blocking and async facades as Java source in the core's
 * package, and the flavour facades (Reactor, RxJava 3, Mutiny) an {@code @AsyncCore} asks for.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Errors</b> are reported on the offending element with a stable tag ({@code
 *       [AMBIDEX-...]}) and a sentence saying what to write instead; every core and every method
 *       is checked, so one compile shows every error. A core with errors gets no facades.
 *   <li><b>Deferral</b>: a core whose signatures mention a type that does not exist yet (one that
 *       another processor generates) is retried in the next round.
 *   <li><b>Incremental</b>: each generated file has exactly one originating element, its core
 *       ("isolating" for Gradle).
 *   <li><b>Deterministic</b>: output follows declaration order; the same core gives byte-identical
 *       files.
 * </ul>
 */
public final class AmbidexProcessor extends AbstractProcessor {
  private final Set<String> deferred = new LinkedHashSet<>();
  private final Map<String, String> generatedFrom = new HashMap<>();
  /* The top-level types of the compilation's sources, and of files generated in earlier rounds. */
  private final Set<String> rootTypes = new HashSet<>();
  private CoreAnalyzer analyzer;
  private FacadeGenerator generator;

  /** Creates the processor; javac calls {@link #init} before using it. */
  public AmbidexProcessor() {}

  @Override
  public synchronized void init(ProcessingEnvironment processingEnv) {
    super.init(processingEnv);
    analyzer = new CoreAnalyzer(processingEnv);
    generator =
        new FacadeGenerator(
            processingEnv.getElementUtils(),
            processingEnv.getTypeUtils(),
            DocLinks.of(processingEnv));
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(
        CoreAnalyzer.ASYNC_CORE,
        CoreAnalyzer.BLOCKING_CORE,
        CoreAnalyzer.BLOCKING_FACTORY,
        CoreAnalyzer.ASYNC_FACTORY,
        CoreAnalyzer.ASYNC_EXECUTOR,
        CoreAnalyzer.EXCLUDE);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    List<TypeElement> cores = new ArrayList<>();
    for (String name : deferred) {
      TypeElement core = processingEnv.getElementUtils().getTypeElement(name);
      if (core != null) {
        cores.add(core);
      }
    }
    deferred.clear();
    // Cores in the order javac was given the sources (and declaration order within each), so
    // that output and diagnostics do not depend on the iteration order of a set.
    for (Element root : round.getRootElements()) {
      collectCores(root, cores);
      if (root instanceof TypeElement type) {
        rootTypes.add(type.getQualifiedName().toString());
      }
    }
    for (TypeElement annotation : annotations) {
      String name = annotation.getQualifiedName().toString();
      if (name.equals(CoreAnalyzer.BLOCKING_FACTORY)
          || name.equals(CoreAnalyzer.ASYNC_FACTORY)
          || name.equals(CoreAnalyzer.ASYNC_EXECUTOR)) {
        for (Element element : round.getElementsAnnotatedWith(annotation)) {
          analyzer.checkPlacement(element, name);
        }
      }
    }
    for (TypeElement core : cores) {
      if (mentionsMissingType(core)) {
        // Retried next round, once another processor may have generated the type. If the type
        // never appears, javac reports it; facades written in the last round would not compile.
        if (!round.processingOver()) {
          deferred.add(core.getQualifiedName().toString());
        }
        continue;
      }
      process(core);
    }
    return false;
  }

  private static void collectCores(Element element, List<TypeElement> cores) {
    if (!(element instanceof TypeElement type)) {
      return;
    }
    if ((CoreAnalyzer.annotation(type, CoreAnalyzer.ASYNC_CORE) != null
            || CoreAnalyzer.annotation(type, CoreAnalyzer.BLOCKING_CORE) != null)
        && !cores.contains(type)) {
      cores.add(type);
    }
    for (Element member : type.getEnclosedElements()) {
      collectCores(member, cores);
    }
  }

  private void process(TypeElement core) {
    CoreModel model = analyzer.analyze(core);
    if (model == null) {
      return;
    }
    List<String> names = new ArrayList<>();
    if (model.hasBlockingFacade()) {
      names.add(qualified(model, model.blockingName()));
    }
    names.add(qualified(model, model.asyncName()));
    for (CoreModel.FlavourFacade flavour : model.flavours()) {
      names.add(qualified(model, flavour.name()));
    }
    for (String name : names) {
      String other = generatedFrom.get(name);
      if (other != null) {
        processingEnv
            .getMessager()
            .printMessage(
                Diagnostic.Kind.ERROR,
                Problem.FACADE_NAME.message(
                    "The facade " + name + " is already generated from " + other + "."),
                core);
        return;
      }
    }
    boolean taken = false;
    for (String name : names) {
      taken |= declaredElsewhere(core, name);
    }
    if (taken) {
      return;
    }
    for (String name : names) {
      generatedFrom.put(name, core.getQualifiedName().toString());
    }
    if (model.hasBlockingFacade()) {
      write(model, model.blockingName(), generator.blocking(model));
    }
    write(model, model.asyncName(), generator.async(model));
    for (CoreModel.FlavourFacade flavour : model.flavours()) {
      write(model, flavour.name(), generator.flavour(model, flavour));
    }
  }

  /*
   * Reports a facade name taken by a class of this compilation's sources, such as the
   * hand-written client the facades replace (docs/migration.md): the Filer cannot create it.
   * A class only found on the class path or source path (an earlier build's facade, in an
   * incremental build) is left alone: the Filer replaces it.
   */
  private boolean declaredElsewhere(TypeElement core, String name) {
    TypeElement existing = processingEnv.getElementUtils().getTypeElement(name);
    if (existing == null || !rootTypes.contains(name)) {
      return false;
    }
    JavaFileObject file = processingEnv.getElementUtils().getFileObjectOf(existing);
    String where = file == null ? "" : " (" + file.getName() + ")";
    String simpleName = existing.getSimpleName().toString();
    AnnotationMirror marker = CoreAnalyzer.annotation(core, CoreAnalyzer.ASYNC_CORE);
    if (marker == null) {
      marker = CoreAnalyzer.annotation(core, CoreAnalyzer.BLOCKING_CORE);
    }
    String attribute = "";
    AnnotationValue value = null;
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        marker.getElementValues().entrySet()) {
      if (simpleName.equals(entry.getValue().getValue())) {
        attribute = entry.getKey().getSimpleName().toString();
        value = entry.getValue();
        break;
      }
    }
    String message =
        Problem.FACADE_NAME.message(
            attribute + " = \"" + simpleName + "\" names the class " + name + ", which is"
                + " already declared in this compilation" + where + ", so the facade cannot be"
                + " generated.",
            "If it is the hand-written class the facade replaces, delete or rename the old class"
                + " (docs/migration.md); otherwise choose another name for the facade.");
    if (value != null) {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, core, marker, value);
    } else {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, core);
    }
    return true;
  }

  private static String qualified(CoreModel model, String simpleName) {
    return model.packageName().isEmpty() ? simpleName : model.packageName() + "." + simpleName;
  }

  private void write(CoreModel model, String simpleName, String source) {
    String name = qualified(model, simpleName);
    Filer filer = processingEnv.getFiler();
    try {
      JavaFileObject file = filer.createSourceFile(name, model.core());
      try (Writer writer = file.openWriter()) {
        writer.write(source);
      }
    } catch (IOException e) {
      processingEnv
          .getMessager()
          .printMessage(
              Diagnostic.Kind.ERROR,
              "[AMBIDEX-IO] Could not write " + name + ": " + e.getMessage(),
              model.core());
    }
  }

  /*
   * Whether a signature the facades copy mentions a type javac could not resolve (yet): those of
   * the core's methods, inherited ones included, with their type parameters' bounds, and the
   * core's supertypes, through which methods are inherited.
   */
  private boolean mentionsMissingType(TypeElement core) {
    if (isMissing(core.getSuperclass())) {
      return true;
    }
    for (TypeMirror iface : core.getInterfaces()) {
      if (isMissing(iface)) {
        return true;
      }
    }
    Elements elements = processingEnv.getElementUtils();
    for (ExecutableElement method : ElementFilter.methodsIn(elements.getAllMembers(core))) {
      if (isMissing(method.getReturnType())) {
        return true;
      }
      for (TypeParameterElement typeParameter : method.getTypeParameters()) {
        for (TypeMirror bound : typeParameter.getBounds()) {
          if (isMissing(bound)) {
            return true;
          }
        }
      }
      for (VariableElement parameter : method.getParameters()) {
        if (isMissing(parameter.asType())) {
          return true;
        }
      }
      for (TypeMirror thrown : method.getThrownTypes()) {
        if (isMissing(thrown)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isMissing(TypeMirror type) {
    return switch (type.getKind()) {
      case ERROR -> true;
      case DECLARED -> {
        for (TypeMirror argument : ((DeclaredType) type).getTypeArguments()) {
          if (isMissing(argument)) {
            yield true;
          }
        }
        yield false;
      }
      case ARRAY -> isMissing(((ArrayType) type).getComponentType());
      case WILDCARD -> {
        WildcardType wildcard = (WildcardType) type;
        yield (wildcard.getExtendsBound() != null && isMissing(wildcard.getExtendsBound()))
            || (wildcard.getSuperBound() != null && isMissing(wildcard.getSuperBound()));
      }
      default -> type.getKind() == TypeKind.ERROR;
    };
  }
}
