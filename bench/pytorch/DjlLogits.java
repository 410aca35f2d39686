/*
 * Writes the logits an nst4j saved model computes for a batch of images, for
 * bench/pytorch/djl_params.py --check, which compares them with the converted PyTorch model's. A single-file
 * program (JEP 330), run against the CLI jar's class path:
 *
 *   java -cp "nst4j-cli/target/nst4j.jar:nst4j-cli/target/lib/*" bench/pytorch/DjlLogits.java \
 *       MODEL_DIR IMAGES.f32be N C H W LOGITS.f32le
 *
 * IMAGES.f32be: N×C×H×W float32, big-endian, already normalised; LOGITS.f32le: N×classes float32, little-endian.
 */

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelStore;

public final class DjlLogits {
  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("error: usage: DjlLogits MODEL_DIR IMAGES.f32be N C H W LOGITS.f32le");
      System.exit(2);
    }
    Shape shape = new Shape(Long.parseLong(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]),
        Long.parseLong(args[5]));
    FloatBuffer fb = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1]))).order(ByteOrder.BIG_ENDIAN)
        .asFloatBuffer();
    if (fb.remaining() != shape.size()) {
      System.err.println("error: " + args[1] + " holds " + fb.remaining() + " floats, not " + shape);
      System.exit(2);
    }
    float[] images = new float[fb.remaining()];
    fb.get(images);
    try (Model model = ModelStore.load(Path.of(args[0]), Device.cpu());
        NDManager batch = model.getNDManager().newSubManager()) {
      TappedModel block = (TappedModel) model.getBlock();
      NDArray x = batch.create(images, shape);
      NDList out = block.forward(new ParameterStore(batch, false), new NDList(x), false);
      float[] logits = ModelOutput.of(out, block).logits().toFloatArray();
      ByteBuffer bb = ByteBuffer.allocate(4 * logits.length).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : logits) {
        bb.putFloat(v);
      }
      Files.write(Path.of(args[6]), bb.array());
      System.out.println(logits.length);
    }
  }
}
