package org.nst4j.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link TorchScriptBf16GuardTest}: what nst4j's guard prevents. Loads a TorchScript
 * module with DJL alone (no guard), reads the type of its second output and then calls {@code softmax} on
 * it, as KD does on a teacher's logits. With DJL 0.36 the first line prints {@code unknown} and the softmax
 * aborts the process; "survived" means DJL now handles the type.
 */
public final class Bf16AbortProbe {
  private Bf16AbortProbe() {}

  /**
   * @param args the TorchScript file
   */
  public static void main(String[] args) throws Exception {
    try (Model m = Model.newInstance("probe", ai.djl.Device.cpu(), "PyTorch")) {
      m.load(Path.of(args[0]));
      NDManager manager = m.getNDManager();
      NDList out = m.getBlock().forward(new ParameterStore(manager, false),
          new NDList(manager.zeros(new Shape(2, 1, 28, 28))), false);
      NDArray map = out.get(1);
      System.out.println("type " + map.getDataType());
      System.out.flush();
      NDArray p = map.softmax(1);
      System.out.println("survived " + p.getDataType());
    }
  }
}
