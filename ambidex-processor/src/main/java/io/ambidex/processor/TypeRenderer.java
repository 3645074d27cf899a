package io.ambidex.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;

/**
 * Renders types as Java source, with type-use annotations, and decides the imports of one
 * generated file.
 *
 * <p>Rendering happens before the imports are known, so a top-level class is written as a token,
 * {@code \u0001qualified.Name\u0002}, and {@link #resolve} replaces every token by the name the
 * file uses for it: the simple name when it is imported (or needs no import), the qualified name
 * otherwise. Nested classes are written as their top-level token followed by {@code .Nested}.
 */
final class TypeRenderer {
  private static final Pattern TOKEN = Pattern.compile("\u0001([^\u0002]*)\u0002");

  private final String packageName;
  private final Set<String> reservedSimpleNames = new TreeSet<>();
  private final Set<String> referenced = new TreeSet<>();
  private final Predicate<String> packageDeclares;
  private Map<String, String> names = Map.of();

  /**
   * @param packageName the package of the generated file
   * @param ownSimpleName the generated class's simple name, which no import may take
   * @param packageDeclares whether the package declares a top-level type of a simple name
   */
  TypeRenderer(String packageName, String ownSimpleName, Predicate<String> packageDeclares) {
    this.packageName = packageName;
    this.packageDeclares = packageDeclares;
    reservedSimpleNames.add(ownSimpleName);
  }

  /**
   * Returns the token naming {@code type} (a top-level one's, followed by {@code .Nested} for a
   * nested type) without referencing it: for a doc comment's types, referenced by {@link
   * #registered} only if they are still in the doc that is written.
   */
  static String token(TypeElement type) {
    if (type.getNestingKind() == NestingKind.MEMBER) {
      return token((TypeElement) type.getEnclosingElement()) + "." + type.getSimpleName();
    }
    return "\u0001" + type.getQualifiedName() + "\u0002";
  }

  /** References the classes whose tokens {@code lines} hold; returns {@code lines}. */
  List<String> registered(List<String> lines) {
    for (String line : lines) {
      Matcher matcher = TOKEN.matcher(line);
      while (matcher.find()) {
        referenced.add(matcher.group(1));
      }
    }
    return lines;
  }

  /** Returns {@code text} with each token replaced by its qualified name. */
  static String plain(String text) {
    return text.replace("\u0001", "").replace("\u0002", "");
  }

  /**
   * Returns the simple name of a type name as written in a doc comment: a plain name as it is,
   * a token's (or a qualified name's) last part.
   */
  static String docSimpleName(String name) {
    if (name.indexOf('\u0001') < 0) {
      return name;
    }
    return simpleName(plain(name));
  }

  /** Returns the token for a top-level class given by its qualified name. */
  String qualified(String qualifiedName) {
    referenced.add(qualifiedName);
    return "\u0001" + qualifiedName + "\u0002";
  }

  /** Returns how to name a class or interface (top-level or nested), without type arguments. */
  String className(TypeElement type) {
    if (type.getNestingKind() == NestingKind.MEMBER) {
      return className((TypeElement) type.getEnclosingElement()) + "." + type.getSimpleName();
    }
    return qualified(type.getQualifiedName().toString());
  }

  /** Renders a type, with its type-use annotations. */
  String type(TypeMirror type) {
    return switch (type.getKind()) {
      case DECLARED -> declared((DeclaredType) type);
      case ARRAY -> array((ArrayType) type, "[]");
      case TYPEVAR -> {
        String name = ((TypeVariable) type).asElement().getSimpleName().toString();
        reservedSimpleNames.add(name);
        yield annotations(type.getAnnotationMirrors()) + name;
      }
      case WILDCARD -> wildcard((WildcardType) type);
      case VOID -> "void";
      default -> {
        if (type.getKind().isPrimitive()) {
          yield annotations(type.getAnnotationMirrors())
              + type.getKind().name().toLowerCase(java.util.Locale.ROOT);
        }
        throw new IllegalArgumentException("cannot render " + type.getKind() + " " + type);
      }
    };
  }

  /** Renders the type of a varargs parameter: {@code T...} instead of {@code T[]}. */
  String varargs(TypeMirror arrayType) {
    return array((ArrayType) arrayType, "...");
  }

  /** Renders a declared type, replacing its type arguments by already rendered ones. */
  String declared(DeclaredType type, List<String> renderedArguments) {
    return declaredBase(type) + arguments(renderedArguments);
  }

