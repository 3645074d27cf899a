package io.ambidex.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the messages of the WARNING (and more severe) records that the module logs to {@code
 * io.ambidex.http} through {@link System.Logger} (the JDK's default backend), from {@link #start}
 * until {@link #close}.
 */
final class WarningCapture extends Handler implements AutoCloseable {
  // Held here: the logging framework keeps loggers only weakly, and with them their handlers.
  private final Logger logger = Logger.getLogger("io.ambidex.http");
  private final List<String> messages = new CopyOnWriteArrayList<>();

  private WarningCapture() {}

  static WarningCapture start() {
    WarningCapture c = new WarningCapture();
    c.logger.addHandler(c);
    return c;
  }

  /** The messages so far, oldest first; a live view. */
  List<String> messages() {
    return messages;
  }

  @Override
  public void publish(LogRecord r) {
    if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
      messages.add(String.valueOf(r.getMessage()));
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
