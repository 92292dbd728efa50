package io.planet.node.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * The client's input on its way to a process's stdin, written on a thread of its own: a pipe blocks when the process
 * does not read, and the event loop that received the input must not wait on it (the process may itself be waiting
 * for its output to be sent). Past {@link #HIGH_WATER} queued bytes {@link #write} says so, and the transport stops
 * reading until {@code resume} runs. An action given to {@link #end} runs after everything queued before it.
 */
final class StdinPipe {
  static final int HIGH_WATER = 1 << 20;

  private final OutputStream stdin;
  private final Executor executor;
  private final Queue<Object> queue = new ArrayDeque<>();
  private long queued;
  private boolean writing;
  private boolean broken;
  private Runnable resume;

  StdinPipe(OutputStream stdin, Executor executor) {
    this.stdin = stdin;
    this.executor = executor;
  }

  /**
   * Queues {@code data}; false when the queue is past its high water mark: {@code resume} then runs (once, on the
   * writer's thread) when it has drained.
   */
  synchronized boolean write(byte[] data, Runnable resume) {
    if (broken) return true;
    queue.add(data);
    queued += data.length;
    kick();
    if (queued <= HIGH_WATER) return true;
    this.resume = resume;
    return false;
  }

  /** Runs {@code action} once everything queued so far is written (or could not be). */
  synchronized void end(Runnable action) {
    queue.add(action);
    kick();
  }

  private void kick() {
    if (writing) return;
    writing = true;
    executor.execute(this::drain);
  }

  private void drain() {
    while (true) {
      Object next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          writing = false;
          Runnable r = resume;
          resume = null;
          if (r != null) r.run();
          return;
        }
      }
      if (next instanceof Runnable action) {
        action.run();
        continue;
      }
      byte[] data = (byte[]) next;
      if (!broken) {
        try {
          stdin.write(data);
          stdin.flush();
        } catch (IOException e) {
          // the process does not read stdin any more: the rest is dropped
          broken = true;
        }
      }
      Runnable r = null;
      synchronized (this) {
        queued -= data.length;
        if (queued <= HIGH_WATER / 2 && resume != null) {
          r = resume;
          resume = null;
        }
      }
      if (r != null) r.run();
    }
  }
}
