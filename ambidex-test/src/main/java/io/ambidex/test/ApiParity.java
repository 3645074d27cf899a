package io.ambidex.test;

import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a blocking type and its async type have parallel shapes: the same public instance
 * methods, with corresponding parameters and results. It fails with the list of every drift.
 *
 * <pre>{@code
 * @Test
 * void facades_haveParallelShapes() {
 *   ApiParity.assertParallel(StoreClient.class, AsyncStoreClient.class);
 * }
 * }</pre>
 *
 * <p>Each side is reduced to a normal form and the forms are compared:
 *
 * <table>
 *   <caption>Correspondences between the blocking and the async type</caption>
 *   <tr><th>Blocking</th><th>Async</th></tr>
 *   <tr><td>{@code T} (primitives boxed)</td><td>{@code CompletionStage<T>} or any subtype
 *       ({@code CallFuture<T>}, {@code CompletableFuture<T>})</td></tr>
 *   <tr><td>{@code void}</td><td>{@code CompletionStage<Void>}</td></tr>
 *   <tr><td>{@code Stream<T>}, {@code Iterator<T>}</td><td>{@code Flow.Publisher<T>}, {@code
 *       AsyncIterator<T>}</td></tr>
 *   <tr><td>parameter {@code Consumer<E>}</td><td>parameter {@code AsyncCallback<E>}</td></tr>
 *   <tr><td>parameter {@code F<..., R, ...>}, a functional type</td><td>parameter {@code F<...,
 *       CompletionStage<R>, ...>}</td></tr>
 *   <tr><td>the blocking type itself</td><td>the async type itself</td></tr>
 *   <tr><td>{@code AutoCloseable}</td><td>{@code AsyncCloseable}</td></tr>
 * </table>
 *
 * <p>Anything else must be the same on both sides (a synchronous method is passed through
 * unchanged). Constructors and static methods are not compared: each facade has its own way to be
 * created. Parameter names are compared when both classes were compiled with {@code -parameters}.
 */
public final class ApiParity {
  private final Class<?> blocking;
  private final Class<?> async;
  private final Set<String> ignored = new TreeSet<>();

  private ApiParity(Class<?> blocking, Class<?> async) {
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.async = Objects.requireNonNull(async, "async");
  }

  /**
   * Fails with every drift between the two types.
   *
   * @param blocking the blocking type
   * @param async the async type
   * @throws AssertionError listing each drift, one per line
   */
  public static void assertParallel(Class<?> blocking, Class<?> async) {
    between(blocking, async).assertParallel();
  }

  /**
   * Starts a configurable check.
   *
   * @param blocking the blocking type
   * @param async the async type
   * @return the check
   */
  public static ApiParity between(Class<?> blocking, Class<?> async) {
    return new ApiParity(blocking, async);
  }

  /**
   * Leaves methods of these names out of the comparison, on both sides.
   *
   * @param methodNames the names
   * @return this check
   */
  public ApiParity ignoring(String... methodNames) {
    ignored.addAll(Arrays.asList(methodNames));
    return this;
  }

  /**
   * Fails with every drift.
   *
   * @throws AssertionError listing each drift, one per line
   */
  public void assertParallel() {
    List<String> drifts = differences();
    if (!drifts.isEmpty()) {
      throw new AssertionError(
          blocking.getSimpleName() + " and " + async.getSimpleName() + " have drifted apart ("
              + drifts.size() + (drifts.size() == 1 ? " difference" : " differences") + "):\n  - "
              + String.join("\n  - ", drifts));
    }
  }

