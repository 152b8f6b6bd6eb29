package dev.greenlet.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the core library logs (through {@code System.Logger}, which ends in
 * {@code java.util.logging} here) while open: one entry per record, its level and message.
 * Output capture cannot be relied on for it, since the JDK's console handler keeps the
 * {@code System.err} it found first.
 */
final class LogRecords implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.greenlet");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogRecords() {
        logger.addHandler(handler);
    }

    /** The records so far, one line each. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /** The records so far as one text. */
    String text() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
