package io.ambidex.test;

import io.ambidex.AsyncCloseable;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Runs each {@link ParityTest} method of a test class once per registered facade: the blocking
 * facade and the async facade of one core, each over the transports that make sense for it, and
 * the async facade through each flavour the core is generated for ({@link Builder#flavour}).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ParityExtension<StoreClient, AsyncStoreClient> STORES =
 *     ParityExtension.<StoreClient, AsyncStoreClient>builder()
 *         .blocking("sync transport", Backend::sync, StoreClient::new)
 *         .async("async transport", () -> Backend.async(POOL), b -> new AsyncStoreClient(b, POOL))
 *         .async("sync transport", Backend::sync, b -> new AsyncStoreClient(b, POOL))
 *         .build();
 *
 * @ParityTest
 * void put_thenGet_returnsTheValue(Parity<StoreClient, AsyncStoreClient> parity, Backend backend)
 *     throws Exception {
 *   parity.run(c -> c.put("k", "v"), a -> a.put("k", "v"));
 *   assertThat(parity.call(c -> c.get("k"), a -> a.get("k"))).isEqualTo("v");
 *   assertThat(backend.contents()).containsEntry("k", "v");
 * }
 * }</pre>
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Fresh per run</b>: each run creates its fixture (if the registration has one) and its
 *       facade when the test method first asks for them, and closes both after the test: an
 *       {@code AutoCloseable} is closed, an {@link AsyncCloseable}'s close is waited for (at most
 *       the timeout). A failing close fails the test with the close's exception, unwrapped as a
 *       call's is; a close still pending at the timeout fails it with an {@code AssertionError}.
 *   <li><b>Parameters</b>: a {@link Parity} parameter gets the run's facade; a parameter whose type
 *       the run's fixture is an instance of gets the fixture.
 *   <li><b>Names</b>: runs are shown as {@code [blocking] sync transport}, {@code [async] async
 *       transport}, in registration order.
 *   <li><b>Timeout</b>: async calls are waited for at most {@link Builder#timeout} (30 s by
 *       default), after which the test fails instead of hanging.
 * </ul>
 *
 * @param <B> the blocking facade's type
 * @param <A> the async facade's type
 */
public final class ParityExtension<B, A> implements TestTemplateInvocationContextProvider {
  private final List<Registration<?>> registrations;
  private final Duration timeout;

  private ParityExtension(List<Registration<?>> registrations, Duration timeout) {
    this.registrations = List.copyOf(registrations);
    this.timeout = timeout;
  }