  /**
   * Returns every drift, in a stable order; empty when the types are parallel.
   *
   * @return one sentence per drift
   */
  public List<String> differences() {
    Map<String, Method> blockingMethods = methods(blocking, false);
    Map<String, Method> asyncMethods = methods(async, true);
    List<String> drifts = new ArrayList<>();
    boolean autoCloseable = AutoCloseable.class.isAssignableFrom(blocking);
    boolean asyncCloseable = AsyncCloseable.class.isAssignableFrom(async);
    if (autoCloseable != asyncCloseable) {
      drifts.add(
          autoCloseable
              ? blocking.getSimpleName() + " is AutoCloseable but " + async.getSimpleName()
                  + " is not AsyncCloseable"
              : async.getSimpleName() + " is AsyncCloseable but " + blocking.getSimpleName()
                  + " is not AutoCloseable");
    }
    for (Map.Entry<String, Method> entry : blockingMethods.entrySet()) {
      Method other = asyncMethods.get(entry.getKey());
      if (other == null) {
        drifts.add(
            entry.getKey() + " is in " + blocking.getSimpleName() + " but not in "
                + async.getSimpleName() + nameHint(entry.getValue(), asyncMethods));
        continue;
      }
      Method method = entry.getValue();
      String blockingResult = result(method.getGenericReturnType(), false);
      String asyncResult = result(other.getGenericReturnType(), true);
      if (!blockingResult.equals(asyncResult)) {
        drifts.add(
            "the result of " + entry.getKey() + " differs: " + blocking.getSimpleName()
                + " returns " + describe(method.getGenericReturnType()) + ", "
                + async.getSimpleName() + " returns " + describe(other.getGenericReturnType())
                + " (expected a future of " + blockingResult + ")");
      }
      List<String> blockingNames = names(method);
      List<String> asyncNames = names(other);
      if (blockingNames != null && asyncNames != null && !blockingNames.equals(asyncNames)) {
        drifts.add(
            "the parameter names of " + entry.getKey() + " differ: " + blockingNames + " in "
                + blocking.getSimpleName() + ", " + asyncNames + " in " + async.getSimpleName());
      }
    }
    for (Map.Entry<String, Method> entry : asyncMethods.entrySet()) {
      if (!blockingMethods.containsKey(entry.getKey())) {
        drifts.add(
            entry.getKey() + " is in " + async.getSimpleName() + " but not in "
                + blocking.getSimpleName() + nameHint(entry.getValue(), blockingMethods));
      }
    }
    return drifts;
  }

  /* When a method is missing, point at a same-named one whose parameters differ. */
  private static String nameHint(Method method, Map<String, Method> others) {
    String candidates =
        others.keySet().stream()
            .filter(key -> key.startsWith(method.getName() + "("))
            .collect(Collectors.joining(", "));
    return candidates.isEmpty() ? "" : " (parameters differ from " + candidates + ")";
  }

