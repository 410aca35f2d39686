package org.nst4j.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The batches of one epoch, from {@link BatchLoader#epoch(int, int)}.
 *
 * <p>Both an {@link Iterator} and a single-use {@link Iterable} (its {@link #iterator()} returns itself),
 * so it serves {@code for (ImageBatch b : loader.epoch(e))} as well as explicit {@code next()} calls. With
 * prefetching, a daemon thread builds the next batches while the caller trains on the current one; the
 * batches are the same either way. The thread ends by itself after the last batch; {@link #close()} stops
 * it early (try-with-resources when a loop may break out).
 */
public final class BatchIterator implements Iterator<ImageBatch>, Iterable<ImageBatch>, AutoCloseable {
  private final BatchLoader loader;
  private final int epoch;
  private final int[] order;
  private final int end;
  private int next;

  private final BlockingQueue<Object> queue;
  private final Thread producer;
  private volatile boolean closed;

  /** A failure of the producer thread, handed to the consumer in the queue. */
  private record Failure(Throwable error) {}

  BatchIterator(BatchLoader loader, int epoch, int[] order, int start, int end, int prefetchDepth) {
    this.loader = loader;
    this.epoch = epoch;
    this.order = order;
    this.next = start;
    this.end = end;
    if (prefetchDepth > 0 && start < end) {
      queue = new ArrayBlockingQueue<>(prefetchDepth);
      producer = new Thread(() -> produce(start), "nst4j-batch-prefetch-epoch-" + epoch);
      producer.setDaemon(true);
      producer.start();
    } else {
      queue = null;
      producer = null;
    }
  }

  private void produce(int start) {
    try {
      for (int b = start; b < end && !closed; b++) {
        queue.put(loader.build(epoch, order, b));
      }
    } catch (InterruptedException e) {
      // closed: just stop
    } catch (RuntimeException | Error e) {
      try {
        queue.put(new Failure(e));
      } catch (InterruptedException ignored) {
        // closed meanwhile
      }
    }
  }

  /** The epoch being iterated. */
  public int epoch() {
    return epoch;
  }

  /** Index within the epoch of the batch the next {@link #next()} returns. */
  public int nextIndex() {
    return next;
  }

  @Override
  public boolean hasNext() {
    return !closed && next < end;
  }

  @Override
  public ImageBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException(
          closed ? "batch iterator is closed" : "epoch " + epoch + " has no batch after " + (end - 1));
    }
    ImageBatch batch;
    if (queue == null) {
      batch = loader.build(epoch, order, next);
    } else {
      Object item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for batch " + next + " of epoch " + epoch, e);
      }
      if (item instanceof Failure) {
        Throwable t = ((Failure) item).error();
        close();
        if (t instanceof Error) {
          throw (Error) t;
        }
        throw (RuntimeException) t;
      }
      batch = (ImageBatch) item;
    }
    next++;
    return batch;
  }

  /** Returns this iterator (single use). */
  @Override
  public Iterator<ImageBatch> iterator() {
    return this;
  }

  /** Stops the prefetching thread, if any, and waits for it; further {@link #hasNext()} calls are false. */
  @Override
  public void close() {
    closed = true;
    if (producer != null) {
      producer.interrupt();
      boolean interrupted = false;
      while (producer.isAlive()) {
        try {
          producer.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      queue.clear();
    }
  }
}
