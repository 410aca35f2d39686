package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.nst4j.model.ModelOutput;

/** Which student tap is compared with which teacher tap (spec: "which taps (one or several, summed)"). */
final class TapPairs {
  private TapPairs() {}

  /** A student tap and the teacher tap it is compared with. */
  record Pair(String student, String teacher) {
    String label() {
      return student.equals(teacher) ? "tap " + student : "taps " + student + ":" + teacher;
    }
  }

  /**
   * A method's default when no taps are requested; every default reads the main taps ({@link
   * ModelOutput#tapNames()}), never the pre-ReLU ones.
   */
  enum Default {
    /** The last tap of each model (NST, FitNet). */
    LAST,
    /** Every tap present in both models, by name, else by position when the counts agree (AT). */
    ALL,
    /**
     * As {@link #ALL}, without the first (shallowest) pair when there are several: VID's "every stage but the
     * first" (spec part 2).
     */
    ALL_BUT_FIRST
  }

  /**
   * The sum over tap pairs of a per-pair loss (the spec's "Σ_taps"), in pair order.
   *
   * @param pairs the pairs, at least one
   * @param loss the scalar loss of one pair
   * @return the sum
   */
  static NDArray sum(List<Pair> pairs, java.util.function.Function<Pair, NDArray> loss) {
    NDArray sum = null;
    for (Pair p : pairs) {
      NDArray m = loss.apply(p);
      sum = sum == null ? m : sum.add(m);
    }
    return sum;
  }

  /**
   * Resolves the pairs for one term.
   *
   * @param s student output
   * @param t teacher output
   * @param requested requested taps ({@code name} or {@code student:teacher}), or null for the default
   * @param def the method's default
   * @param method the method name for messages
   * @return one or more pairs
   * @throws IllegalArgumentException naming the model's taps when a requested tap is unknown
   */
  static List<Pair> resolve(
      ModelOutput s, ModelOutput t, List<String> requested, Default def, String method) {
    if (t == null) {
      throw new IllegalArgumentException(method + " needs the teacher's feature maps, none were given");
    }
    List<String> sn = s.tapNames();
    List<String> tn = t.tapNames();
    if (sn.isEmpty() || tn.isEmpty()) {
      throw new IllegalArgumentException(
          method + " needs feature maps of both models; student taps " + sn + ", teacher taps " + tn);
    }
    List<Pair> pairs = new ArrayList<>();
    if (requested != null) {
      for (String r : requested) {
        String a;
        String b;
        int colon = r.indexOf(':');
        if (colon >= 0) {
          a = r.substring(0, colon).trim();
          b = r.substring(colon + 1).trim();
        } else {
          a = r.trim();
          b = a;
        }
        // Named taps may be pre-ReLU taps (stage3_pre); the defaults below use the main taps only.
        if (!s.allTapNames().contains(a)) {
          throw new IllegalArgumentException("unknown tap '" + a + "' for the student; its taps are "
              + s.allTapNames());
        }
        if (!t.allTapNames().contains(b)) {
          throw new IllegalArgumentException("unknown tap '" + b + "' for the teacher; its taps are "
              + t.allTapNames());
        }
        pairs.add(new Pair(a, b));
      }
      return pairs;
    }
    if (def == Default.ALL_BUT_FIRST) {
      List<Pair> all = resolve(s, t, null, Default.ALL, method);
      return all.size() > 1 ? List.copyOf(all.subList(1, all.size())) : all;
    }
    if (def == Default.LAST) {
      pairs.add(new Pair(sn.get(sn.size() - 1), tn.get(tn.size() - 1)));
      return pairs;
    }
    for (String a : sn) {
      if (tn.contains(a)) {
        pairs.add(new Pair(a, a));
      }
    }
    if (pairs.isEmpty()) {
      if (sn.size() != tn.size()) {
        throw new IllegalArgumentException(
            method
                + " pairs taps by name or position, but the student's "
                + sn
                + " and the teacher's "
                + tn
                + " share no name and differ in number; choose taps explicitly (student:teacher)");
      }
      for (int i = 0; i < sn.size(); i++) {
        pairs.add(new Pair(sn.get(i), tn.get(i)));
      }
    }
    return pairs;
  }
}