  private String declared(DeclaredType type) {
    List<String> rendered = new ArrayList<>();
    for (TypeMirror argument : type.getTypeArguments()) {
      rendered.add(type(argument));
    }
    return declared(type, rendered);
  }

  private String declaredBase(DeclaredType type) {
    TypeElement element = (TypeElement) type.asElement();
    String annotations = annotations(type.getAnnotationMirrors());
    if (element.getNestingKind() != NestingKind.MEMBER) {
      return annotations + className(element);
    }
    TypeMirror enclosing = type.getEnclosingType();
    String outer =
        enclosing.getKind() == TypeKind.DECLARED && !element.getModifiers().contains(Modifier.STATIC)
            ? declared((DeclaredType) enclosing)
            : className((TypeElement) element.getEnclosingElement());
    return outer + "." + annotations + element.getSimpleName();
  }

  private static String arguments(List<String> rendered) {
    return rendered.isEmpty() ? "" : "<" + String.join(", ", rendered) + ">";
  }

  private String array(ArrayType type, String brackets) {
    String annotations = annotations(type.getAnnotationMirrors());
    String component = type(type.getComponentType());
    return component + (annotations.isEmpty() ? "" : " " + annotations.strip() + " ") + brackets;
  }

  private String wildcard(WildcardType type) {
    String annotations = annotations(type.getAnnotationMirrors());
    if (type.getExtendsBound() != null) {
      return annotations + "? extends " + type(type.getExtendsBound());
    }
    if (type.getSuperBound() != null) {
      return annotations + "? super " + type(type.getSuperBound());
    }
    return annotations + "?";
  }

  /** Renders annotations followed by a space each, or "" for none. */
  String annotations(List<? extends AnnotationMirror> annotations) {
    StringBuilder out = new StringBuilder();
    for (AnnotationMirror annotation : annotations) {
      out.append(annotation(annotation)).append(' ');
    }
    return out.toString();
  }

  /** Renders one annotation, with its explicit values. */
  String annotation(AnnotationMirror annotation) {
    String name = "@" + className((TypeElement) annotation.getAnnotationType().asElement());
    Map<? extends ExecutableElement, ? extends AnnotationValue> values =
        annotation.getElementValues();
    if (values.isEmpty()) {
      return name;
    }
    if (values.size() == 1) {
      Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> only =
          values.entrySet().iterator().next();
      if (only.getKey().getSimpleName().contentEquals("value")) {
        return name + "(" + value(only.getValue()) + ")";
      }
    }
    return name
        + values.entrySet().stream()
            .map(e -> e.getKey().getSimpleName() + " = " + value(e.getValue()))
            .collect(Collectors.joining(", ", "(", ")"));
  }

  /*
   * An annotation value as source: enum constants and class literals named as other classes are
   * (imported or qualified), nested annotations and arrays rendered in turn, strings and chars
   * escaped, other constants as literals of their type.
   */
  private String value(AnnotationValue value) {
    Object content = value.getValue();
    if (content instanceof VariableElement constant) {
      return className((TypeElement) constant.getEnclosingElement()) + "." + constant.getSimpleName();
    }
    if (content instanceof TypeMirror type) {
      return classLiteral(type) + ".class";
    }
    if (content instanceof AnnotationMirror annotation) {
      return annotation(annotation);
    }
    if (content instanceof List<?> list) {
      List<String> rendered = new ArrayList<>();
      for (Object item : list) {
        rendered.add(value((AnnotationValue) item));
      }
      return "{" + String.join(", ", rendered) + "}";
    }
    if (content instanceof String string) {
      StringBuilder out = new StringBuilder("\"");
      for (int i = 0; i < string.length(); i++) {
        out.append(escape(string.charAt(i), '"'));
      }
      return out.append('"').toString();
    }
    if (content instanceof Character character) {
      return "'" + escape(character, '\'') + "'";
    }
    if (content instanceof Long number) {
      return number + "L";
    }
    if (content instanceof Float number) {
      if (number.isNaN() || number.isInfinite()) {
        return number.isNaN() ? "0.0f / 0.0f" : (number > 0 ? "" : "-") + "1.0f / 0.0f";
      }
      return number + "f";
    }
    if (content instanceof Double number) {
      if (number.isNaN() || number.isInfinite()) {
        return number.isNaN() ? "0.0 / 0.0" : (number > 0 ? "" : "-") + "1.0 / 0.0";
      }
      return number.toString();
    }
    if (content instanceof Byte number) {
      return "(byte) " + number;
    }
    if (content instanceof Short number) {
      return "(short) " + number;
    }
    return String.valueOf(content); // int, boolean
  }