  /**
   * Starts building an extension for a blocking facade type {@code B} and an async facade type
   * {@code A}.
   *
   * @return a builder with no registrations
   */
  public static <B, A> Builder<B, A> builder() {
    return new Builder<>();
  }

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.isAnnotationPresent(ParityTest.class)).orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    if (registrations.isEmpty()) {
      throw new IllegalStateException(
          "The ParityExtension of " + context.getRequiredTestClass().getSimpleName()
              + " has no registrations: add .blocking(...) and .async(...) to its builder.");
    }
    return registrations.stream().map(Run::new);
  }

  /* One registered facade: which side, its name, how to make its fixture and its facade. */
  private record Registration<F>(
      Parity.Side side,
      String name,
      @Nullable FlavourLens flavour,
      @Nullable Supplier<? extends F> fixture,
      Function<? super @Nullable F, ?> facade) {
    String kind() {
      return flavour != null ? flavour.name() : side.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /* One run of a test method: creates and closes its fixture and facade. */
  private final class Run
      implements TestTemplateInvocationContext, ParameterResolver, AfterEachCallback {
    private final Registration<?> registration;
    private @Nullable Object fixture;
    private boolean fixtureCreated;
    private @Nullable Object facade;
    private @Nullable Parity<B, A> parity;

    Run(Registration<?> registration) {
      this.registration = registration;
    }

    @Override
    public String getDisplayName(int invocationIndex) {
      return "[" + registration.kind() + "] " + registration.name();
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(this);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
      Parameter parameter = parameterContext.getParameter();
      if (parameter.getType() == Parity.class) {
        return true;
      }
      Object created = fixture();
      return created != null && parameter.getType().isInstance(created);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
      if (parameterContext.getParameter().getType() == Parity.class) {
        return parity();
      }
      Object created = fixture();
      if (created == null) {
        throw new ParameterResolutionException("no fixture"); // unreachable: see supports
      }
      return created;
    }

    private @Nullable Object fixture() {
      if (!fixtureCreated) {
        fixtureCreated = true;
        Supplier<?> supplier = registration.fixture();
        fixture = supplier == null ? null : supplier.get();
      }
      return fixture;
    }

    @SuppressWarnings("unchecked") // the builder typed each facade function as B or A
    private Parity<B, A> parity() {
      if (parity == null) {
        Object created = create(registration, fixture());
        facade = created;
        parity =
            registration.side() == Parity.Side.BLOCKING
                ? new Parity<>(
                    Parity.Side.BLOCKING, registration.name(), (B) created, null, null, timeout)
                : new Parity<>(
                    Parity.Side.ASYNC,
                    registration.name(),
                    null,
                    (A) created,
                    registration.flavour(),
                    timeout);
      }
      return parity;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
      Exception failure = null;
      for (Object resource : new Object[] {facade, fixture}) {
        try {
          close(resource);
        } catch (Exception e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }

    private void close(@Nullable Object resource) throws Exception {
      if (resource instanceof AutoCloseable closeable) {
        closeable.close();
      } else if (resource instanceof AsyncCloseable closeable) {
        // As a call's failure: unwrapped, and a close that hangs fails with a named timeout.
        Parity.await(
            closeable.close(),
            timeout,
            "The close of " + resource + " after the run " + getDisplayName(0));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <F> Object create(Registration<F> registration, @Nullable Object fixture) {
    return Objects.requireNonNull(
        registration.facade().apply((F) fixture),
        () -> "The facade factory of '" + registration.name() + "' returned null.");
  }

  /**
   * Builds a {@link ParityExtension}.
   *
   * @param <B> the blocking facade's type
   * @param <A> the async facade's type
   */
  public static final class Builder<B, A> {
    private final List<Registration<?>> registrations = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * Registers a blocking facade, created for each run.
     *
     * @param name shown in the run's name, such as "sync transport"
     * @param facade creates the facade
     * @return this builder
     */
    public Builder<B, A> blocking(String name, Supplier<? extends B> facade) {
      Objects.requireNonNull(facade, "facade");
      return add(Parity.Side.BLOCKING, name, null, null, ignored -> facade.get());
    }

    /**
     * Registers a blocking facade built over a fixture (a fake transport, a server) that the test
     * method can also receive as a parameter.
     *
     * @param name shown in the run's name, such as "sync transport"
     * @param fixture creates the fixture
     * @param facade creates the facade over the fixture
     * @return this builder
     */
    public <F> Builder<B, A> blocking(
        String name, Supplier<? extends F> fixture, Function<? super F, ? extends B> facade) {
      Objects.requireNonNull(fixture, "fixture");
      return add(Parity.Side.BLOCKING, name, null, fixture, facade);
    }

    /**
     * Registers an async facade, created for each run.
     *
     * @param name shown in the run's name, such as "async transport"
     * @param facade creates the facade
     * @return this builder
     */
    public Builder<B, A> async(String name, Supplier<? extends A> facade) {
      Objects.requireNonNull(facade, "facade");
      return add(Parity.Side.ASYNC, name, null, null, ignored -> facade.get());
    }

    /**
     * Registers an async facade built over a fixture that the test method can also receive as a
     * parameter.
     *
     * @param name shown in the run's name, such as "async transport"
     * @param fixture creates the fixture
     * @param facade creates the facade over the fixture
     * @return this builder
     */
    public <F> Builder<B, A> async(
        String name, Supplier<? extends F> fixture, Function<? super F, ? extends A> facade) {
      Objects.requireNonNull(fixture, "fixture");
      return add(Parity.Side.ASYNC, name, null, fixture, facade);
    }

    /**
     * Registers an async facade whose calls go through a flavour (Reactor, RxJava 3, Mutiny): the
     * run is shown as {@code [reactor] name}, and every async lambda of a test body is run through
     * the flavour's adapter, as its generated flavour facade runs it (see {@link FlavourLens}).
     *
     * @param name shown in the run's name, such as "async transport"
     * @param flavour the flavour, such as {@link FlavourLenses#reactor()}
     * @param fixture creates the fixture
     * @param facade creates the async facade over the fixture
     * @return this builder
     */
    public <F> Builder<B, A> flavour(
        String name,
        FlavourLens flavour,
        Supplier<? extends F> fixture,
        Function<? super F, ? extends A> facade) {
      Objects.requireNonNull(flavour, "flavour");
      Objects.requireNonNull(fixture, "fixture");
      return add(Parity.Side.ASYNC, name, flavour, fixture, facade);
    }

    /**
     * Sets how long async calls are waited for before the test fails.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder<B, A> timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** Returns the extension; register it with {@code @RegisterExtension}. */
    public ParityExtension<B, A> build() {
      return new ParityExtension<>(registrations, timeout);
    }

    @SuppressWarnings("unchecked")
    private <F> Builder<B, A> add(
        Parity.Side side,
        String name,
        @Nullable FlavourLens flavour,
        @Nullable Supplier<? extends F> fixture,
        Function<? super F, ?> facade) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(facade, "facade");
      Registration<F> registration =
          new Registration<F>(
              side, name, flavour, fixture, (Function<? super @Nullable F, ?>) facade);
      for (Registration<?> existing : registrations) {
        if (existing.kind().equals(registration.kind()) && existing.name().equals(name)) {
          throw new IllegalArgumentException(
              "A " + registration.kind() + " facade named '" + name
                  + "' is already registered.");
        }
      }
      registrations.add(registration);
      return this;
    }
  }
}
