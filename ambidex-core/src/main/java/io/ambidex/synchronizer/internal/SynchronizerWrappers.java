package io.ambidex.synchronizer.internal;

import io.ambidex.AsyncCloseable;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Stages;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.synchronizer.Synchronizer;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/*
 * The reflective fallback behind Synchronizer.blocking/async: java.lang.reflect.Proxy wrappers with
 * argument unwrapping, result re-wrapping, and a weak identity map so one target always maps to one
 * wrapper (per interface and direction) for as long as that wrapper is reachable. Wrappers are held
 * weakly too: a strong value would keep its target, and so its own key, alive forever.
 */
public final class SynchronizerWrappers {
  private final LoopHost host;
  private final Map<Key, WeakReference<Object>> wrappers = new HashMap<>(); // guarded by this
  private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();
  private final Map<Method, Method> resolved = new ConcurrentHashMap<>();

  public SynchronizerWrappers(LoopHost host) {
    this.host = host;
  }

  public <B> B blocking(Class<B> blockingInterface, Object target) {
    return wrap(blockingInterface, target, true);
  }

  public <A> A async(Class<A> asyncInterface, A target) {
    Objects.requireNonNull(asyncInterface, "asyncInterface");
    Objects.requireNonNull(target, "target");
    if (!asyncInterface.isInstance(target)) {
      throw new IllegalArgumentException(
          "target " + target.getClass().getName() + " does not implement "
              + asyncInterface.getName() + "; an async wrapper has the target's own interface.");
    }
    return wrap(asyncInterface, target, false);
  }

  private <W> W wrap(Class<W> iface, Object target, boolean blocking) {
    Objects.requireNonNull(iface, "interface");
    Objects.requireNonNull(target, "target");
    if (!iface.isInterface()) {
      throw new IllegalArgumentException(
          iface.getName() + " is not an interface; a Synchronizer wraps objects through interfaces.");
    }
    Object unwrapped = unwrap(target);
    synchronized (this) {
      expunge();
      Key probe = new Key(unwrapped, iface, blocking, null);
      WeakReference<Object> ref = wrappers.get(probe);
      Object existing = ref == null ? null : ref.get();
      if (existing != null) {
        return iface.cast(existing);
      }
      Object proxy =
          Proxy.newProxyInstance(
              iface.getClassLoader(),
              new Class<?>[] {iface},
              new Handler(iface, unwrapped, blocking));
      wrappers.put(new Key(unwrapped, iface, blocking, cleared), new WeakReference<>(proxy));
      return iface.cast(proxy);
    }
  }

  private void expunge() {
    java.lang.ref.Reference<?> r;
    while ((r = cleared.poll()) != null) {
      Object dead = r;
      wrappers.keySet().removeIf(k -> k.ref == dead);
    }
    wrappers.values().removeIf(w -> w.get() == null);
  }

  /** Returns the target of a wrapper made by this Synchronizer, or the object itself. */
  Object unwrap(Object maybeWrapper) {
    if (Proxy.isProxyClass(maybeWrapper.getClass())
        && Proxy.getInvocationHandler(maybeWrapper) instanceof Handler h
        && h.owner() == this) {
      return h.target;
    }
    return maybeWrapper;
  }

  private static final class Key {
    final WeakReference<Object> ref;
    final int hash;
    final Class<?> iface;
    final boolean blocking;
    private final @Nullable Object strongProbe;

