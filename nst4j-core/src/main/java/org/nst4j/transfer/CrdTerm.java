package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nst4j.model.ModelOutput;

/**
 * Contrastive representation distillation (Tian et al., ICLR 2020; spec part 2, "CRD"), as RepDistiller's
 * and mdistiller's {@code ContrastMemory} and {@code ContrastLoss}: {@code w · (L_s + L_t)}.
 *
 * <p>Embeddings: a linear layer (pooled features → d = 128, with bias, PyTorch's default ±1/√fan_in uniform
 * init, seeded) followed by L2 normalisation, one for the student and one for the teacher (the teacher's is
 * trained too; the teacher itself is not). Memory banks: the N training images' student and teacher
 * embeddings, initialised uniformly in ±1/√(d/3) (seeded) and updated after each training batch: row y becomes
 * normalise(0.5·row + 0.5·v). For each image, K negatives are drawn uniformly from the N − 1 other images
 * (with replacement, a seeded {@link Random}); with the image itself first, its K + 1 scores are
 * {@code exp(⟨bank row, v⟩/T)/Z}, T = 0.07, Z = N·mean of the first batch's scores (fixed thereafter, per
 * direction). L_s scores the student's embedding against the teacher bank, L_t the teacher's against the
 * student bank. Each is the NCE loss with noise P_n = 1/N: {@code −(Σ_b log(P_pos/(P_pos + K·P_n + ε)) + Σ_{b,j}
 * log(K·P_n/(P_neg + K·P_n + ε)))/B}, ε = 1e-7.
 *
 * <p>Differences from the reference code, all documented: negatives come from every other image (the spec);
 * mdistiller's CIFAR sampler draws them from images of other classes. Scores are computed as the N×B product
 * of a bank with the batch's embeddings, from which the B×(K+1) sampled entries are taken, instead of gathering
 * B×(K+1)×d bank rows: the same numbers, N·B products held instead of B·(K+1)·d gathered values (with
 * K = 16384 the gathered rows of a 64-image batch would be 0.5 GB).
 *
 * <p>The banks are N×d float64 libtorch arrays in the term's own manager (a sub-manager of the one given to
 * {@link #initialize}, closed by {@link #close}); a batch reads them as one cast copy in its own manager and
 * updates only its B rows in place (gathered, mixed and written back by index), so nothing of size N crosses
 * between Java and libtorch per batch. The update is the arithmetic of a plain Java loop in doubles, in the
 * same order (see {@link #update}), so the banks hold the same bits as when they were Java arrays. They are
 * not {@link #parameters()}, but they, Z and the negatives' sampler are the term's {@link #saveState() state},
 * which checkpoints keep (copied out of and into libtorch only then): a resumed run continues with the same
 * banks, Z and negatives, and ends bit-identical to an uninterrupted one. The memory is only updated when
 * {@code training} is true.
 *
 * <p>Needs each image's index: the training loop calls {@link #setBatchIndices} before {@link #compute}
 * ({@link IndexedTerm}). Default taps: the last tap of each model, global-average-pooled (mdistiller's
 * {@code pooled_feat}); a single pair.
 */
public final class CrdTerm implements TransferTerm, IndexedTerm {
  /** Term name in {@link LossTerms} (method {@code crd}). */
  public static final String NAME = "crd";

  /** Default weight w = 0.8; option {@code --crd-weight}. */
  public static final double DEFAULT_WEIGHT = 0.8;

  /** Default embedding size d = 128; option {@code --crd-feature-dim}. */
  public static final int DEFAULT_FEATURE_DIM = 128;

  /** Default number of negatives K = 16384; option {@code --crd-negatives}. */
  public static final int DEFAULT_NEGATIVES = 16384;

  /** Default temperature T = 0.07; option {@code --crd-temperature}. */
  public static final double DEFAULT_TEMPERATURE = 0.07;

