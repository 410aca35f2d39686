package org.nst4j.train;

/** Test listeners that stop a training loop at a chosen point, as Ctrl-C or SIGTERM would. */
final class StopAt {
  private StopAt() {}

  /**
   * A listener asking the process to stop ({@link StopSignal#request}) after batch {@code batch} of
   * {@code epoch}; with {@code epoch} -1 it never does.
   */
  static LoopListener batch(int epoch, int batch) {
    return new LoopListener() {
      @Override
      public void onBatch(int e, int b, double loss) {
        if (e == epoch && b == batch) {
          StopSignal.process().request("test");
        }
      }
    };
  }
}