  /* The type of a class literal: erased, without type-use annotations. */
  private String classLiteral(TypeMirror type) {
    return switch (type.getKind()) {
      case DECLARED -> className((TypeElement) ((DeclaredType) type).asElement());
      case ARRAY -> classLiteral(((ArrayType) type).getComponentType()) + "[]";
      case VOID -> "void";
      default -> type.getKind().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /* A character of a string or char literal, escaped as needed; non-ASCII as a unicode escape. */
  private static String escape(char c, char quote) {
    return switch (c) {
      case '\b' -> "\\b";
      case '\t' -> "\\t";
      case '\n' -> "\\n";
      case '\f' -> "\\f";
      case '\r' -> "\\r";
      case '\\' -> "\\\\";
      default -> {
        if (c == quote) {
          yield "\\" + c;
        }
        if (c < 0x20 || c >= 0x7f) {
          yield String.format("\\u%04x", (int) c);
        }
        yield String.valueOf(c);
      }
    };
  }

  /** Renders a type parameter list, {@code <T extends Comparable<? super T>, U>}, or "". */
  String typeParameters(List<? extends TypeParameterElement> parameters) {
    if (parameters.isEmpty()) {
      return "";
    }
    List<String> rendered = new ArrayList<>();
    for (TypeParameterElement parameter : parameters) {
      reservedSimpleNames.add(parameter.getSimpleName().toString());
      List<String> bounds = new ArrayList<>();
      for (TypeMirror bound : parameter.getBounds()) {
        if (!isPlainObject(bound)) {
          bounds.add(type(bound));
        }
      }
      rendered.add(
          annotations(parameter.getAnnotationMirrors())
              + parameter.getSimpleName()
              + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds)));
    }
    return "<" + String.join(", ", rendered) + ">";
  }

  private static boolean isPlainObject(TypeMirror bound) {
    return bound.getKind() == TypeKind.DECLARED
        && bound.getAnnotationMirrors().isEmpty()
        && ((TypeElement) ((DeclaredType) bound).asElement())
            .getQualifiedName()
            .contentEquals("java.lang.Object");
  }

  /**
   * Decides the name of every referenced class, and returns the import lines, sorted. Call once,
   * after everything has been rendered and before {@link #resolve}.
   */
  List<String> decideImports() {
    Map<String, List<String>> bySimpleName = new TreeMap<>();
    for (String qualified : referenced) {
      bySimpleName.computeIfAbsent(simpleName(qualified), k -> new ArrayList<>()).add(qualified);
    }
    Map<String, String> decided = new TreeMap<>();
    List<String> imports = new ArrayList<>();
    for (Map.Entry<String, List<String>> group : bySimpleName.entrySet()) {
      String simple = group.getKey();
      List<String> candidates = group.getValue(); // sorted, since `referenced` is
      String chosen = null;
      if (!reservedSimpleNames.contains(simple)) {
        for (String candidate : candidates) {
          if (packageOf(candidate).equals(packageName)) {
            chosen = candidate; // needs no import, and an import would hide it
          }
        }
        if (chosen == null) {
          for (String candidate : candidates) {
            // java.lang is imported implicitly, unless the package declares the same name.
            if (packageOf(candidate).equals("java.lang") && !packageDeclares.test(simple)) {
              chosen = candidate;
            }
          }
        }
        if (chosen == null) {
          chosen = candidates.get(0);
          imports.add(chosen);
        }
      }
      for (String candidate : candidates) {
        decided.put(candidate, candidate.equals(chosen) ? simple : candidate);
      }
    }
    names = decided;
    return imports.stream().sorted().toList();
  }

  /** Replaces the tokens of {@code text} by the names decided by {@link #decideImports}. */
  String resolve(String text) {
    if (text.indexOf('\u0001') < 0) {
      return text;
    }
    Matcher matcher = TOKEN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = names.get(matcher.group(1));
      if (name == null) {
        throw new IllegalStateException("no name decided for " + matcher.group(1));
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(name));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String simpleName(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }

  private static String packageOf(String qualified) {
    int dot = qualified.lastIndexOf('.');
    return dot < 0 ? "" : qualified.substring(0, dot);
  }
}
