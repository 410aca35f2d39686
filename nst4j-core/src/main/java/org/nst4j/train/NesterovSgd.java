package org.nst4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum, optional Nesterov, and L2 weight decay on every parameter, with PyTorch's
 * {@code torch.optim.SGD} semantics so results compare with the PyTorch implementations of the field:
 *
 * <pre>
 *   g ← ∇p + wd·p
 *   b ← μ·b + g            (b = g on the first update)
 *   g ← g + μ·b            (Nesterov)   or   g ← b   (classical momentum)
 *   p ← p − lr·g
 * </pre>
 *
 * <p>Written here rather than using DJL's optimisers because the momentum buffers must be checkpointed and
 * restored exactly for a resumed run to end with the same weights as an uninterrupted one.
 */
public final class NesterovSgd implements AutoCloseable {
  private final List<Parameter> parameters;
  private final double momentum;
  private final double weightDecay;
  private final boolean nesterov;
  private final NDArray[] buffers;

  /**
   * Creates the optimiser.
   *
   * @param parameters the trainable parameters (their arrays must require gradients)
   * @param momentum μ in [0, 1)
   * @param weightDecay wd ≥ 0, applied to every parameter (protocol: "weight decay 5e-4 on every parameter")
   * @param nesterov whether to use the Nesterov update (needs μ &gt; 0)
   */
  public NesterovSgd(List<Parameter> parameters, double momentum, double weightDecay, boolean nesterov) {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be ≥ 0, got " + weightDecay);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
    }
    this.parameters = List.copyOf(parameters);
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.buffers = new NDArray[this.parameters.size()];
  }

  /** The parameters this optimiser updates. */
  public List<Parameter> parameters() {
    return parameters;
  }

  /**
   * Applies one update with the gradients accumulated by the last backward pass, then zeroes them.
   * Must be called outside a gradient collector (in-place updates of leaves).
   *
   * @param learningRate the rate for this step
   */
  public void step(double learningRate) {
    if (parameters.isEmpty()) {
      return;
    }
    float mu = (float) momentum;
    float wd = (float) weightDecay;
    // torch.optim.SGD's update, computed in place in the gradient tensor (zeroed afterwards anyway), so that
    // a parameter costs 6-8 small libtorch calls and no copy: d = g + wd·w; b = mu·b + d; d += mu·b (Nesterov)
    // or d = b; w -= lr·d. The two temporaries are closed at once: DJL attaches an op's result to its first
    // operand's manager, where they would otherwise pile up step after step. lr, μ and wd are 0-dim tensors
    // made once per step: DJL turns every Java scalar operand into a new tensor copied from a Java buffer,
    // which was 4 extra tensors per parameter per step (the optimiser took 1.7-2 ms per step against
    // PyTorch's 0.8, docs/performance.md). Multiplying by a 0-dim tensor runs the same kernel as by a scalar.
    try (NDManager scalars = parameters.get(0).getArray().getManager().newSubManager()) {
      NDArray lr = scalars.create((float) learningRate);
      NDArray muT = scalars.create(mu);
      NDArray wdT = scalars.create(wd);
      for (int i = 0; i < parameters.size(); i++) {
        NDArray weight = parameters.get(i).getArray();
        NDArray grad = weight.getGradient(); // a new handle on the parameter's .grad, closed below
        try {
          if (wd != 0) {
            try (NDArray decay = weight.mul(wdT)) {
              grad.addi(decay);
            }
          }
          NDArray direction = grad;
          if (mu > 0) {
            if (buffers[i] == null) {
              buffers[i] = grad.duplicate();
              buffers[i].attach(weight.getManager());
            } else {
              buffers[i].muli(muT).addi(grad);
            }
            if (nesterov) {
              try (NDArray look = buffers[i].mul(muT)) {
                grad.addi(look);
              }
            } else {
              direction = buffers[i];
            }
          }
          if (direction == grad) {
            weight.subi(grad.muli(lr));
          } else {
            try (NDArray update = direction.mul(lr)) {
              weight.subi(update);
            }
          }
          grad.subi(grad);
        } finally {
          grad.close();
        }
      }
    }
  }

  /** Writes the momentum buffers (checkpointing). */
  public void save(DataOutputStream out) throws IOException {
    out.writeInt(buffers.length);
    for (NDArray b : buffers) {
      out.writeBoolean(b != null);
      if (b != null) {
        byte[] bytes = b.encode();
        out.writeInt(bytes.length);
        out.write(bytes);
      }
    }
  }

  /** Restores momentum buffers written by {@link #save}. */
  public void load(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n != buffers.length) {
      throw new IOException("optimiser state holds " + n + " buffers, model has " + buffers.length);
    }
    for (int i = 0; i < n; i++) {
      if (buffers[i] != null) {
        buffers[i].close();
        buffers[i] = null;
      }
      if (in.readBoolean()) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        NDManager owner = parameters.get(i).getArray().getManager();
        NDArray b = NDArray.decode(owner, bytes);
        if (!b.getShape().equals(parameters.get(i).getArray().getShape())) {
          throw new IOException("optimiser buffer " + i + " has shape " + b.getShape()
              + ", parameter has " + parameters.get(i).getArray().getShape());
        }
        buffers[i] = b;
      }
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < buffers.length; i++) {
      if (buffers[i] != null) {
        buffers[i].close();
        buffers[i] = null;
      }
    }
  }

  /** Collects the parameters of blocks that require gradients, marking their arrays for autograd. */
  public static List<Parameter> trainable(Iterable<Parameter> candidates) {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : candidates) {
      if (p.requiresGradient()) {
        p.getArray().setRequiresGradient(true);
        out.add(p);
      }
    }
    return out;
  }
}
