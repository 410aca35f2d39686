/**
 * Measurements: the NST-poly benchmark (Gram forms against the naive pairwise form), the phase profile of a
 * distillation epoch, the comparison of an nst4j epoch with the equivalent PyTorch-Python script (these write
 * their results under {@code docs/bench/}), the inference speed of a saved model (in libtorch, and against ONNX
 * Runtime on its ONNX export, which the command line makes and hands over as bytes), the frozen teacher's
 * forward in oneDNN's blocked (MKLDNN) layout against the dense one ({@link org.nst4j.bench.TeacherLayout}), and
 * {@link org.nst4j.bench.MachineInfo}, the one description of the machine that produced a number.
 *
 * <p>Sits above {@code train} (the epoch profile drives the training loop) and below {@code experiment} and
 * {@code cli}: an experiment's report measures its student's inference speed here and records each run's
 * machine with {@code MachineInfo}, so those instruments live below it rather than being copied into it.
 * Checked by {@code org.nst4j.ArchitectureTest}.
 */
package org.nst4j.bench;
