/**
 * Benchmarks that write their results under {@code docs/bench/}: the phase profile of a distillation
 * epoch, and the comparison of an nst4j epoch with the equivalent PyTorch-Python script.
 *
 * <p>Sits above {@code train} (it drives the training loop) and below {@code cli}.
 */
package org.nst4j.bench;