    Key(Object target, Class<?> iface, boolean blocking, @Nullable ReferenceQueue<Object> queue) {
      this.ref = new WeakReference<>(target, queue);
      this.hash = System.identityHashCode(target) * 31 + iface.hashCode() + (blocking ? 1 : 0);
      this.iface = iface;
      this.blocking = blocking;
      this.strongProbe = queue == null ? target : null;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) {
        return false;
      }
      Object mine = strongProbe != null ? strongProbe : ref.get();
      Object theirs = k.strongProbe != null ? k.strongProbe : k.ref.get();
      return mine != null && mine == theirs && iface == k.iface && blocking == k.blocking;
    }
  }

  private final class Handler implements InvocationHandler {
    final Class<?> iface;
    final Object target;
    final boolean blocking;

    Handler(Class<?> iface, Object target, boolean blocking) {
      this.iface = iface;
      this.target = target;
      this.blocking = blocking;
    }

    SynchronizerWrappers owner() {
      return SynchronizerWrappers.this;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method method, @Nullable Object @Nullable [] args)
        throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> args != null && proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default ->
              (blocking ? "blocking " : "async ") + iface.getSimpleName() + " over " + target;
        };
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      Object[] actual = args == null ? new Object[0] : args.clone();
      for (int i = 0; i < actual.length; i++) {
        if (actual[i] != null) {
          actual[i] = unwrap(actual[i]);
        }
      }
      Method targetMethod = resolve(method, target, actual);
      String operation = iface.getSimpleName() + "." + method.getName();
      return blocking
          ? invokeBlocking(method, targetMethod, operation, actual)
          : invokeAsync(method, targetMethod, operation, actual);
    }

    private @Nullable Object invokeBlocking(
        Method method, Method targetMethod, String operation, Object[] args) throws Exception {
      Class<?> type = method.getReturnType();
      // An async iterator is wrapped where it is returned, on the loop, so that it is registered
      // with the host at once; if the caller stops waiting (interrupted) meanwhile, nobody holds
      // it, and the task queued behind the call closes it (as Synchronizer.stream does).
      AtomicReference<@Nullable LoopBatchIterator<?>> built = new AtomicReference<>();
      Object value;
      try {
        value =
            host.synchronizer()
                .call(
                    operation,
                    Exception.class,
                    () ->
                        stageOf(targetMethod, args)
                            .thenApply(v -> batchedIfIterator(v, type, operation, built)));
      } catch (Throwable t) {
        closeAbandoned(built);
        throw t;
      }
      if (type == void.class) {
        return null;
      }
      if (value instanceof LoopBatchIterator<?> it && !type.isInstance(value)) {
        if (type == Stream.class) {
          return StreamSupport.stream(
                  Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
              .onClose(it::close);
        }
        return it;
      }
      if (value != null && type.isInterface() && !type.isInstance(value)) {
        return blocking(type, value);
      }
      return value;
    }

    /* The value, or, for an async iterator the blocking method does not return as it is, a
     * batched iterator over it, recorded in `built`. */
    private @Nullable Object batchedIfIterator(
        @Nullable Object value,
        Class<?> type,
        String operation,
        AtomicReference<@Nullable LoopBatchIterator<?>> built) {
      if (value instanceof AsyncIterator<?> source
          && type != void.class
          && !type.isInstance(value)) {
        LoopBatchIterator<?> it = new LoopBatchIterator<>(host, operation, source);
        built.set(it);
        return it;
      }
      return value;
    }

    private void closeAbandoned(AtomicReference<@Nullable LoopBatchIterator<?>> built) {
      SynchronizerLoop l;
      try {
        l = host.loop();
      } catch (RuntimeException closedOrDead) {
        return; // closed: its close closes the registered iterators; dead: nothing can
      }
      host.closeAbandoned(l, built);
    }

    private @Nullable Object invokeAsync(
        Method method, Method targetMethod, String operation, Object[] args) {
      Class<?> type = method.getReturnType();
      if (CompletionStage.class.isAssignableFrom(type)) {
        return host.synchronizer().async(operation, () -> stageOf(targetMethod, args));
      }
      if (type == AsyncIterator.class) {
        // Opened on the loop at the first hasNext(): an async caller, on a thread that must not
        // block (an event loop), cannot wait for the target here (the guard refused it).
        return new IsolatedIterator<>(operation, () -> stageOf(targetMethod, args));
      }
      Object value = host.synchronizer().call(operation, () -> stageOf(targetMethod, args));
      if (value instanceof AsyncIterator<?> source) {
        @SuppressWarnings("unchecked")
        AsyncIterator<Object> opened = (AsyncIterator<Object>) source;
        return new IsolatedIterator<>(operation, opened);
      }
      if (value != null && type.isInstance(value) && isAsyncInterface(type)) {
        @SuppressWarnings("unchecked")
        Class<Object> t = (Class<Object>) type;
        return async(t, value);
      }
      return value;
    }

    private CompletionStage<Object> stageOf(Method targetMethod, Object[] args) {
      Object result;
      try {
        result = targetMethod.invoke(target, args);
      } catch (InvocationTargetException e) {
        return CompletableFuture.failedFuture(e.getCause());
      } catch (IllegalAccessException e) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(inaccessible(targetMethod, target), e));
      }
      if (result instanceof CompletionStage<?> stage) {
        @SuppressWarnings("unchecked")
        CompletionStage<Object> s = (CompletionStage<Object>) stage;
        return s;
      }
      return CompletableFuture.completedFuture(result);
    }
  }

  /*
   * Why the core may not call the method. On the module path the usual cause is encapsulation: a
   * public interface of a package its module does not export (or open) to io.ambidex.core, which
   * only that module's descriptor can change.
   */
  private static String inaccessible(Method method, Object target) {
    Class<?> owner = method.getDeclaringClass();
    Module module = owner.getModule();
    Module core = SynchronizerWrappers.class.getModule();
    String pkg = owner.getPackageName();
    if (module.isNamed() && core.isNamed() && !callableByTheCore(method)) {
      return "Cannot call " + method + " on " + target.getClass().getName() + ": module "
          + module.getName() + " does not export " + pkg + " to " + core.getName()
          + ", whose Synchronizer calls it reflectively; add 'exports " + pkg + " to "
          + core.getName() + ";' to its module-info.";
    }
    return "Cannot call " + method + " on " + target.getClass().getName()
        + ": declare it in a public interface that the target implements.";
  }

  /*
   * Finds the target's method for a wrapper method: same name and arity, declared in a public type
   * the target implements (so it can be invoked across modules), preferring one whose parameter
   * types accept the actual arguments. Of the same method declared by several of those types,
   * one that the core may call (its package exported or open to the core's module) wins: a target
   * may implement it through an exported interface and a non-exported one, and only the first
   * can be invoked from here. Cached per (wrapper method) when unambiguous.
   */
  private Method resolve(Method method, Object target, Object[] args) {
    Method cached = resolved.get(method);
    if (cached != null && cached.getDeclaringClass().isInstance(target)) {
      return cached;
    }
    List<Method> candidates = new ArrayList<>();
    for (Class<?> type : publicTypes(target.getClass())) {
      for (Method m : type.getMethods()) {
        if (m.getName().equals(method.getName())
            && m.getParameterCount() == method.getParameterCount()
            && !Modifier.isStatic(m.getModifiers())) {
          candidates.add(m);
        }
      }
    }
    Method best = null;
    boolean ambiguous = false;
    for (Method m : candidates) {
      if (accepts(m, args)) {
        if (best == null) {
          best = m;
        } else if (!sameSignature(best, m)) {
          ambiguous = true;
        } else if (!callableByTheCore(best) && callableByTheCore(m)) {
          best = m;
        }
      }
    }
    if (best == null) {
      throw new UnsupportedOperationException(
          "No public method " + method.getName() + " with " + method.getParameterCount()
              + " parameter(s) accepting these arguments on " + target.getClass().getName()
              + " (looked in its public interfaces and classes); the wrapper interface "
              + method.getDeclaringClass().getName() + " must mirror the target's methods.");
    }
    if (!ambiguous) {
      resolved.put(method, best);
    }
    return best;
  }

  /* Whether the core's module may invoke a public method of this declaring type. */
  private static boolean callableByTheCore(Method m) {
    Class<?> owner = m.getDeclaringClass();
    Module module = owner.getModule();
    Module core = SynchronizerWrappers.class.getModule();
    String pkg = owner.getPackageName();
    return module.isExported(pkg, core) || module.isOpen(pkg, core);
  }

  private static boolean sameSignature(Method a, Method b) {
    return java.util.Arrays.equals(a.getParameterTypes(), b.getParameterTypes());
  }

  private static boolean accepts(Method m, Object[] args) {
    Class<?>[] types = m.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      Object a = args[i];
      Class<?> t = types[i].isPrimitive() ? boxed(types[i]) : types[i];
      if (a == null ? types[i].isPrimitive() : !t.isInstance(a)) {
        return false;
      }
    }
    return true;
  }

  private static Class<?> boxed(Class<?> primitive) {
    return java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
  }

  private static Set<Class<?>> publicTypes(Class<?> type) {
    Set<Class<?>> out = new LinkedHashSet<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    todo.add(type);
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (Modifier.isPublic(c.getModifiers()) && c != Object.class) {
        out.add(c);
      }
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      todo.addAll(List.of(c.getInterfaces()));
    }
    return out;
  }

  /*
   * An AsyncIterator handed to an async caller: hasNext() runs on the loop and completes on the
   * callback executor; the item it fetched is handed over by next() on the caller's side. The
   * source is opened on the loop by the first hasNext() (the target's method runs then), so the
   * caller's thread never waits for it; a failure to open fails that hasNext(). Once open, the
   * source is registered with the host until its close starts, so the Synchronizer's close
   * closes a source its caller left open (it used to stay open). A Synchronizer that is closed or
   * whose loop died fails hasNext()'s stage (it used to throw), and close() then completes: the
   * Synchronizer's close closed the source, or a dead loop can close nothing.
   */
  private final class IsolatedIterator<T extends @Nullable Object>
      implements AsyncIterator<T>, LoopSource {
    private final String operation;
    private final Supplier<? extends CompletionStage<?>> open;
    private @Nullable T item;
    private boolean available;
    // Loop-confined, but for a source the caller's thread opened (written before publication).
    private @Nullable AsyncIterator<T> source;
    private boolean closed;
    private @Nullable CompletableFuture<Void> sourceClosing;

    IsolatedIterator(String operation, Supplier<? extends CompletionStage<?>> open) {
      this.operation = operation;
      this.open = open;
    }

    /* Over a source already open, registered at once so the Synchronizer's close finds it. */
    IsolatedIterator(String operation, AsyncIterator<T> opened) {
      this.operation = operation;
      this.open = () -> CompletableFuture.completedFuture(opened);
      this.source = opened;
      host.opened(this);
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      CompletableFuture<Object @Nullable []> fetched;
      try {
        fetched = host.synchronizer().async(operation, this::hasNextOnLoop);
      } catch (RuntimeException closedOrDead) {
        // An async method reports through its stage: IllegalStateException, the Synchronizer
        // closed or its loop died.
        return CompletableFuture.failedFuture(closedOrDead);
      }
      return fetched.thenApply(
          box -> {
            if (box == null) {
              available = false;
              return false;
            }
            @SuppressWarnings("unchecked")
            T next = (T) box[0];
            item = next;
            available = true;
            return true;
          });
    }

    /*
     * Runs on the loop, inside the caller's context. The source's hasNext() may complete on its
     * own I/O thread: its next() is then called back on the loop, as all library code is (it
     * used to run on whichever thread completed the stage).
     */
    private CompletionStage<Object @Nullable []> hasNextOnLoop() {
      if (closed) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "The iterator of '" + operation + "' was closed; open a new one to iterate."));
      }
      AsyncIterator<T> s = source;
      if (s != null) {
        return hasNextOnLoop(s);
      }
      return onLoop(Stages.asFuture(open.get()))
          .thenCompose(
              value -> {
                if (!(value instanceof AsyncIterator<?> opened)) {
                  throw new NullPointerException(operation + " returned a null iterator");
                }
                @SuppressWarnings("unchecked")
                AsyncIterator<T> typed = (AsyncIterator<T>) opened;
                source = typed;
                host.opened(this);
                if (closed) {
                  // Closed while it opened: nobody else will close it.
                  closeSource();
                  return hasNextOnLoop();
                }
                return hasNextOnLoop(typed);
              });
    }

    private CompletionStage<Object @Nullable []> hasNextOnLoop(AsyncIterator<T> source) {
      return onLoop(Stages.asFuture(source.hasNext())).thenApply(m -> take(source, m));
    }

    /* `stage`, whose continuations run on the loop: in place if it is done (we are on it). */
    private <V> CompletableFuture<V> onLoop(CompletableFuture<V> stage) {
      if (stage.isDone()) {
        return stage;
      }
      SynchronizerLoop loop = host.loop();
      Snapshot context = Registry.capture();
      return stage.thenApplyAsync(v -> v, task -> loop.execute(Registry.bind(context, task)));
    }

    /* On the loop: the item boxed (it may be null), or null at the end. */
    private Object @Nullable [] take(AsyncIterator<T> source, boolean more) {
      return more ? new Object[] {source.next()} : null;
    }

    @Override
    public T next() {
      if (!available) {
        throw new NoSuchElementException(
            "next() of '" + operation + "' was called without a hasNext() that returned true");
      }
      available = false;
      T t = item;
      item = null;
      return t;
    }

    @Override
    public CompletionStage<Void> close() {
      try {
        return host.synchronizer().async(operation + ".close", this::closeSource);
      } catch (RuntimeException closedOrDead) {
        // Closed: the Synchronizer's close closed the source (it was registered). Dead: nothing
        // can run the source's close any more (a known debt); either way, nothing to report.
        return CompletableFuture.completedFuture(null);
      }
    }

    @Override
    public CompletableFuture<Void> closeSource() {
      closed = true;
      CompletableFuture<Void> closing = sourceClosing;
      if (closing != null) {
        return closing;
      }
      AsyncIterator<T> s = source;
      if (s == null) {
        return CompletableFuture.completedFuture(null); // never opened; an opening closes itself
      }
      closing = LoopSource.close(s);
      sourceClosing = closing;
      host.released(this);
      return closing;
    }
  }

  /** An interface some of whose methods return a stage or an async iterator. */
  private static boolean isAsyncInterface(Class<?> type) {
    if (!type.isInterface() || type.getName().startsWith("java.")) {
      return false;
    }
    for (Method m : type.getMethods()) {
      Class<?> r = m.getReturnType();
      if (m.getDeclaringClass() != AsyncCloseable.class
          && (CompletionStage.class.isAssignableFrom(r) || AsyncIterator.class.isAssignableFrom(r))) {
        return true;
      }
    }
    return false;
  }
}
