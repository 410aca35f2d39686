package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.model.ModelOutput;

/** An {@link Objective} that is the plain sum of its {@link TransferTerm}s (spec, "Sums"). */
final class CompositeObjective implements Objective {
  private final String method;
  private final List<TransferTerm> terms;
  private boolean initialized;

  CompositeObjective(String method, List<TransferTerm> terms) {
    this.method = method;
    this.terms = List.copyOf(terms);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public boolean needsTeacher() {
    return terms.stream().anyMatch(TransferTerm::needsTeacher);
  }

  /** Whether any term reads labels (the CE). */
  boolean needsLabels() {
    return terms.stream().anyMatch(TransferTerm::needsLabels);
  }

  /** The terms, in order. */
  List<TransferTerm> terms() {
    return terms;
  }

  @Override
  public void initialize(NDManager manager, ModelOutput student, ModelOutput teacher, long seed) {
    for (TransferTerm t : terms) {
      t.initialize(manager, student, teacher, seed);
    }
    initialized = true;
  }

  /** Whether {@link #initialize} has run. */
  boolean isInitialized() {
    return initialized;
  }

  @Override
  public LossTerms compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    if (student == null) {
      throw new IllegalArgumentException("the student's output is required");
    }
    if (teacher == null && needsTeacher()) {
      throw new IllegalArgumentException(method + " needs the teacher's output, none was given");
    }
    Map<String, NDArray> values = new LinkedHashMap<>();
    for (TransferTerm t : terms) {
      values.put(t.name(), t.compute(student, teacher, labels, training));
    }
    return LossTerms.of(values);
  }

  @Override
  public void beginEpoch(int epoch) {
    for (TransferTerm t : terms) {
      t.beginEpoch(epoch);
    }
  }

  @Override
  public void setBatchIndices(long[] indices) {
    for (TransferTerm t : terms) {
      if (t instanceof IndexedTerm indexed) {
        if (indices == null) {
          throw new IllegalArgumentException(t.name() + " reads each image's index in the training set, and this"
              + " batch carries none");
        }
        indexed.setBatchIndices(indices);
      }
    }
  }

  @Override
  public Map<String, byte[]> saveState() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (TransferTerm t : terms) {
      byte[] s = t.saveState();
      if (s != null) {
        out.put(t.name(), s);
      }
    }
    return out;
  }

  @Override
  public void restoreState(Map<String, byte[]> states) {
    Map<String, byte[]> expected = saveState();
    if (!expected.keySet().equals(states.keySet())) {
      throw new IllegalArgumentException("the saved term state is of " + states.keySet() + ", the objective "
          + method + " keeps state for " + expected.keySet() + " (was the method changed?)");
    }
    for (TransferTerm t : terms) {
      if (states.containsKey(t.name())) {
        t.restoreState(states.get(t.name()));
      }
    }
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>();
    for (TransferTerm t : terms) {
      all.addAll(t.parameters());
    }
    return all;
  }

  @Override
  public void close() {
    for (TransferTerm t : terms) {
      t.close();
    }
  }

  @Override
  public String toString() {
    return "Objective[" + method + "]";
  }
}