  private Map<String, Method> methods(Class<?> type, boolean isAsync) {
    Map<String, Method> methods = new TreeMap<>();
    for (Method method : type.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())
          || method.isBridge()
          || method.isSynthetic()
          || method.getDeclaringClass() == Object.class
          || ignored.contains(method.getName())) {
        continue;
      }
      List<String> parameters = new ArrayList<>();
      for (Type parameter : method.getGenericParameterTypes()) {
        parameters.add(parameter(parameter, isAsync));
      }
      methods.put(method.getName() + "(" + String.join(", ", parameters) + ")", method);
    }
    return methods;
  }

  private static @Nullable List<String> names(Method method) {
    List<String> names = new ArrayList<>();
    for (java.lang.reflect.Parameter parameter : method.getParameters()) {
      if (!parameter.isNamePresent()) {
        return null;
      }
      names.add(parameter.getName());
    }
    return names;
  }

  // ---- normal forms ----

  /* A parameter type, with the async side's callback types turned into their sync form. */
  private String parameter(Type type, boolean isAsync) {
    if (isAsync && type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] arguments = parameterized.getActualTypeArguments();
      if (raw == AsyncCallback.class) {
        return "java.util.function.Consumer<" + name(arguments[0]) + ">";
      }
      if (isFunctional(raw)) {
        List<String> converted = new ArrayList<>();
        boolean changed = false;
        for (Type argument : arguments) {
          Type value = stageValue(argument);
          if (value instanceof WildcardType bounded && bounded.getLowerBounds().length == 0) {
            // A stage of "? extends T" gives T, as the processor maps it.
            value = bounded.getUpperBounds()[0];
          }
          if (value != null) {
            changed = true;
            converted.add(
                argument instanceof WildcardType ? "? extends " + name(value) : name(value));
          } else {
            converted.add(name(argument));
          }
        }
        if (changed) {
          return raw.getName() + "<" + String.join(", ", converted) + ">";
        }
      }
    }
    return name(type);
  }

  /* A result type in the blocking normal form. */
  private String result(Type type, boolean isAsync) {
    if (isAsync) {
      Type value = stageValue(type);
      if (value != null) {
        return value == Void.class ? "void" : name(value);
      }
      Type item = itemType(type, Flow.Publisher.class, AsyncIterator.class);
      if (item != null) {
        return "a stream of " + name(item);
      }
    } else {
      Type item = itemType(type, Stream.class, Iterator.class);
      if (item != null) {
        return "a stream of " + name(item);
      }
    }
    if (type instanceof Class<?> c && c.isPrimitive() && c != void.class) {
      return boxed(c).getName();
    }
    return name(type);
  }

  private static String describe(Type type) {
    return type.getTypeName()
        .replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+([A-Z])", "$1"); // drop package prefixes
  }

  /* A type's name, with the async facade named as the blocking one. */
  private String name(Type type) {
    if (type instanceof Class<?> c) {
      if (c == async) {
        return blocking.getName();
      }
      return c.isPrimitive() ? c.getName() : c.getTypeName();
    }
    if (type instanceof ParameterizedType parameterized) {
      Type owner = parameterized.getOwnerType();
      Class<?> raw = (Class<?>) parameterized.getRawType();
      String base = owner == null ? raw.getName() : name(owner) + "$" + raw.getSimpleName();
      return base
          + Arrays.stream(parameterized.getActualTypeArguments())
              .map(this::name)
              .collect(Collectors.joining(", ", "<", ">"));
    }
    if (type instanceof WildcardType wildcard) {
      if (wildcard.getLowerBounds().length > 0) {
        return "? super " + name(wildcard.getLowerBounds()[0]);
      }
      Type upper = wildcard.getUpperBounds()[0];
      return upper == Object.class ? "?" : "? extends " + name(upper);
    }
    if (type instanceof GenericArrayType array) {
      return name(array.getGenericComponentType()) + "[]";
    }
    if (type instanceof TypeVariable<?> variable) {
      return variable.getName();
    }
    return type.getTypeName();
  }

  /* T if type is a CompletionStage<T> (or a subtype, or "? extends" one), else null. */
  private static @Nullable Type stageValue(Type type) {
    if (type instanceof WildcardType wildcard && wildcard.getLowerBounds().length == 0) {
      return stageValue(wildcard.getUpperBounds()[0]);
    }
    return typeArgument(type, CompletionStage.class);
  }

  private static @Nullable Type itemType(Type type, Class<?>... kinds) {
    for (Class<?> kind : kinds) {
      Type item = typeArgument(type, kind);
      if (item != null) {
        return item;
      }
    }
    return null;
  }

  /*
   * The argument that `type` gives to the single type parameter of `target`, found through its
   * supertypes (CallFuture<T> -> CompletableFuture<T> -> CompletionStage<T>); null if `type` is
   * not a parameterized subtype of `target`.
   */
  private static @Nullable Type typeArgument(Type type, Class<?> target) {
    Class<?> raw;
    Type[] arguments;
    if (type instanceof ParameterizedType parameterized) {
      raw = (Class<?>) parameterized.getRawType();
      arguments = parameterized.getActualTypeArguments();
    } else if (type instanceof Class<?> c && c != target) {
      raw = c; // a class that fixes the argument, such as "class Names extends Publisher<String>"
      arguments = new Type[0];
    } else {
      return null;
    }
    if (!target.isAssignableFrom(raw)) {
      return null;
    }
    if (raw == target) {
      return arguments[0];
    }
    TypeVariable<?>[] variables = raw.getTypeParameters();
    List<Type> supertypes = new ArrayList<>(Arrays.asList(raw.getGenericInterfaces()));
    if (raw.getGenericSuperclass() != null) {
      supertypes.add(raw.getGenericSuperclass());
    }
    for (Type supertype : supertypes) {
      Type found = typeArgument(supertype, target);
      if (found == null) {
        continue;
      }
      for (int i = 0; i < variables.length && i < arguments.length; i++) {
        if (variables[i].equals(found)) {
          return arguments[i];
        }
      }
      return found;
    }
    return null;
  }

  private static boolean isFunctional(Class<?> type) {
    if (!type.isInterface()) {
      return false;
    }
    int abstractMethods = 0;
    for (Method method : type.getMethods()) {
      if (Modifier.isAbstract(method.getModifiers()) && !isObjectMethod(method)) {
        abstractMethods++;
      }
    }
    return abstractMethods == 1;
  }

  private static boolean isObjectMethod(Method method) {
    try {
      Object.class.getMethod(method.getName(), method.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static Class<?> boxed(Class<?> primitive) {
    return switch (primitive.getName()) {
      case "boolean" -> Boolean.class;
      case "byte" -> Byte.class;
      case "char" -> Character.class;
      case "short" -> Short.class;
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "float" -> Float.class;
      case "double" -> Double.class;
      default -> primitive;
    };
  }
}
