package reactor.core.scheduler;

/** Test stand-in for Reactor's marker interface of non-blocking threads. */
public interface NonBlocking {}
