package org.nst4j.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

public final class Main {
  public static void main(String[] args) {
    Engine e = Engine.getEngine("PyTorch");
    System.out.println(e.getEngineName() + " " + e.getVersion());
    try (NDManager m = NDManager.newBaseManager()) {
      System.out.println(m.arange(6f).reshape(2, 3).sum());
    }
  }
}
