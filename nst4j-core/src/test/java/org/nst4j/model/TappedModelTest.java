package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class TappedModelTest {

  private static byte[] saved(NDManager manager, String arch) throws Exception {
    TappedModel m = ModelZoo.create(arch, 1, 10, 0);
    m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.saveParameters(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  @Test
  void parameterFilesCarryAnArchitectureHeaderThatDjlLoadingChecks() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      byte[] cnn = saved(manager, "cnn-small");
      // Header: version byte, input shapes, then the architecture name.
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(cnn));
      assertEquals(1, in.readByte());
      TappedModel same = ModelZoo.create("cnn-small", 1, 10, 1);
      same.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(cnn)));
      assertTrue(same.isInitialized());
      assertEquals(new Shape(1, 1, 28, 28), same.getInputShapes()[0]);

      TappedModel other = ModelZoo.create("resnet8", 1, 10, 1);
      MalformedModelException e = assertThrows(MalformedModelException.class,
          () -> other.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(cnn))));
      assertTrue(e.getMessage().contains("saved from cnn-small"), e.getMessage());

      byte[] wrongVersion = cnn.clone();
      wrongVersion[0] = 7;
      e = assertThrows(MalformedModelException.class, () -> ModelZoo.create("cnn-small", 1, 10, 1)
          .loadParameters(manager, new DataInputStream(new ByteArrayInputStream(wrongVersion))));
      assertTrue(e.getMessage().contains("format version 7"), e.getMessage());
    }
  }
}