  /** Default memory momentum 0.5; option {@code --crd-momentum}. */
  public static final double DEFAULT_MOMENTUM = 0.5;

  /** The ε of the NCE loss. */
  static final double EPS = 1e-7;

  private final double weight;
  private final int numData;
  private final int dim;
  private final int negatives;
  private final double temperature;
  private final double momentum;
  private final List<String> taps;
  private NDManager manager;
  private TapPairs.Pair pair;
  private final List<Parameter> parameters = new ArrayList<>();
  /** N×d float64, in {@link #manager}; null before {@link #initialize} and after {@link #close}. */
  private NDArray bankS;
  private NDArray bankT;
  private Random sampler;
  private double zS = Double.NaN;
  private double zT = Double.NaN;
  private long[] batchIndices;
  private long[][] lastSample;

  /**
   * Creates the term with the default settings for a training set of N images.
   *
   * @param numData N ≥ 2
   */
  public CrdTerm(int numData) {
    this(DEFAULT_WEIGHT, numData, DEFAULT_FEATURE_DIM, DEFAULT_NEGATIVES, DEFAULT_TEMPERATURE, DEFAULT_MOMENTUM,
        null);
  }

  /**
   * Creates the term; call {@link #initialize} before {@link #compute}.
   *
   * @param weight w ≥ 0
   * @param numData N ≥ 2 training images
   * @param dim embedding size d ≥ 1
   * @param negatives K ≥ 1 (drawn with replacement, so K may exceed N − 1)
   * @param temperature T &gt; 0
   * @param momentum memory momentum in [0, 1)
   * @param taps one tap pair ({@code name} or {@code student:teacher}), or null for the last taps
   */
  public CrdTerm(double weight, int numData, int dim, int negatives, double temperature, double momentum,
      List<String> taps) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("CRD weight must be a finite number ≥ 0, got " + weight);
    }
    if (numData < 2) {
      throw new IllegalArgumentException("CRD needs a training set of at least 2 images, got " + numData);
    }
    if (dim < 1 || negatives < 1) {
      throw new IllegalArgumentException("CRD needs d ≥ 1 and K ≥ 1, got d = " + dim + ", K = " + negatives);
    }
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("CRD temperature must be > 0, got " + temperature);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("CRD momentum must be in [0, 1), got " + momentum);
    }
    if (taps != null && taps.size() != 1) {
      throw new IllegalArgumentException("CRD reads one tap pair, got " + taps);
    }
    this.weight = weight;
    this.numData = numData;
    this.dim = dim;
    this.negatives = negatives;
    this.temperature = temperature;
    this.momentum = momentum;
    this.taps = taps == null ? null : List.copyOf(taps);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int numData() {
    return numData;
  }

  @Override
  public void setBatchIndices(long[] indices) {
    for (long i : indices) {
      if (i < 0 || i >= numData) {
        throw new IllegalArgumentException("CRD: image index " + i + " outside [0, " + numData + ")");
      }
    }
    batchIndices = indices.clone();
  }

  @Override
  public void initialize(NDManager parent, ModelOutput student, ModelOutput teacher, long seed) {
    close();
    pair = TapPairs.resolve(student, teacher, taps, TapPairs.Default.LAST, NAME).get(0);
    NDArray ps = Features.pooled(student.tap(pair.student()), NAME + " " + pair.label());
    NDArray pt = Features.pooled(teacher.tap(pair.teacher()), NAME + " " + pair.label());
    DataType type = ps.getDataType();
    manager = parent.newSubManager();
    Random rng = new Random(seed);
    parameters.addAll(linear(manager, "crd_embed_s", ps.getShape().get(1), type, rng));
    parameters.addAll(linear(manager, "crd_embed_t", pt.getShape().get(1), type, rng));
    double stdv = 1 / Math.sqrt(dim / 3.0);
    double[] values = new double[Math.multiplyExact(numData, dim)];
    NDArray[] banks = new NDArray[2];
    for (int k = 0; k < 2; k++) { // student bank first, then teacher bank: one stream of the seeded rng
      for (int i = 0; i < values.length; i++) {
        values[i] = (2 * rng.nextDouble() - 1) * stdv;
      }
      banks[k] = manager.create(values, new Shape(numData, dim));
    }
    bankS = banks[0];
    bankT = banks[1];
    sampler = new Random(seed ^ 0x5DEECE66DL);
    zS = Double.NaN;
    zT = Double.NaN;
  }

  private List<Parameter> linear(NDManager m, String name, long in, DataType type, Random rng) {
    double bound = 1 / Math.sqrt(in);
    double[] w = new double[Math.toIntExact(dim * in)];
    for (int i = 0; i < w.length; i++) {
      w[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    double[] b = new double[dim];
    for (int i = 0; i < b.length; i++) {
      b[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    return List.of(parameter(m.create(w, new Shape(dim, in)).toType(type, false), name + "_weight",
            Parameter.Type.WEIGHT),
        parameter(m.create(b, new Shape(dim)).toType(type, false), name + "_bias", Parameter.Type.BIAS));
  }

  private static Parameter parameter(NDArray array, String name, Parameter.Type type) {
    array.setRequiresGradient(true);
    return Parameter.builder().setName(name).setType(type).optArray(array).optRequiresGrad(true).build();
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    if (pair == null) {
      throw new IllegalStateException(NAME + ": call initialize before compute (the embeddings are built there)");
    }
    NDArray ps = Features.pooled(student.tap(pair.student()), NAME + " " + pair.label());
    NDArray pt = Features.pooled(teacher.tap(pair.teacher()), NAME + " " + pair.label()).stopGradient();
    Features.checkBatch(ps, pt, 1, NAME + " " + pair.label());
    int b = Math.toIntExact(ps.getShape().get(0));
    if (batchIndices == null || batchIndices.length != b) {
      throw new IllegalStateException(NAME + " needs the dataset index of each of the batch's " + b
          + " images (setBatchIndices) before compute, got "
          + (batchIndices == null ? "none" : batchIndices.length));
    }
    NDArray vs = embed(ps, parameters.get(0).getArray(), parameters.get(1).getArray());
    NDArray vt = embed(pt, parameters.get(2).getArray(), parameters.get(3).getArray());
    long[][] sample = new long[b][negatives + 1];
    for (int i = 0; i < b; i++) {
      sample[i][0] = batchIndices[i];
      for (int j = 1; j <= negatives; j++) {
        long r = sampler.nextInt(numData - 1);
        sample[i][j] = r >= batchIndices[i] ? r + 1 : r; // uniform over the other images
      }
    }
    lastSample = sample;
    NDArray memS = scoringCopy(bankS, vs);
    NDArray memT = scoringCopy(bankT, vs);
    NDArray outS = scores(memT, vs, sample); // student anchor, teacher bank
    NDArray outT = scores(memS, vt, sample); // teacher anchor, student bank
    if (Double.isNaN(zS)) {
      zS = Scalars.value(outS.mean()) * numData;
      zT = Scalars.value(outT.mean()) * numData;
    }
    NDArray loss = nce(Scalars.over(outS, zS), numData).add(nce(Scalars.over(outT, zT), numData));
    if (training) {
      update(bankS, vs.stopGradient().toType(DataType.FLOAT64, false), batchIndices);
      update(bankT, vt.stopGradient().toType(DataType.FLOAT64, false), batchIndices);
    }
    batchIndices = null;
    return Scalars.times(loss, weight);
  }

  /** L2-normalised {@code x·Wᵀ + b}. */
  static NDArray embed(NDArray x, NDArray w, NDArray b) {
    return x.matMul(Features.inBatch(w.transpose(), x)).add(b).normalize(2, 1, 1e-12);
  }

  /** B×(K+1) scores exp(⟨bank[sample[b][j]], v_b⟩/T), taken from the N×B product. */
  private NDArray scores(NDArray bank, NDArray v, long[][] sample) {
    int b = sample.length;
    long[] linear = new long[b * sample[0].length];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < sample[i].length; j++) {
        linear[i * sample[i].length + j] = sample[i][j] * b + i;
      }
    }
    NDArray all = bank.matMul(v.transpose()); // N×B
    NDArray idx = v.getManager().create(linear, new Shape(b, sample[0].length));
    return Scalars.over(all.take(idx), temperature).exp();
  }

  /**
   * The NCE loss of normalised scores, first column the positive, with noise 1/N.
   *
   * @param out B×(K+1) scores P
   * @param n N
   * @return {@code −(Σ log(P_pos/(P_pos + K/N + ε)) + Σ log((K/N)/(P_neg + K/N + ε)))/B}
   */
  static NDArray nce(NDArray out, long n) {
    long b = out.getShape().get(0);
    long k = out.getShape().get(1) - 1;
    double noise = (double) k / n;
    NDArray pos = out.get(":, 0");
    NDArray neg = out.get(":, 1:");
    NDArray logD1 = pos.log().sub(Scalars.plus(pos, noise + EPS).log());
    NDArray logD0Sum = Scalars.plus(Scalars.plus(neg, noise + EPS).log().sum().neg(), b * k * Math.log(noise));
    return Scalars.over(logD1.sum().add(logD0Sum), b).neg();
  }

  /**
   * The bank in the batch's data type, a new array in {@code batch}'s manager: the bank itself is updated in
   * place after the scores are computed, and autograd keeps the scored copy for the backward pass (libtorch
   * refuses a backward through an array modified in place since). A float64 {@code toType} would return the
   * bank itself, hence the explicit copy.
   */
  private static NDArray scoringCopy(NDArray bank, NDArray batch) {
    DataType type = batch.getDataType();
    NDArray copy = type == bank.getDataType() ? bank.duplicate() : bank.toType(type, false);
    return Features.inBatch(copy, batch);
  }

  /**
   * Rows {@code rows[i]} of the bank become normalise(m·row + (1 − m)·v_i) (spec part 2, "CRD": momentum 0.5),
   * in place. Only the B rows are gathered (into v's manager, the batch's) and written back by index.
   *
   * <p>Same bits as the former Java loop {@code x = m·row[c] + (1 − m)·v[c]; n += x·x} over c, then {@code
   * row[c] = x / √n}: element-wise products, sums and quotients of doubles round the same in libtorch; the
   * squared norm is the last column of a cumulative sum, which libtorch's CPU kernel adds left to right in
   * double as the loop did (a {@code sum} would reduce in another order and could differ in the last bit).
   * An image listed twice in one batch is updated twice, in order, as by the loop: its second occurrence
   * mixes into the row the first one left.
   *
   * @param bank N×d float64 bank, updated in place
   * @param v B×d float64 embeddings, without gradient
   * @param rows the B dataset indices, in [0, N)
   */
  private void update(NDArray bank, NDArray v, long[] rows) {
    NDManager batch = v.getManager();
    for (int[] positions : occurrenceRounds(rows)) {
      long[] picked = new long[positions.length];
      long[] at = new long[positions.length];
      for (int i = 0; i < positions.length; i++) {
        picked[i] = rows[positions[i]];
        at[i] = positions[i];
      }
      NDArray index = batch.create(picked);
      NDArray vi = positions.length == rows.length ? v : v.get(new NDIndex("{}", batch.create(at)));
      NDArray old = bank.get(batch, new NDIndex("{}", index));
      NDArray x = Scalars.times(old, momentum).add(Scalars.times(vi, 1 - momentum));
      NDArray norm = x.mul(x).cumSum(1).get(":, -1:").sqrt();
      bank.set(new NDIndex("{}", index), x.div(norm));
    }
  }

  /**
   * The positions 0..B−1 grouped so that no round repeats an index: round k holds each index's (k+1)-th
   * occurrence, in batch order. A batch of distinct images (every batch of an epoch) is a single round.
   */
  private static List<int[]> occurrenceRounds(long[] rows) {
    Map<Long, Integer> seen = new HashMap<>();
    List<List<Integer>> rounds = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      int k = seen.merge(rows[i], 1, Integer::sum) - 1;
      if (k == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(k).add(i);
    }
    List<int[]> out = new ArrayList<>(rounds.size());
    for (List<Integer> round : rounds) {
      out.add(round.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  /**
   * The banks (float64, bit-exact), Z_s, Z_t and the sampler's state.
   *
   * @return the encoded state; null before {@link #initialize}
   */
  @Override
  public byte[] saveState() {
    if (bankS == null) {
      return null;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(16 * numData * dim + 256);
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeInt(numData);
      out.writeInt(dim);
      for (NDArray bank : new NDArray[] {bankS, bankT}) {
        for (double v : bank.toDoubleArray()) { // float64: the exact bits
          out.writeDouble(v);
        }
      }
      out.writeDouble(zS);
      out.writeDouble(zT);
      java.io.ByteArrayOutputStream rng = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(rng)) {
        o.writeObject(sampler); // java.util.Random serialises its exact seed
      }
      out.writeInt(rng.size());
      out.write(rng.toByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public void restoreState(byte[] state) {
    if (bankS == null) {
      throw new IllegalStateException(NAME + ": initialize before restoring the state");
    }
    try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(state))) {
      int n = in.readInt();
      int d = in.readInt();
      if (n != numData || d != dim) {
        throw new IllegalArgumentException(NAME + ": saved memory banks of " + n + " images × " + d
            + " dimensions, this term has " + numData + " × " + dim + " (was the data or --crd-feature-dim changed?)");
      }
      double[] s = new double[numData * dim];
      double[] t = new double[numData * dim];
      for (double[] bank : new double[][] {s, t}) {
        for (int i = 0; i < bank.length; i++) {
          bank[i] = in.readDouble();
        }
      }
      double zs = in.readDouble();
      double zt = in.readDouble();
      byte[] rng = new byte[in.readInt()];
      in.readFully(rng);
      Random r;
      try (java.io.ObjectInputStream o = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(rng))) {
        r = (Random) o.readObject();
      } catch (ClassNotFoundException | ClassCastException e) {
        throw new IllegalArgumentException(NAME + ": unreadable sampler state (" + e + ")");
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException(NAME + ": trailing bytes after the saved state");
      }
      NDArray newS = manager.create(s, new Shape(numData, dim));
      NDArray newT = manager.create(t, new Shape(numData, dim));
      bankS.close();
      bankT.close();
      bankS = newS;
      bankT = newT;
      zS = zs;
      zT = zt;
      sampler = r;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(NAME + ": truncated saved state (" + e + ")");
    }
  }

  /** The student bank's row (for tests). */
  double[] studentBankRow(int i) {
    return row(bankS, i);
  }

  /** The teacher bank's row (for tests). */
  double[] teacherBankRow(int i) {
    return row(bankT, i);
  }

  private static double[] row(NDArray bank, int i) {
    try (NDArray r = bank.get(i)) { // in the term's manager: closed at once
      return r.toDoubleArray();
    }
  }

  /** The indices the last compute scored, B×(K+1), the image itself first (for tests). */
  long[][] lastSample() {
    return lastSample;
  }

  /** The normalisation constants {Z_s, Z_t} (NaN before the first batch). */
  double[] normalisation() {
    return new double[] {zS, zT};
  }

  @Override
  public List<Parameter> parameters() {
    return List.copyOf(parameters);
  }

  @Override
  public void close() {
    parameters.clear();
    pair = null;
    bankS = null;
    bankT = null;
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }
}
